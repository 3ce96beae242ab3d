import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Logging

/// The browser routes' guard (console, sign-in, sign-out, the consent page): puts the signed-in
/// user on the context and refuses every state-changing request whose CSRF token is not the
/// session's, before any handler runs — so a new form route cannot forget the check.
///
/// - Signed in: a POST, PUT, PATCH or DELETE must carry the session's CSRF token (form field
///   `csrf`, or header `X-CSRF-Token`); otherwise 403, audited as `csrf.failed`.
/// - The sign-in form (`POST /signin`): its signed double-submit value must match its cookie.
/// - Not signed in, any other state-changing request: nothing is done; the console and sign-out
///   go back to the sign-in page, others get a "signed out" page.
///
/// When the operator requires a second factor for owners, an owner without one is sent to enrol
/// (`/console/account/totp`) before anything else.
///
/// Responses get `Strict-Transport-Security` when the server is reached over https.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext

    let sessions: BrowserSessions
    let pages: HTMLPages
    let audit: SessionAudit
    let secondFactor: SecondFactor
    /// Owners must enrol a second factor before anything else.
    let requireOwnerSecondFactor: Bool
    /// The path of the sign-in form's target.
    var signInPath = "/signin"
    /// Where an owner who must enrol may go.
    static let enrolmentPaths: Set<String> = ["/console/account/totp", "/signout", "/signin", "/console/signin"]

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
    static let formLimit = 64 * 1024

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        var request = request
        context.session = try await sessions.resolve(request)
        var response: Response
        if let refusal = try await refusal(&request, context) {
            response = refusal
        } else if try await mustEnrol(request, context) {
            response = HTMLPages.redirect(to: "/console/account/totp")
        } else {
            response = try await next(request, context)
        }
        if sessions.cookies.strictTransportSecurity {
            response.headers[Self.strictTransportSecurity] = "max-age=63072000"
        }
        return response
    }

    /// The answer to a state-changing request that must not reach its handler, if it is one.
    private func refusal(_ request: inout Request, _ context: Context) async throws -> Response? {
        guard Self.changesState(request.method) else { return nil }
        let body = try await request.collectBody(upTo: Self.formLimit)
        let supplied = request.headers[Self.csrfHeader] ?? FormFields(body: body)["csrf"]
        if request.uri.path == signInPath {
            guard try await sessions.signInFormIsGenuine(request, field: supplied) else {
                await audit.record(
                    "csrf.failed",
                    actor: context.clientIP,
                    request: request,
                    context: context,
                    details: SessionAudit.place(of: request)
                )
                return expired()
            }
            return nil
        }
        guard let session = context.session else {
            if request.uri.path.hasPrefix("/console") || request.uri.path == "/signout" {
                return HTMLPages.redirect(to: "/console/signin")
            }
            return pages.error(
                title: "You were signed out",
                message: "Your session ended before you sent this form. Sign in and try again.",
                status: .unauthorized
            )
        }
        guard let supplied, BrowserSessions.constantTimeEqual(supplied, session.csrf) else {
            await audit.record(
                "csrf.failed",
                actor: "user:\(session.person.id)",
                request: request,
                context: context,
                details: SessionAudit.place(of: request)
            )
            return expired()
        }
        return nil
    }

    private func mustEnrol(_ request: Request, _ context: Context) async throws -> Bool {
        guard requireOwnerSecondFactor, let person = context.session?.person, person.role == .owner,
            !Self.enrolmentPaths.contains(request.uri.path)
        else { return false }
        return try await !secondFactor.isEnrolled(person)
    }

    private func expired() -> Response {
        pages.error(
            title: "This form has expired",
            message: "The form did not come from your current session. Reload the page and try again.",
            status: .forbidden
        )
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        method == .post || method == .put || method == .patch || method == .delete
    }
}

/// Audit events of the browser routes (refused forms and actions, sign-in, password changes),
/// with the request's address, user agent and id.
struct SessionAudit: Sendable {
    let store: any Store
    let clock: any WallClock
    let logger: Logger

    func record(
        _ action: String,
        actor: String,
        target: String? = nil,
        outcome: String = "failure",
        request: Request,
        context: GatehouseRequestContext,
        details: [String: String] = [:]
    ) async {
        let event = AuditEvent(
            time: clock.now(),
            actor: actor,
            action: action,
            target: target,
            outcome: outcome,
            ip: context.clientIP,
            userAgent: request.clippedUserAgent,
            requestID: context.requestID,
            details: details
        )
        do {
            // Failed sign-ins come from anyone: listed once per address and minute, and counted,
            // so that guessing cannot grow the log without bound.
            if action == "signin.failed" {
                try await store.appendFailure(event, period: .seconds(60))
            } else {
                try await store.appendEvent(event)
            }
        } catch {
            logger.warning("cannot record an event in the audit log", metadata: ["action": "\(action)"])
        }
    }

    /// The method and path of a refused request, for the event's details.
    static func place(of request: Request) -> [String: String] {
        ["method": request.method.rawValue, "path": String(request.uri.path.prefix(200))]
    }
}

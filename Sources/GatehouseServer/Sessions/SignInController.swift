import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Synchronization

/// Signing in and out: `GET /console/signin`, `POST /signin`, `POST /signout`. Behind
/// ``SessionMiddleware``, which has checked the sign-in form's signed double-submit value, or the
/// session's CSRF token for sign-out, before these handlers run.
///
/// Brute force: every attempt takes one unit of the address's allowance and one of the account's
/// before bcrypt runs (refunded when the password was right), so concurrent guesses cannot exceed
/// either; past them no password is checked. The account's allowance does not apply in a browser
/// that signed in to that account before (its device cookie), so a guesser cannot lock the owner
/// out of the browsers they use. Bcrypt work waiting at once is bounded (``PasswordCheckGate``).
struct SignInController {
    let sessions: BrowserSessions
    let signInPage: SignInPage
    let store: any Store
    let admin: AdminOperations
    let audit: SessionAudit
    let failureThrottle: RateLimiter
    /// Failed sign-ins per client address.
    let addressAllowance: RatePlan
    /// Failed sign-ins per account (email), from browsers that never signed in to it.
    let accountAllowance: RatePlan
    let gate: PasswordCheckGate
    let secondFactor: SecondFactor
    /// A bcrypt hash of a random password, checked against when the email is unknown.
    let decoyPasswordHash: DecoyPasswordHash

    func addRoutes(to router: some RouterMethods<GatehouseRequestContext>) {
        router.get("console/signin", use: signInForm)
        router.post("signin", use: signIn)
        router.post("signout", use: signOut)
    }

    @Sendable func signInForm(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        if context.session != nil { return HTMLPages.redirect(to: "/console/integrations") }
        return try await signInPage.render(next: "/console/integrations", appName: nil)
    }

    @Sendable func signIn(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let fields = try await AuthorizeController.form(request)
        let next = AuthorizeController.safeNext(fields["next"])
        let email = String((fields["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased().prefix(200))
        let password = fields["password"] ?? ""
        // Taken before bcrypt runs, refunded on success: only failures consume the allowances.
        let addressKey = "signin:" + context.clientThrottleKey
        let byAddress = failureThrottle.check(key: addressKey, plan: addressAllowance)
        guard byAddress.isAllowed else {
            return try await tooMany(
                next: next,
                email: email,
                "Too many failed sign-ins from this address. Try again in \(byAddress.retryAfterSeconds) s.",
                retryAfter: byAddress.retryAfterSeconds
            )
        }
        let person = email.isEmpty ? nil : try await store.person(email: email)
        let accountKey = "signin-account:" + email
        var countsForAccount = true
        if let person, try await sessions.isTrustedDevice(request, for: person) { countsForAccount = false }
        if countsForAccount {
            let byAccount = failureThrottle.check(key: accountKey, plan: accountAllowance)
            guard byAccount.isAllowed else {
                failureThrottle.refund(key: addressKey, plan: addressAllowance)
                return try await tooMany(
                    next: next,
                    email: email,
                    "Too many failed sign-ins for this account. Try again in \(byAccount.retryAfterSeconds) s, or from a browser you signed in with before.",
                    retryAfter: byAccount.retryAfterSeconds
                )
            }
        }
        func refund() {
            failureThrottle.refund(key: addressKey, plan: addressAllowance)
            if countsForAccount { failureThrottle.refund(key: accountKey, plan: accountAllowance) }
        }
        // bcrypt runs even for an unknown email, so timing does not tell which emails exist.
        let checked: Person
        if let person {
            checked = person
        } else {
            checked = Person(
                id: "",
                workspaceID: "",
                name: "",
                email: "",
                role: .member,
                passwordHash: try await decoyPasswordHash.value(),
                createdAt: .distantPast
            )
        }
        let admin = self.admin
        guard let matches = try await gate.run({ try await admin.verifyPassword(password, of: checked) }) else {
            refund()
            var response = try await signInPage.render(
                next: next,
                appName: nil,
                error: "The server is busy checking other sign-ins. Try again in a moment.",
                status: .serviceUnavailable,
                email: email
            )
            response.headers[.retryAfter] = "1"
            return response
        }
        guard let person, matches else {
            await audit.record("signin.failed", actor: context.clientIP, request: request, context: context)
            return try await signInPage.render(
                next: next,
                appName: nil,
                error: "Incorrect email or password.",
                status: .unauthorized,
                email: email
            )
        }
        // With a second factor, the password alone is a failure (the allowances stay taken).
        if try await secondFactor.isEnrolled(person) {
            guard try await secondFactor.verify(fields["code"] ?? "", for: person) else {
                await audit.record(
                    "signin.failed",
                    actor: context.clientIP,
                    target: person.id,
                    request: request,
                    context: context,
                    details: ["reason": "second_factor"]
                )
                return try await signInPage.render(
                    next: next,
                    appName: nil,
                    error: "Enter the current code from your authenticator app (each code works once).",
                    status: .unauthorized,
                    email: email
                )
            }
        }
        refund()
        // A new session id at every sign-in (no fixation), and none left behind in this browser.
        _ = try await sessions.end(request)
        let cookie = try await sessions.start(for: person)
        await audit.record(
            "signin.succeeded",
            actor: "user:\(person.id)",
            target: person.id,
            outcome: "success",
            request: request,
            context: context
        )
        var response = HTMLPages.redirect(to: next)
        response.setCookie(cookie)
        response.setCookie(try await sessions.deviceCookie(for: person))
        return response
    }

    /// Ends the session (with `scope=everywhere`, every session of the user); the middleware has
    /// checked the form's CSRF token, and sent a request without a session to the sign-in page.
    @Sendable func signOut(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let fields = try await AuthorizeController.form(request)
        var response = HTMLPages.redirect(to: AuthorizeController.safeNext(fields["next"]))
        if let session = context.session {
            if fields["scope"] == "everywhere" {
                let ended = try await store.deleteSessions(userID: session.person.id, keeping: nil)
                await audit.record(
                    "session.ended_everywhere",
                    actor: "user:\(session.person.id)",
                    target: session.person.id,
                    outcome: "success",
                    request: request,
                    context: context,
                    details: ["sessions": String(ended)]
                )
            }
            response.setCookie(try await sessions.end(request))
        }
        return response
    }

    private func tooMany(next: String, email: String, _ message: String, retryAfter: Int) async throws -> Response {
        var response = try await signInPage.render(
            next: next,
            appName: nil,
            error: message,
            status: .tooManyRequests,
            email: email
        )
        RateLimitHeaders.refuse(&response, retryAfter: retryAfter)
        return response
    }
}

/// The sign-in page, with a fresh signed double-submit value in its form and cookie.
struct SignInPage: Sendable {
    let sessions: BrowserSessions
    let pages: HTMLPages

    func render(
        next: String,
        appName: String?,
        error: String? = nil,
        status: HTTPResponse.Status = .ok,
        email: String = ""
    ) async throws -> Response {
        let challenge = try await sessions.signInChallenge()
        var values: [String: Any] = ["next": next, "csrf": challenge.value, "email": email, "title": "Sign in"]
        if let appName { values["appName"] = appName }
        if let error { values["error"] = error }
        var response = pages.render("signin", values, status: status)
        response.setCookie(challenge.cookie)
        return response
    }
}

/// A bcrypt hash of a random password at the server's cost, made on first use (off the event
/// loops) rather than at start-up, where it would slow every start by a bcrypt round.
final class DecoyPasswordHash: Sendable {
    private let cost: UInt8
    private let hash = Mutex<String?>(nil)

    init(cost: UInt8) {
        self.cost = cost
    }

    func value() async throws -> String {
        if let existing = hash.withLock({ $0 }) { return existing }
        let made = try await AdminOperations.bcrypt(BrowserSessions.randomToken(), cost: cost)
        return hash.withLock { stored in
            if let stored { return stored }
            stored = made
            return made
        }
    }
}

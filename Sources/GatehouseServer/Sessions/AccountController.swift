import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird

/// The signed-in user's own account: `GET /console/account` (password change, second factor,
/// sign out everywhere), `POST /console/account/password`, and the TOTP enrolment
/// `GET`/`POST /console/account/totp`. Behind ``SessionMiddleware``.
///
/// Enrolment shows a new secret once (as an `otpauth://` URI and a base32 key) and carries it to
/// the confirmation in a hidden field sealed to the session; it is stored only when a code
/// from the app proves the app has it.
///
/// A password change needs the current password (checked like a sign-in: it takes one unit of
/// the account's failure allowance first, refunded when right), follows the creation rules, ends
/// every other session of the user in the same transaction, and is audited as `password.changed`.
struct AccountController {
    let store: any Store
    let pages: HTMLPages
    let admin: AdminOperations
    let audit: SessionAudit
    let failureThrottle: RateLimiter
    let accountAllowance: RatePlan
    let gate: PasswordCheckGate
    let secondFactor: SecondFactor
    let requireOwnerSecondFactor: Bool

    func addRoutes(to router: some RouterMethods<GatehouseRequestContext>) {
        router.get("console/account", use: account)
        router.post("console/account/password", use: changePassword)
        router.get("console/account/totp", use: enrolmentForm)
        router.post("console/account/totp", use: enrol)
    }

    @Sendable func enrolmentForm(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        guard let session = context.session else { return HTMLPages.redirect(to: "/console/signin") }
        if try await secondFactor.isEnrolled(session.person) {
            return try await render("console_totp", "Two-step sign-in", session, ["enrolled": true])
        }
        return try await enrolmentPage(session, secret: SecondFactor.newSecret())
    }

    @Sendable func enrol(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        guard let session = context.session else { return HTMLPages.redirect(to: "/console/signin") }
        let fields = try await AuthorizeController.form(request)
        guard let pending = fields["pending"],
            let secret = try? await secondFactor.sealing.open(pending, context: Self.pendingContext(session))
        else {
            return try await enrolmentPage(
                session,
                secret: SecondFactor.newSecret(),
                error: "The setup form expired. Add this new key to your app instead.",
                status: .badRequest
            )
        }
        guard try await secondFactor.enrol(session.person, secret: secret, code: fields["code"] ?? "") else {
            return try await enrolmentPage(
                session,
                secret: secret,
                error: "That code is not the app's current one. Check the app and try again.",
                status: .badRequest
            )
        }
        await audit.record(
            "second_factor.enrolled",
            actor: "user:\(session.person.id)",
            target: session.person.id,
            outcome: "success",
            request: request,
            context: context
        )
        return try await page(session, notice: "Two-step sign-in is on. Signing in now asks for a code from your app.")
    }

    private func enrolmentPage(
        _ session: SignedInSession,
        secret: String,
        error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var values: [String: Any] = [
            "enrolled": false,
            "required": requireOwnerSecondFactor && session.person.role == .owner,
            "uri": SecondFactor.uri(secret: secret, account: session.person.email),
            "secret": SecondFactor.base32(secret),
            "pending": try await secondFactor.sealing.seal(secret, context: Self.pendingContext(session)),
        ]
        if let error { values["error"] = error }
        return try await render("console_totp", "Two-step sign-in", session, values, status: status)
    }

    /// A pending secret opens only in the session that was shown it.
    private static func pendingContext(_ session: SignedInSession) -> String {
        "pending totp v1:" + session.digest.hex
    }

    @Sendable func account(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        guard let session = context.session else { return HTMLPages.redirect(to: "/console/signin") }
        return try await page(session)
    }

    @Sendable func changePassword(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        guard let session = context.session else { return HTMLPages.redirect(to: "/console/signin") }
        let fields = try await AuthorizeController.form(request)
        let person = session.person
        let newPassword = fields["new_password"] ?? ""
        guard newPassword == fields["confirm_password"] ?? "" else {
            return try await page(
                session,
                error: "The new passwords differ. Type the same one twice.",
                status: .badRequest
            )
        }
        do {
            try AdminOperations.checkPasswordRules(newPassword)
        } catch let error as AdminError {
            return try await page(
                session,
                error: "The new password is not allowed: \(error.description).",
                status: .badRequest
            )
        }
        let accountKey = "signin-account:" + person.email
        let allowance = failureThrottle.check(key: accountKey, plan: accountAllowance)
        guard allowance.isAllowed else {
            var response = try await page(
                session,
                error: "Too many wrong passwords for this account. Try again in \(allowance.retryAfterSeconds) s.",
                status: .tooManyRequests
            )
            RateLimitHeaders.refuse(&response, retryAfter: allowance.retryAfterSeconds)
            return response
        }
        let admin = self.admin
        let current = fields["current_password"] ?? ""
        guard let matches = try await gate.run({ try await admin.verifyPassword(current, of: person) }) else {
            failureThrottle.refund(key: accountKey, plan: accountAllowance)
            var response = try await page(
                session,
                error: "The server is busy checking other passwords. Try again in a moment.",
                status: .serviceUnavailable
            )
            response.headers[.retryAfter] = "1"
            return response
        }
        guard matches else {
            await audit.record(
                "password.change_failed",
                actor: "user:\(person.id)",
                target: person.id,
                request: request,
                context: context
            )
            return try await page(session, error: "The current password is not right.", status: .badRequest)
        }
        failureThrottle.refund(key: accountKey, plan: accountAllowance)
        let hash = try await AdminOperations.hashNewPassword(newPassword, cost: admin.bcryptCost)
        guard try await store.setPassword(userID: person.id, hash: hash, keeping: session.digest) else {
            return HTMLPages.redirect(to: "/console/signin")
        }
        await audit.record(
            "password.changed",
            actor: "user:\(person.id)",
            target: person.id,
            outcome: "success",
            request: request,
            context: context,
            details: ["sessions_ended": "others"]
        )
        return try await page(session, notice: "Your password is changed. Every other session of yours has ended.")
    }

    private func page(
        _ session: SignedInSession,
        notice: String? = nil,
        error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var values: [String: Any] = ["secondFactor": try await secondFactor.isEnrolled(session.person)]
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return try await render("console_account", "Account", session, values, status: status)
    }

    /// A console page with the values its header needs.
    private func render(
        _ template: String,
        _ title: String,
        _ session: SignedInSession,
        _ values: [String: Any],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let person = session.person
        let workspace = try await store.workspace(id: person.workspaceID)
        var all = values
        all["title"] = title
        all["section"] = "Account"
        all["csrf"] = session.csrf
        all["userName"] = person.name
        all["userEmail"] = person.email
        all["workspaceName"] = workspace?.name ?? ""
        all["role"] = person.role.rawValue
        all["isOwner"] = person.role == .owner
        return pages.render(template, all, status: status)
    }
}

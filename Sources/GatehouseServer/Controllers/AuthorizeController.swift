import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Synchronization

/// The browser side of OAuth: `GET /v1/oauth/authorize` (sign-in, then consent), the consent
/// decision (`POST /v1/oauth/authorize`), `POST /signin`, `POST /signout` and the stylesheet.
///
/// Unknown clients and unregistered redirect URIs get an error page, never a redirect; every
/// other failure goes back to the client's verified redirect URI with `state` and `iss`.
struct AuthorizeController {
    let service: OAuthService
    let sessions: BrowserSessions
    let pages: HTMLPages
    let admin: AdminOperations
    let issuer: OAuthIssuer
    let failureThrottle: RateLimiter
    let failureAllowance: RatePlan
    /// A bcrypt hash of a random password, checked against when the email is unknown.
    let decoyPasswordHash: DecoyPasswordHash

    /// The parameters of an authorization request; the consent form carries exactly these along.
    static let requestParameters: Set<String> = [
        "client_id", "redirect_uri", "response_type", "owner", "state", "code_challenge", "code_challenge_method",
    ]

    func addRoutes(to router: Router<GatehouseRequestContext>) throws {
        router.get("v1/oauth/authorize", use: authorize)
        router.post("v1/oauth/authorize", use: decide)
        router.post("signin", use: signIn)
        router.post("signout", use: signOut)
        for (name, type) in [("gatehouse.css", "text/css"), ("console.js", "text/javascript")] {
            let asset = try HTMLPages.asset(name)
            router.get("assets/\(name)") { _, _ in
                Response(
                    status: .ok,
                    headers: [
                        .contentType: "\(type); charset=utf-8", .cacheControl: "public, max-age=3600",
                        .xContentTypeOptions: "nosniff",
                    ],
                    body: ResponseBody(byteBuffer: asset)
                )
            }
        }
    }

    // MARK: Authorize

    @Sendable func authorize(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let fields = FormFields(urlEncoded: request.uri.query ?? "")
        let authorization: AuthorizationRequest
        let app: Integration
        switch try await validate(fields.values) {
        case .failure(let failure): return answer(failure)
        case .success(let value): (authorization, app) = value
        }
        guard let (person, sessionToken) = try await sessions.current(request) else {
            return signInPage(next: "/v1/oauth/authorize?" + (request.uri.query ?? ""), appName: app.name)
        }
        return try await consentPage(authorization, app: app, person: person, sessionToken: sessionToken)
    }

    @Sendable func decide(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let fields = try await Self.form(request)
        let oauthValues = fields.values.filter { Self.requestParameters.contains($0.key) }
        let authorization: AuthorizationRequest
        let app: Integration
        switch try await validate(oauthValues) {
        case .failure(let failure): return answer(failure)
        case .success(let value): (authorization, app) = value
        }
        guard let (person, sessionToken) = try await sessions.current(request) else {
            return pages.error(
                title: "You were signed out",
                message: "Your session ended before you answered. Go back to \(app.name) and connect again.",
                status: .unauthorized
            )
        }
        guard let csrf = fields["csrf"],
            BrowserSessions.constantTimeEqual(csrf, BrowserSessions.csrfToken(forSession: sessionToken))
        else {
            return pages.error(
                title: "This form has expired",
                message: "The consent form did not come from this session. Go back to \(app.name) and connect again.",
                status: .forbidden
            )
        }
        let origin = OAuthService.Origin(
            address: context.remoteAddress,
            userAgent: request.clippedUserAgent,
            requestID: context.requestID
        )
        guard fields["decision"] == "allow" else {
            await service.audit(
                "oauth.denied",
                actor: "user:\(person.id)",
                target: app.id,
                outcome: "failure",
                origin: origin
            )
            return redirect(authorization, with: [("error", "access_denied")])
        }
        if authorization.owner == .workspace, person.role != .owner {
            return redirect(
                authorization,
                with: [
                    ("error", "access_denied"),
                    ("error_description", "Only a workspace owner can connect an integration for the whole workspace."),
                ]
            )
        }
        let resources = try await pickedResources(fields.values["resource"] ?? [], workspaceID: person.workspaceID)
        let code = try await service.issueCode(
            for: authorization,
            app: app,
            person: person,
            resources: resources,
            origin: origin
        )
        return redirect(authorization, with: [("code", code)])
    }

    // MARK: Sign-in

    @Sendable func signIn(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let fields = try await Self.form(request)
        let next = Self.safeNext(fields["next"])
        guard BrowserSessions.signInFormIsGenuine(request, field: fields["csrf"]) else {
            return signInPage(next: next, appName: nil, error: "The sign-in form expired. Please try again.")
        }
        // Only failures count against the address's allowance; past it, no password is checked.
        let outcome = failureThrottle.peek(key: "signin:" + context.clientIP, plan: failureAllowance)
        guard outcome.isAllowed else {
            var response = signInPage(
                next: next,
                appName: nil,
                error: "Too many failed sign-ins from this address. Try again in \(outcome.retryAfterSeconds) s.",
                status: .tooManyRequests
            )
            response.headers[.retryAfter] = String(outcome.retryAfterSeconds)
            return response
        }
        let email = (fields["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = fields["password"] ?? ""
        let person = email.isEmpty ? nil : try await admin.store.person(email: email)
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
                createdAt: Date()
            )
        }
        let matches = try await admin.verifyPassword(password, of: checked)
        let origin = OAuthService.Origin(
            address: context.remoteAddress,
            userAgent: request.clippedUserAgent,
            requestID: context.requestID
        )
        guard let person, matches else {
            _ = failureThrottle.check(key: "signin:" + context.clientIP, plan: failureAllowance)
            await service.audit(
                "signin.failed",
                actor: context.clientIP,
                target: nil,
                outcome: "failure",
                origin: origin
            )
            return signInPage(
                next: next,
                appName: nil,
                error: "Incorrect email or password.",
                status: .unauthorized,
                email: email
            )
        }
        let cookie = try await sessions.start(for: person)
        await service.audit("signin.succeeded", actor: "user:\(person.id)", target: person.id, origin: origin)
        var response = HTMLPages.redirect(to: next)
        response.setCookie(cookie)
        return response
    }

    @Sendable func signOut(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let fields = try await Self.form(request)
        if let (_, token) = try await sessions.current(request), let csrf = fields["csrf"],
            BrowserSessions.constantTimeEqual(csrf, BrowserSessions.csrfToken(forSession: token))
        {
            let cookie = try await sessions.end(request)
            var response = HTMLPages.redirect(to: Self.safeNext(fields["next"]))
            response.setCookie(cookie)
            return response
        }
        return HTMLPages.redirect(to: Self.safeNext(fields["next"]))
    }

    // MARK: Pages

    private func signInPage(
        next: String,
        appName: String?,
        error: String? = nil,
        status: HTTPResponse.Status = .ok,
        email: String = ""
    ) -> Response {
        let challenge = sessions.signInChallenge()
        var values: [String: Any] = ["next": next, "csrf": challenge.value, "email": email, "title": "Sign in"]
        if let appName { values["appName"] = appName }
        if let error { values["error"] = error }
        var response = pages.render("signin", values, status: status)
        response.setCookie(challenge.cookie)
        return response
    }

    private func consentPage(
        _ authorization: AuthorizationRequest,
        app: Integration,
        person: Person,
        sessionToken: String
    ) async throws -> Response {
        let store = admin.store
        guard let workspace = try await store.workspace(id: person.workspaceID) else {
            return pages.error(title: "No workspace", message: "Your account has no workspace.")
        }
        let databases = try await store.databases(workspaceID: workspace.id)
        let pagesList = try await store.pages(workspaceID: workspace.id)
        let developer = try await store.workspace(id: app.workspaceID)
        let values: [String: Any] = [
            "appName": app.name,
            "developer": developer?.name ?? "another workspace",
            "workspaceName": workspace.name,
            "userName": person.name,
            "userEmail": person.email,
            "capabilities": app.capabilities.plainDescriptions,
            "forWorkspace": authorization.owner == .workspace,
            "workspaceOwnerRequired": authorization.owner == .workspace && person.role != .owner,
            "resources": ResourcePicker.entries(databases: databases, pages: pagesList).map { entry -> [String: Any] in
                ["value": entry.value, "title": entry.title, "kind": entry.kind, "depth": entry.depth]
            },
            "hidden": authorization.parameters.map { ["name": $0.0, "value": $0.1] },
            "csrf": BrowserSessions.csrfToken(forSession: sessionToken),
            "signOutNext": RedirectURI.appending(authorization.parameters, to: "/v1/oauth/authorize"),
            "redirectHost": URLComponents(string: authorization.redirectURI)?.host ?? authorization.redirectURI,
        ]
        return pages.render("consent", values, formTarget: authorization.redirectURI)
    }

    // MARK: Helpers

    /// The authorization request and the public integration it names, or how to answer.
    private func validate(
        _ values: [String: [String]]
    ) async throws -> Result<(AuthorizationRequest, Integration), AuthorizationRequestFailure> {
        var app: Integration?
        if let raw = values["client_id"]?.first, let clientID = ResourceID.canonical(raw) {
            app = try await admin.store.integration(clientID: clientID)
        }
        // Canonical client ids compare equal to their undashed or upper-case spellings.
        var normalized = values
        if let app, let clientID = app.oauthClient?.clientID, values["client_id"]?.count == 1 {
            normalized["client_id"] = [clientID]
        }
        return AuthorizationRequest.validate(normalized, client: app?.oauthClient).flatMap { request in
            // A valid request names a registered client, so `app` is set.
            app.map { .success((request, $0)) } ?? .failure(.untrustedRedirect("No integration has this client_id."))
        }
    }

    private func answer(_ failure: AuthorizationRequestFailure) -> Response {
        switch failure {
        case .untrustedRedirect(let message):
            return pages.error(title: "This link cannot be used", message: message)
        case .redirect(let error, let uri, let state):
            var parameters = [("error", error.error), ("error_description", error.description)]
            if let state { parameters.append(("state", state)) }
            parameters.append(("iss", issuer.value))
            return HTMLPages.redirect(to: RedirectURI.appending(parameters, to: uri))
        }
    }

    /// A 303 to the client with `parameters`, the request's `state`, and `iss` (RFC 9207).
    private func redirect(_ authorization: AuthorizationRequest, with parameters: [(String, String)]) -> Response {
        var all = parameters
        if let state = authorization.state { all.append(("state", state)) }
        all.append(("iss", issuer.value))
        return HTMLPages.redirect(to: RedirectURI.appending(all, to: authorization.redirectURI))
    }

    /// The picked `database:<id>` / `page:<id>` values that name resources of the workspace.
    private func pickedResources(_ values: [String], workspaceID: String) async throws -> [SharedResource] {
        var resources: [SharedResource] = []
        for value in values.prefix(500) {
            let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = ResourceID.canonical(parts[1]) else { continue }
            switch parts[0] {
            case "database":
                if let database = try await admin.store.database(id: id), database.workspaceID == workspaceID {
                    resources.append(SharedResource(type: "database", id: id))
                }
            case "page":
                if let page = try await admin.store.page(id: id), page.workspaceID == workspaceID {
                    resources.append(SharedResource(type: "page", id: id))
                }
            default:
                continue
            }
        }
        return resources
    }

    static func form(_ request: Request) async throws -> FormFields {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        return FormFields(body: buffer)
    }

    /// Where to go after signing in or out: a local path of ours, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
            next.hasPrefix("/v1/oauth/authorize") || next.hasPrefix("/console")
        else { return "/console" }
        return next
    }
}

/// The pages and databases a user may share, in tree order for the consent page's picker. Rows
/// of a database are not listed: sharing the database shares them.
enum ResourcePicker {
    struct Entry: Equatable {
        var value: String
        var title: String
        var kind: String
        var depth: Int
    }

    static func entries(databases: [DatabaseRecord], pages: [PageRecord]) -> [Entry] {
        var children: [String?: [Entry]] = [:]
        for database in databases {
            children[database.parentPageID, default: []].append(
                Entry(value: "database:\(database.id)", title: database.title, kind: "Database", depth: 0)
            )
        }
        for page in pages where !page.archived {
            let parent: String?
            switch page.parent {
            case .workspace: parent = nil
            case .page(let id): parent = id
            case .database: continue
            }
            children[parent, default: []].append(
                Entry(value: "page:\(page.id)", title: page.title, kind: "Page", depth: 0)
            )
        }
        var ordered: [Entry] = []
        func visit(_ parent: String?, depth: Int) {
            guard depth < 8 else { return }
            for var entry in (children[parent] ?? []).sorted(by: { $0.title < $1.title }) {
                entry.depth = depth
                ordered.append(entry)
                if entry.kind == "Page" { visit(String(entry.value.dropFirst("page:".count)), depth: depth + 1) }
            }
        }
        visit(nil, depth: 0)
        return ordered
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

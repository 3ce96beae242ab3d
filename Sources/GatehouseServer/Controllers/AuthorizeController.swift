import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Synchronization

/// The browser side of OAuth: `GET /v1/oauth/authorize` (sign-in, then consent), the consent
/// decision (`POST /v1/oauth/authorize`) and the pages' assets. Behind ``SessionMiddleware``,
/// which resolves the session and checks the consent form's CSRF token.
///
/// Unknown clients and unregistered redirect URIs get an error page, never a redirect; every
/// other failure goes back to the client's verified redirect URI with `state` and `iss`.
struct AuthorizeController {
    let service: OAuthService
    let signInPage: SignInPage
    let pages: HTMLPages
    let admin: AdminOperations
    let issuer: OAuthIssuer
    /// The deployment's declared scopes, whose descriptions the consent page shows.
    let routePolicy: RoutePolicySource

    /// The parameters of an authorization request; the consent form carries exactly these along.
    static let requestParameters: Set<String> = [
        "client_id", "redirect_uri", "response_type", "owner", "state", "code_challenge", "code_challenge_method",
        "scope", "resource",
    ]

    /// The authorization routes, on the browser routes' group (behind ``SessionMiddleware``).
    func addRoutes(to router: some RouterMethods<GatehouseRequestContext>) {
        router.get("v1/oauth/authorize", use: authorize)
        router.post("v1/oauth/authorize", use: decide)
    }

    /// The stylesheet and script of the pages (no session needed).
    static func addAssetRoutes(to router: some RouterMethods<GatehouseRequestContext>) throws {
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
        guard let session = context.session else {
            return try await signInPage.render(
                next: "/v1/oauth/authorize?" + (request.uri.query ?? ""),
                appName: app.name
            )
        }
        return try await consentPage(authorization, app: app, person: session.person, csrf: session.csrf)
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
        // The middleware checked the form's CSRF token against this session.
        guard let person = context.session?.person else {
            return pages.error(
                title: "You were signed out",
                message: "Your session ended before you answered. Go back to \(app.name) and connect again.",
                status: .unauthorized
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
        let resources = try await pickedResources(fields.values["share"] ?? [], workspaceID: person.workspaceID)
        let code = try await service.issueCode(
            for: authorization,
            app: app,
            person: person,
            resources: resources,
            origin: origin
        )
        return redirect(authorization, with: [("code", code)])
    }

    // MARK: Pages

    private func consentPage(
        _ authorization: AuthorizationRequest,
        app: Integration,
        person: Person,
        csrf: String
    ) async throws -> Response {
        let store = admin.store
        guard let workspace = try await store.workspace(id: person.workspaceID) else {
            return pages.error(title: "No workspace", message: "Your account has no workspace.")
        }
        let databases = try await store.databases(workspaceID: workspace.id)
        let pagesList = try await store.pages(workspaceID: workspace.id)
        let developer = try await store.workspace(id: app.workspaceID)
        let granted = ScopeRequest.granted(requested: authorization.scopes, held: app.scopes)
        let values: [String: Any] = [
            "appName": app.name,
            "developer": developer?.name ?? "another workspace",
            "selfRegistered": app.oauthClient?.registeredFrom != nil,
            "workspaceName": workspace.name,
            "userName": person.name,
            "userEmail": person.email,
            "capabilities": app.capabilities.plainDescriptions,
            "scopes": routePolicy.entries(granted),
            "hasScopes": !granted.isEmpty,
            "forWorkspace": authorization.owner == .workspace,
            "workspaceOwnerRequired": authorization.owner == .workspace && person.role != .owner,
            "resources": ResourcePicker.entries(databases: databases, pages: pagesList).map { entry -> [String: Any] in
                ["value": entry.value, "title": entry.title, "kind": entry.kind, "depth": entry.depth]
            },
            "hidden": authorization.parameters.map { ["name": $0.0, "value": $0.1] },
            "csrf": csrf,
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
        return AuthorizationRequest.validate(
            normalized,
            client: app?.oauthClient,
            clientScopes: app?.scopes ?? Scopes(),
            issuer: issuer.value
        ).flatMap { request in
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

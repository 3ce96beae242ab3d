import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The web console, "Settings & Members → Integrations": server-rendered pages for the signed-in
/// user's workspace. Owners manage integrations; members see them read-only. Every form carries
/// the session's CSRF token, which ``SessionMiddleware`` checks before any handler runs; every
/// change goes through ``AdminOperations`` (audited, and evicted from every node's cache like a
/// CLI change).
struct ConsoleController {
    let audit: SessionAudit
    let pages: HTMLPages
    let store: any Store
    let authenticator: Authenticator
    let bcryptCost: UInt8
    let rotationPolicyDays: Int
    /// The plans' limits, for the rate limit an integration gets when it has none of its own.
    let ratePlans: RatePlans
    /// The deployment's declared scopes, whose descriptions the integration page shows.
    let routePolicy: RoutePolicySource
    /// The security checklist's facts for one workspace.
    let auditFacts: @Sendable (Workspace) async throws -> SecurityAudit.Facts

    func addRoutes(to router: some RouterMethods<GatehouseRequestContext>) {
        router.get("console") { _, _ in HTMLPages.redirect(to: "/console/integrations") }
        router.get("console/integrations", use: list)
        router.get("console/integrations/new", use: newForm)
        router.post("console/integrations", use: create)
        router.get("console/integrations/:id", use: detail)
        router.post("console/integrations/:id/share", use: share)
        router.post("console/integrations/:id/rotate", use: rotate)
        router.get("console/integrations/:id/revoke", use: confirmRevoke)
        router.post("console/integrations/:id/revoke", use: revoke)
        router.get("console/integrations/:id/delete", use: confirmDelete)
        router.post("console/integrations/:id/delete", use: delete)
        router.get("console/audit", use: audit)
        router.get("console/audit.jsonl", use: auditExport)
        router.get("console/security", use: security)
    }

    /// The signed-in user of a console request.
    struct Viewer {
        let person: Person
        let workspace: Workspace
        let csrf: String
        var isOwner: Bool { person.role == .owner }
    }

    // MARK: Pages

    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context) { viewer in
            let integrations = try await store.integrations(workspaceID: viewer.workspace.id)
            let today = DailyUsage.day(of: Date())
            let usage = try await store.dailyUsage(integrationIDs: integrations.map(\.id), sinceDay: today)
            var rows: [[String: Any]] = []
            for integration in integrations {
                let tokens = try await store.tokens(integrationID: integration.id)
                let live = tokens.filter { CredentialJSON.status($0) == "active" }
                let newest = live.last ?? tokens.last
                rows.append([
                    "id": integration.id, "name": integration.name, "kind": Self.kindLabel(integration),
                    "capabilities": integration.capabilities.names(joinedBy: ", "),
                    "tokenHint": newest?.displayHint ?? "—",
                    "rotationDue": live.contains { CredentialJSON.rotationDue($0, policyDays: rotationPolicyDays) },
                    "created": Self.date(integration.createdAt),
                    "lastUsed": tokens.compactMap(\.lastUsedAt).max().map(Self.dateTime) ?? "never",
                    "requestsToday": usage.filter { $0.integrationID == integration.id }.reduce(0) { $0 + $1.count },
                ])
            }
            return render("console_integrations", "Integrations", viewer, ["integrations": rows])
        }
    }

    @Sendable func newForm(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context, ownerOnly: true) { viewer in
            render(
                "console_new",
                "Create new integration",
                viewer,
                [
                    "contentCapabilities": [
                        ["name": "read_content", "label": "Read content"],
                        ["name": "update_content", "label": "Update content"],
                        ["name": "insert_content", "label": "Insert content"],
                        ["name": "read_comments", "label": "Read comments"],
                        ["name": "insert_comments", "label": "Insert comments"],
                    ]
                ]
            )
        }
    }

    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let form = try await AuthorizeController.form(request)
        return try await withViewer(request, context, ownerOnly: true) { viewer in
            let admin = admin(for: viewer, request, context)
            let capabilities: Capabilities
            do {
                capabilities = try Capabilities(names: (form.values["capability"] ?? []) + [form["user_info"] ?? ""])
            } catch {
                return render("console_new", "Create new integration", viewer, ["error": String(describing: error)])
            }
            do {
                if form["kind"] == "public" {
                    let uris = (form["redirect_uris"] ?? "").split(whereSeparator: \.isNewline)
                        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    let (integration, secret) = try await admin.createPublicIntegration(
                        workspaceID: viewer.workspace.id,
                        name: form["name"] ?? "",
                        capabilities: capabilities,
                        redirectURIs: uris,
                        expiringTokens: form["expiring"] == "yes"
                    )
                    return secretPage(
                        viewer,
                        integration: integration,
                        secret: secret ?? "",
                        heading: "Created \(integration.name)",
                        label: "Client secret"
                    )
                }
                let (integration, token) = try await admin.createInternalIntegration(
                    workspaceID: viewer.workspace.id,
                    name: form["name"] ?? "",
                    capabilities: capabilities
                )
                return secretPage(
                    viewer,
                    integration: integration,
                    secret: token,
                    heading: "Created \(integration.name)",
                    label: "Internal integration token"
                )
            } catch let error as AdminError {
                return render("console_new", "Create new integration", viewer, ["error": error.description])
            }
        }
    }

    @Sendable func detail(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withIntegration(request, context) { viewer, integration in
            let notice = request.uri.queryParameters.get("done").flatMap { Self.notices[$0] }
            return try await detailPage(viewer, integration, notice: notice)
        }
    }

    @Sendable func share(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let form = try await AuthorizeController.form(request)
        return try await withIntegration(request, context, ownerOnly: true) { viewer, integration in
            let parts = (form["resource"] ?? "").split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["database", "page"].contains(parts[0]) else {
                return try await detailPage(viewer, integration, error: "Choose a page or database to share.")
            }
            do {
                _ = try await admin(for: viewer, request, context).share(
                    integrationID: integration.id,
                    target: parts[0] == "database" ? .database(parts[1]) : .page(parts[1]),
                    remove: form["action"] == "remove"
                )
            } catch let error as AdminError where !error.integrationNotFound {
                return try await detailPage(viewer, integration, error: error.description)
            }
            return HTMLPages.redirect(
                to: "/console/integrations/\(integration.id)?done=\(form["action"] == "remove" ? "unshared" : "shared")"
            )
        }
    }

    @Sendable func rotate(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let form = try await AuthorizeController.form(request)
        return try await withIntegration(request, context, ownerOnly: true) { viewer, integration in
            let grace = try (form["grace"]).flatMap { $0.isEmpty ? nil : try AdminOperations.parseDuration($0) }
            do {
                let rotation = try await admin(for: viewer, request, context).rotateToken(
                    integrationID: integration.id,
                    grace: grace
                )
                let ends =
                    rotation.oldTokensExpireAt.map { "The previous one stops working at \(Self.dateTime($0))." }
                    ?? "The previous one keeps working until you revoke it."
                return secretPage(
                    viewer,
                    integration: integration,
                    secret: rotation.token,
                    heading:
                        "New \(rotation.record.kind == .clientSecret ? "client secret" : "token") for \(integration.name)",
                    label: ends
                )
            } catch let error as AdminError where !error.integrationNotFound {
                return try await detailPage(viewer, integration, error: error.description)
            }
        }
    }

    @Sendable func confirmRevoke(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await confirmation(request, context, action: "revoke") { integration in
            Confirmation(
                heading: "Revoke every token of \(integration.name)?",
                consequence:
                    "All API calls using its tokens will fail at once, on every server. Revoked tokens cannot be recovered: you will have to rotate to get a new one.",
                button: "Revoke all tokens"
            )
        }
    }

    @Sendable func revoke(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withIntegration(request, context, ownerOnly: true) { viewer, integration in
            _ = try await admin(for: viewer, request, context).revokeTokens(integrationID: integration.id)
            return HTMLPages.redirect(to: "/console/integrations/\(integration.id)?done=revoked")
        }
    }

    @Sendable func confirmDelete(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await confirmation(request, context, action: "delete") { integration in
            Confirmation(
                heading: "Delete \(integration.name)?",
                consequence:
                    "All API calls will fail immediately. The integration, its tokens and its sharing are removed and cannot be recovered: you must create a new integration.",
                button: "Delete integration"
            )
        }
    }

    @Sendable func delete(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withIntegration(request, context, ownerOnly: true) { viewer, integration in
            try await admin(for: viewer, request, context).deleteIntegration(integration.id)
            return HTMLPages.redirect(to: "/console/integrations?done=deleted")
        }
    }

    // MARK: Building pages

    /// What a confirmation page says before an irreversible action.
    struct Confirmation {
        let heading: String
        let consequence: String
        let button: String
    }

    private func confirmation(
        _ request: Request,
        _ context: GatehouseRequestContext,
        action: String,
        _ text: (Integration) -> Confirmation
    ) async throws -> Response {
        try await withIntegration(request, context, ownerOnly: true) { viewer, integration in
            let confirmation = text(integration)
            return render(
                "console_confirm",
                confirmation.button,
                viewer,
                [
                    "id": integration.id, "heading": confirmation.heading, "consequence": confirmation.consequence,
                    "action": "/console/integrations/\(integration.id)/\(action)", "button": confirmation.button,
                ]
            )
        }
    }

    private func detailPage(
        _ viewer: Viewer,
        _ integration: Integration,
        notice: String? = nil,
        error: String? = nil
    ) async throws -> Response {
        let tokens = try await store.tokens(integrationID: integration.id)
        let shared = try await store.shares(integrationID: integration.id)
        let databases = try await store.databases(workspaceID: viewer.workspace.id)
        let pagesList = try await store.pages(workspaceID: viewer.workspace.id)
        let entries = ResourcePicker.entries(databases: databases, pages: pagesList)
        let today = DailyUsage.day(of: Date())
        let usage = try await store.dailyUsage(integrationIDs: [integration.id], sinceDay: today - 29)
        let total = usage.reduce(0) { $0 + $1.count }
        let limited = usage.filter { $0.status == "429" }.reduce(0) { $0 + $1.count }
        var owner = ""
        if let ownerID = integration.installation?.ownerUserID {
            owner = try await store.person(id: ownerID)?.name ?? "a former user"
        }
        let credential =
            integration.oauthClient != nil ? "Client secret" : integration.installation != nil ? "OAuth token" : "Token"
        var values: [String: Any] = [
            "id": integration.id, "name": integration.name, "kind": Self.kindLabel(integration),
            "capabilities": integration.capabilities.plainDescriptions,
            "credentialName": credential, "credentialNameLower": credential.lowercased(),
            "canRotate": viewer.isOwner && integration.installation == nil
                && (integration.kind == .internal || integration.oauthClient?.confidential == true),
            "tokens": tokens.reversed().map { token -> [String: Any] in
                [
                    "hint": token.displayHint, "status": CredentialJSON.status(token),
                    "created": Self.dateTime(token.createdAt),
                    "lastUsed": token.lastUsedAt.map(Self.dateTime) ?? "never",
                    "lastFrom": [token.lastUsedIP, token.lastUsedAgent].compactMap { $0 }.joined(separator: " · "),
                    "useCount": token.useCount,
                    "rotationDue": CredentialJSON.rotationDue(token, policyDays: rotationPolicyDays),
                    "expires": token.expiresAt.map(Self.dateTime) ?? "never",
                    "uses": token.maxUses.map { "\(token.uses) of \($0)" } ?? "no limit",
                ]
            },
            "shared": entries.filter { shared.contains(Self.id(of: $0)) }.map {
                ["value": $0.value, "title": $0.title, "kind": $0.kind, "integrationID": integration.id]
            },
            "shareable": entries.filter { !shared.contains(Self.id(of: $0)) }.map {
                ["value": $0.value, "title": $0.title, "kind": $0.kind]
            },
            "hasShareable": entries.contains { !shared.contains(Self.id(of: $0)) },
            "usageChart": UsageChart.svg(usage, today: today),
            "usageSummary": "\(total) requests in 30 days, \(limited) of them rate limited.",
            "scopes": routePolicy.entries(integration.scopes),
            "rateLimit": Self.plainDescription(integration.rateLimitOverride ?? ratePlans[viewer.workspace.plan]),
            "rateLimitSource": integration.rateLimitOverride == nil
                ? "the workspace's \(viewer.workspace.plan.rawValue) plan" : "its own limit, in place of the plan's",
        ]
        if let client = integration.oauthClient {
            values["clientID"] = client.clientID
            values["redirectURIs"] = client.redirectURIs
        }
        if integration.installation != nil {
            values["installedFrom"] = true
            values["ownerName"] = owner
        }
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return render("console_integration", integration.name, viewer, values)
    }

    /// `5 requests a second, bursts of 20, 1000 a day` (or `no daily quota`).
    static func plainDescription(_ plan: RatePlan) -> String {
        let rate =
            plan.requestsPerSecond == plan.requestsPerSecond.rounded()
            ? String(Int(plan.requestsPerSecond)) : String(plan.requestsPerSecond)
        let day = plan.dailyQuota.map { "\($0) a day" } ?? "no daily quota"
        return "\(rate) requests a second, bursts of \(plan.burst), \(day)"
    }

    private func secretPage(
        _ viewer: Viewer,
        integration: Integration,
        secret: String,
        heading: String,
        label: String
    ) -> Response {
        var values: [String: Any] = [
            "heading": heading, "secret": secret, "secretLabel": label, "integrationID": integration.id,
            "isInternal": integration.kind == .internal,
        ]
        if let client = integration.oauthClient { values["clientID"] = client.clientID }
        return render("console_secret", heading, viewer, values)
    }

    func render(_ template: String, _ title: String, _ viewer: Viewer, _ values: [String: Any]) -> Response {
        var all = values
        all["title"] = title
        all["section"] =
            template == "console_audit" ? "Audit log" : template == "console_security" ? "Security" : "Integrations"
        all["csrf"] = viewer.csrf
        all["userName"] = viewer.person.name
        all["workspaceName"] = viewer.workspace.name
        all["role"] = viewer.person.role.rawValue
        all["isOwner"] = viewer.isOwner
        return pages.render(template, all)
    }

    // MARK: Guards

    /// Runs `body` for the signed-in user (owners only when `ownerOnly`; a refusal is audited as
    /// `authorization.refused`); sends others to the sign-in page. Forms' CSRF tokens were checked
    /// by ``SessionMiddleware``.
    func withViewer(
        _ request: Request,
        _ context: GatehouseRequestContext,
        ownerOnly: Bool = false,
        _ body: (Viewer) async throws -> Response
    ) async throws -> Response {
        guard let session = context.session,
            let workspace = try await store.workspace(id: session.person.workspaceID)
        else { return HTMLPages.redirect(to: "/console/signin") }
        let viewer = Viewer(person: session.person, workspace: workspace, csrf: session.csrf)
        if ownerOnly, let refusal = await refusalUnlessOwner(viewer, request, context) { return refusal }
        return try await body(viewer)
    }

    /// The refusal of an owner-only action by a member (audited as `authorization.refused`), or
    /// `nil` for an owner.
    private func refusalUnlessOwner(
        _ viewer: Viewer,
        _ request: Request,
        _ context: GatehouseRequestContext
    ) async -> Response? {
        guard !viewer.isOwner else { return nil }
        await audit.record(
            "authorization.refused",
            actor: "user:\(viewer.person.id)",
            target: context.parameters.get("id").map { String($0.prefix(64)) },
            request: request,
            context: context,
            details: SessionAudit.place(of: request).merging(["required_role": "owner"]) { $1 }
        )
        return pages.error(
            title: "Only owners can do this",
            message: "Workspace members see integrations read-only. Ask an owner of \(viewer.workspace.name).",
            status: .forbidden
        )
    }

    private func withIntegration(
        _ request: Request,
        _ context: GatehouseRequestContext,
        ownerOnly: Bool = false,
        _ body: (Viewer, Integration) async throws -> Response
    ) async throws -> Response {
        // Another workspace's integration is "no such integration" before anything else, so that
        // its id is neither confirmed nor recorded in this workspace's audit log.
        try await withViewer(request, context) { viewer in
            guard let id = ResourceID.canonical(context.parameters.get("id") ?? ""),
                let integration = try await store.integration(id: id),
                integration.workspaceID == viewer.workspace.id
            else { return noSuchIntegration() }
            if ownerOnly, let refusal = await refusalUnlessOwner(viewer, request, context) { return refusal }
            do {
                return try await body(viewer, integration)
            } catch let error as AdminError where error.integrationNotFound {
                return noSuchIntegration()  // deleted while this request ran
            }
        }
    }

    private func noSuchIntegration() -> Response {
        pages.error(
            title: "No such integration",
            message: "It does not exist in your workspace (it may have been deleted).",
            status: .notFound
        )
    }

    /// The admin operations of a console request: the viewer is the actor, and the request's
    /// address, user agent and id are recorded with every event.
    private func admin(for viewer: Viewer, _ request: Request, _ context: GatehouseRequestContext) -> AdminOperations {
        let authenticator = self.authenticator
        return AdminOperations(
            store: store,
            clock: authenticator.clock,
            bcryptCost: bcryptCost,
            actor: "user:\(viewer.person.id)",
            origin: AuditOrigin(
                ip: context.clientIP,
                userAgent: request.clippedUserAgent,
                requestID: context.requestID
            ),
            onRevocation: { authenticator.apply($0) }
        )
    }

    // MARK: Formatting

    static let notices = [
        "revoked": "Every token of this integration is revoked: calls with them now fail.",
        "shared": "Shared. The integration can use it now.", "unshared": "No longer shared.",
        "deleted": "The integration is deleted; its tokens no longer work.",
    ]

    static func kindLabel(_ integration: Integration) -> String {
        integration.installation != nil ? "public (installed)" : integration.kind.rawValue
    }

    static func id(of entry: ResourcePicker.Entry) -> String {
        String(entry.value.split(separator: ":", maxSplits: 1).last ?? "")
    }

    static func date(_ date: Date) -> String { date.formatted(.iso8601.year().month().day()) }

    static func dateTime(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateTimeSeparator(.space).time(includingFractionalSeconds: false))
    }
}

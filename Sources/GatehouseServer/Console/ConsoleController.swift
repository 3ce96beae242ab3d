import Foundation
import GatehouseAdmin
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
///
/// This file holds the routes and what every page shares (the viewer, rendering, the guards);
/// each page is in a file of its own beside it: `ConsoleIntegrationsPage`, `ConsoleIntegrationPage`,
/// `ConsoleAuditPage`, `ConsoleSecurityPage`, `ConsoleWorkspacePages` (the read-only
/// workspace view), and the JSON of `ConsoleAPIController`.
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
        router.get("console/workspace", use: workspaceTree)
        router.get("console/workspace/pages/:id", use: workspacePage)
        router.get("console/workspace/databases/:id", use: workspaceDatabase)
    }

    /// The signed-in user of a console request.
    struct Viewer {
        let person: Person
        let workspace: Workspace
        let csrf: String
        var isOwner: Bool { person.role == .owner }
    }

    func render(_ template: String, _ title: String, _ viewer: Viewer, _ values: [String: Any]) -> Response {
        var all = values
        all["title"] = title
        all["section"] =
            switch template {
            case "console_audit": "Audit log"
            case "console_security": "Security"
            case _ where template.hasPrefix("console_workspace"): "Workspace"
            default: "Integrations"
            }
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
    func refusalUnlessOwner(
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

    func withIntegration(
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

    func noSuchIntegration() -> Response {
        pages.error(
            title: "No such integration",
            message: "It does not exist in your workspace (it may have been deleted).",
            status: .notFound
        )
    }

    /// The admin operations of a console request: the viewer is the actor, and the request's
    /// address, user agent and id are recorded with every event.
    func admin(for viewer: Viewer, _ request: Request, _ context: GatehouseRequestContext) -> AdminOperations {
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

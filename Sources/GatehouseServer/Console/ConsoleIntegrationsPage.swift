import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird

/// The console's list of integrations (`/console/integrations`) and the creation of new ones.
extension ConsoleController {
    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context) { viewer in
            let integrations = try await store.integrations(workspaceID: viewer.workspace.id)
            let now = authenticator.clock.now()
            let today = DailyUsage.day(of: now)
            let usage = try await store.dailyUsage(integrationIDs: integrations.map(\.id), sinceDay: today)
            let tokensByIntegration = try await store.tokens(integrationIDs: integrations.map(\.id))
            var rows: [[String: Any]] = []
            for integration in integrations {
                let tokens = tokensByIntegration[integration.id] ?? []
                let live = tokens.filter { CredentialJSON.status($0, at: now) == "active" }
                let newest = live.last ?? tokens.last
                rows.append([
                    "id": integration.id, "name": integration.name, "kind": Self.kindLabel(integration),
                    "capabilities": integration.capabilities.names(joinedBy: ", "),
                    "tokenHint": newest?.displayHint ?? "—",
                    "rotationDue": live.contains {
                        CredentialJSON.rotationDue($0, at: now, policyDays: rotationPolicyDays)
                    },
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
}

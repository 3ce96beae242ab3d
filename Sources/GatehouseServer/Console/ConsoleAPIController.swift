import Foundation
import GatehouseCore
import GatehouseStore
import Hummingbird

/// The monitoring API behind the web console: `GET /console/api/integrations` lists the signed-in
/// owner's workspace integrations with every credential's status, age, last use (time, IP, user
/// agent) and request count. Read-only; authenticated by the browser session.
struct ConsoleAPIController {
    let audit: SessionAudit
    let store: any Store
    let clock: any WallClock
    let rotationPolicyDays: Int

    func addRoutes(to router: some RouterMethods<GatehouseRequestContext>) {
        router.get("console/api/integrations", use: integrations)
    }

    @Sendable func integrations(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        guard let person = context.session?.person else {
            throw APIError(status: 401, code: "unauthorized", message: "Sign in to the console first.")
        }
        guard person.role == .owner else {
            await audit.record(
                "authorization.refused",
                actor: "user:\(person.id)",
                request: request,
                context: context,
                details: SessionAudit.place(of: request).merging(["required_role": "owner"]) { $1 }
            )
            throw APIError(
                status: 403,
                code: "restricted_resource",
                message: "Only workspace owners can see the workspace's integrations."
            )
        }
        let now = clock.now()
        var results: [JSONValue] = []
        let integrations = try await store.integrations(workspaceID: person.workspaceID)
        let tokensByIntegration = try await store.tokens(integrationIDs: integrations.map(\.id))
        let sharesByIntegration = try await store.shares(integrationIDs: integrations.map(\.id))
        for integration in integrations {
            let tokens = tokensByIntegration[integration.id] ?? []
            let shares = sharesByIntegration[integration.id] ?? []
            var members: [(String, JSONValue)] = [
                ("id", .string(integration.id)), ("name", .string(integration.name)),
                ("kind", .string(integration.kind.rawValue)), ("bot_id", .string(integration.botID)),
                ("capabilities", .array(integration.capabilities.names.map(JSONValue.string))),
                ("scopes", .array(integration.scopes.names.map(JSONValue.string))),
                ("rate_limit", integration.rateLimitOverride.map { .string($0.compactDescription) } ?? .null),
                ("created_at", CredentialJSON.time(integration.createdAt)),
                ("shared_resource_ids", .array(shares.sorted().map(JSONValue.string))),
                ("request_count", .number(Double(tokens.reduce(0) { $0 + $1.useCount }))),
                (
                    "last_used_at",
                    CredentialJSON.time(tokens.compactMap(\.lastUsedAt).max())
                ),
                (
                    "tokens",
                    .array(
                        tokens.map { CredentialJSON.token($0, at: now, rotationPolicyDays: rotationPolicyDays) }
                    )
                ),
            ]
            if let client = integration.oauthClient { members.append(("client_id", .string(client.clientID))) }
            if let installation = integration.installation {
                members.append(("installed_from", .string(installation.appID)))
            }
            results.append(.object(members))
        }
        return JSONResponse.ok(
            [
                "object": "list", "results": .array(results),
                "rotation_policy_days": .number(Double(rotationPolicyDays)),
            ],
            requestID: context.requestID
        )
    }
}

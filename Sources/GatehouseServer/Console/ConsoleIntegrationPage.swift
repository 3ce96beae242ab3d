import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird

/// One integration's console page (`/console/integrations/:id`): capabilities, scopes, limits,
/// usage, credentials, sharing and webhook subscriptions, and the owner's actions on it (share, rotate, revoke, delete),
/// each irreversible one behind a confirmation page.
extension ConsoleController {
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

    func confirmation(
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

    func detailPage(
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
        let now = authenticator.clock.now()
        let today = DailyUsage.day(of: now)
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
                    "hint": token.displayHint, "status": CredentialJSON.status(token, at: now),
                    "created": Self.dateTime(token.createdAt),
                    "lastUsed": token.lastUsedAt.map(Self.dateTime) ?? "never",
                    "lastFrom": [token.lastUsedIP, token.lastUsedAgent].compactMap { $0 }.joined(separator: " · "),
                    "useCount": token.useCount,
                    "rotationDue": CredentialJSON.rotationDue(token, at: now, policyDays: rotationPolicyDays),
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
            if let address = client.registeredFrom {
                // Members learn that it registered itself; owners also see from where.
                values["selfRegistered"] = true
                if viewer.isOwner { values["registeredFrom"] = address }
            }
        }
        if integration.installation != nil {
            values["installedFrom"] = true
            values["ownerName"] = owner
        }
        if integration.installation == nil {
            // An installation's subscriptions are its public integration's, another workspace's.
            values["webhooks"] = try await webhookRows(of: integration, fullURLs: viewer.isOwner)
            values["showsWebhooks"] = true
        }
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return render("console_integration", integration.name, viewer, values)
    }

    /// The integration's webhook subscriptions, each with its five latest deliveries. URLs lose
    /// their query, which may carry a secret; with `fullURLs` false (a member), their path too.
    private func webhookRows(of integration: Integration, fullURLs: Bool) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for subscription in try await store.webhookSubscriptions(integrationID: integration.id) {
            let deliveries = try await store.webhookDeliveries(subscriptionID: subscription.id, limit: 5)
            var url = URLComponents(string: subscription.url)
            url?.query = nil
            let shown =
                fullURLs
                ? url?.string ?? ""
                : "\(url?.scheme ?? "")://\(url?.host ?? "")\(url?.port.map { ":\($0)" } ?? "")/…"
            rows.append([
                "id": subscription.id, "url": shown, "status": subscription.status.rawValue,
                "events": subscription.eventTypes.isEmpty
                    ? "all events" : subscription.eventTypes.map(\.rawValue).joined(separator: ", "),
                "apiVersion": subscription.apiVersion,
                "deliveries": deliveries.map { delivery -> [String: Any] in
                    [
                        "type": delivery.eventType, "status": delivery.status.rawValue, "attempts": delivery.attempts,
                        "outcome": delivery.lastOutcome ?? "not sent yet", "created": Self.dateTime(delivery.createdAt),
                    ]
                },
            ])
        }
        return rows
    }

    /// `5 requests a second, bursts of 20, 1000 a day` (or `no daily quota`).
    static func plainDescription(_ plan: RatePlan) -> String {
        let rate =
            plan.requestsPerSecond == plan.requestsPerSecond.rounded()
            ? String(Int(plan.requestsPerSecond)) : String(plan.requestsPerSecond)
        let day = plan.dailyQuota.map { "\($0) a day" } ?? "no daily quota"
        return "\(rate) requests a second, bursts of \(plan.burst), \(day)"
    }

    func secretPage(
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
}

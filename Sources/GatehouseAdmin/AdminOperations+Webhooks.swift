import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// Webhook subscriptions, managed as Notion's integration settings manage them: created for a
/// URL (the server then posts it a verification token), verified with that token, paused,
/// resumed, re-verified and deleted. Each change is audited.
extension AdminOperations {
    /// Creates a subscription of an internal or public integration (not an installation: a
    /// public integration's subscription hears from every workspace that installed it). The
    /// server posts the verification token to the URL within a second or so.
    public func createWebhookSubscription(
        integrationID: String,
        url: String,
        eventTypes: [WebhookEventType],
        apiVersion: String? = nil
    ) async throws -> WebhookSubscription {
        let integration = try await integration(integrationID)
        guard integration.installation == nil else {
            throw AdminError(
                "'\(integrationID.prefix(64))' is an installation: subscribe its public integration (\(integration.installation!.appID)) instead"
            )
        }
        let target: URL
        let version = apiVersion ?? WebhookSubscription.apiVersions.last!
        do {
            target = try WebhookTargetURL.validated(url)
            guard WebhookSubscription.apiVersions.contains(version) else {
                throw WebhookSubscriptionError.unknownAPIVersion(version)
            }
        } catch let error as WebhookSubscriptionError {
            throw AdminError(error.description)
        }
        let now = clock.now()
        let subscription = WebhookSubscription(
            id: UUIDv4.string(),
            integrationID: integration.id,
            url: target.absoluteString,
            eventTypes: eventTypes,
            apiVersion: version,
            status: .pending,
            createdAt: now
        )
        let event = event(
            "webhook.created",
            target: subscription.id,
            workspaceID: integration.workspaceID,
            details: [
                "integration_id": integration.id, "url": Self.withoutQuery(target),
                "events": eventTypes.isEmpty ? "all" : eventTypes.map(\.rawValue).joined(separator: ","),
            ]
        )
        try await store.atomically { store in
            try await store.createWebhookSubscription(
                subscription,
                verification: Self.verification(of: subscription.id, at: now)
            )
            try await store.appendEvent(event)
        }
        return subscription
    }

    public func webhookSubscription(_ id: String) async throws -> WebhookSubscription {
        guard let subscription = try await store.webhookSubscription(id: id) else {
            throw AdminError("no webhook subscription with id '\(id.prefix(64))'")
        }
        return subscription
    }

    public func webhookSubscriptions(integrationID: String?) async throws -> [WebhookSubscription] {
        try await store.webhookSubscriptions(integrationID: integrationID)
    }

    /// The subscription's latest deliveries, newest first.
    public func webhookDeliveries(subscriptionID: String, limit: Int = 20) async throws -> [WebhookDelivery] {
        _ = try await webhookSubscription(subscriptionID)
        return try await store.webhookDeliveries(subscriptionID: subscriptionID, limit: limit)
    }

    /// Activates a subscription given the token the server posted to its URL; a wrong token is
    /// refused (and audited as a failure), leaving the subscription as it was.
    public func verifyWebhookSubscription(_ id: String, token: String) async throws -> WebhookSubscription {
        let subscription = try await webhookSubscription(id)
        let integration = try await store.integration(id: subscription.integrationID)
        guard let digest = subscription.tokenDigest, WebhookVerificationToken.matches(token, digest: digest) else {
            var failed = event("webhook.verified", target: id, workspaceID: integration?.workspaceID)
            failed.outcome = "failure"
            try await store.appendEvent(failed)
            throw AdminError(
                subscription.tokenDigest == nil
                    ? "the verification request has not been sent yet: wait for it (`gatehouse webhook show \(id)`)"
                    : WebhookSubscriptionError.wrongToken.description
            )
        }
        return try await setStatus(id, .active, action: "webhook.verified", workspaceID: integration?.workspaceID)
    }

    /// Stops a verified subscription's deliveries (events meanwhile are not queued for it);
    /// ``resumeWebhookSubscription(_:)`` starts them again.
    public func pauseWebhookSubscription(_ id: String) async throws -> WebhookSubscription {
        let subscription = try await webhookSubscription(id)
        guard subscription.status == .active else { throw AdminError("only an active subscription can be paused") }
        return try await setStatus(id, .paused, action: "webhook.paused", workspaceID: nil)
    }

    public func resumeWebhookSubscription(_ id: String) async throws -> WebhookSubscription {
        let subscription = try await webhookSubscription(id)
        guard subscription.status == .paused else { throw AdminError("only a paused subscription can be resumed") }
        return try await setStatus(id, .active, action: "webhook.resumed", workspaceID: nil)
    }

    /// Forgets the verification token and has the server post a new one: the subscription is
    /// pending until verified again (Notion's "Resend token", and how a token is rotated).
    public func resendWebhookVerification(_ id: String) async throws -> WebhookSubscription {
        let subscription = try await webhookSubscription(id)
        let event = event("webhook.verification_resent", target: id)
        let sent = try await store.atomically { store in
            guard
                try await store.resendWebhookVerification(
                    subscriptionID: id,
                    verification: Self.verification(of: id, at: self.clock.now())
                )
            else { return false }
            try await store.appendEvent(event)
            return true
        }
        guard sent else { throw AdminError("no webhook subscription with id '\(id.prefix(64))'") }
        var pending = subscription
        pending.status = .pending
        pending.sealedToken = nil
        pending.tokenDigest = nil
        pending.verifiedAt = nil
        return pending
    }

    public func deleteWebhookSubscription(_ id: String) async throws {
        _ = try await webhookSubscription(id)
        let event = event("webhook.deleted", target: id)
        let deleted = try await store.atomically { store in
            guard try await store.deleteWebhookSubscription(id: id) else { return false }
            try await store.appendEvent(event)
            return true
        }
        guard deleted else { throw AdminError("no webhook subscription with id '\(id.prefix(64))'") }
    }

    private func setStatus(
        _ id: String,
        _ status: WebhookSubscription.Status,
        action: String,
        workspaceID: String?
    ) async throws -> WebhookSubscription {
        let now = clock.now()
        let event = event(action, target: id, workspaceID: workspaceID)
        let changed = try await store.atomically { store in
            let changed = try await store.setWebhookSubscriptionStatus(id: id, status, at: now)
            if changed != nil { try await store.appendEvent(event) }
            return changed
        }
        guard let changed else { throw AdminError("no webhook subscription with id '\(id.prefix(64))'") }
        return changed
    }

    private static func verification(of subscriptionID: String, at time: Date) -> WebhookDelivery {
        WebhookDelivery(
            subscriptionID: subscriptionID,
            eventID: subscriptionID,
            eventType: WebhookDelivery.verification,
            body: "{}",
            nextAttemptAt: time,
            createdAt: time
        )
    }

    /// The URL as the audit log shows it: without a query, which may carry a secret.
    private static func withoutQuery(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "" }
        components.query = nil
        return components.string ?? ""
    }
}

import Foundation
import GatehouseContent
import GatehouseCore

/// Webhook subscriptions, the events recorded for them (an outbox written in the transaction of
/// the change it reports) and their deliveries.
public protocol WebhookStore: Sendable {
    /// Creates the subscription with its verification request, due at once.
    func createWebhookSubscription(_ subscription: WebhookSubscription, verification: WebhookDelivery) async throws
    func webhookSubscription(id: String) async throws -> WebhookSubscription?
    /// Every subscription, or those of one integration, oldest first.
    func webhookSubscriptions(integrationID: String?) async throws -> [WebhookSubscription]
    /// Sets the status (and, on the first activation, the verification time); the subscription
    /// as stored then, or `nil` when there is none.
    func setWebhookSubscriptionStatus(
        id: String,
        _ status: WebhookSubscription.Status,
        at time: Date
    ) async throws -> WebhookSubscription?
    /// Keeps the verification token the server made, unless one is kept already (another node
    /// made it first); the subscription as stored then.
    func setWebhookToken(subscriptionID: String, sealed: String, digest: String) async throws -> WebhookSubscription?
    /// Forgets the verification token and queues a new verification request (the server makes a
    /// new token for it; the subscription goes back to `pending`); `false` when there is no such
    /// subscription.
    func resendWebhookVerification(subscriptionID: String, verification: WebhookDelivery) async throws -> Bool
    /// Deletes the subscription and its deliveries; whether it existed.
    func deleteWebhookSubscription(id: String) async throws -> Bool

    /// Records the event for fan-out when a subscription of an integration of its workspace (or
    /// of the public integration it installs) is active; otherwise nothing: a workspace no one
    /// listens to pays two indexed reads.
    func recordWebhookEvent(_ event: WebhookEvent) async throws
    /// Up to `limit` recorded events, oldest first: aggregated ones that occurred at or before
    /// `aggregatedBefore`, the others whenever.
    func recordedWebhookEvents(aggregatedBefore: Date, limit: Int) async throws -> [WebhookEvent]
    /// Removes the events with these ids and queues `deliveries`, in one transaction; `false`
    /// (and nothing done) when another node took any of these events first.
    func fanOutWebhookEvents(ids: [String], deliveries: [WebhookDelivery]) async throws -> Bool

    /// Claims up to `limit` pending deliveries due at `now` for `lease` (another node skips them
    /// meanwhile), oldest first: verification requests, and the deliveries of active
    /// subscriptions (a paused one's wait, untouched).
    func claimWebhookDeliveries(dueAt now: Date, lease: TimeInterval, limit: Int) async throws -> [WebhookDelivery]
    /// Records an attempt's outcome — `delivery`'s attempts, status, next attempt and outcome —
    /// and releases the claim; `false` (nothing recorded) when the delivery is no longer held by
    /// `delivery.claim` (its lease ran out and another node took it).
    @discardableResult
    func recordWebhookAttempt(_ delivery: WebhookDelivery) async throws -> Bool
    /// The subscription's latest deliveries, newest first.
    func webhookDeliveries(subscriptionID: String, limit: Int) async throws -> [WebhookDelivery]
}

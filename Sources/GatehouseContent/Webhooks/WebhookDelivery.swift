import Foundation
import GatehouseCore

/// One event (or a subscription's verification request) on its way to one subscription's URL,
/// with what became of each attempt.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Waiting for its next attempt.
        case pending
        /// Acknowledged with a 2xx.
        case delivered
        /// Every attempt failed, or the subscription's address was refused.
        case failed
    }

    /// What ``eventType`` holds for a verification request.
    public static let verification = "verification"

    public var id: String
    public var subscriptionID: String
    /// The event's id (the subscription's own id for a verification request).
    public var eventID: String
    /// The event's type as the subscription knows it, or ``verification``.
    public var eventType: String
    /// The body as first sent, JSON text with `attempt_number` 1 (``WebhookEnvelope/attempt(_:of:)``
    /// makes a later attempt's); `{}` for a verification request, whose body holds the token and
    /// is made when it is sent. Kept as text so every attempt sends the same members in the same
    /// order.
    public var body: String
    /// Attempts made so far.
    public var attempts: Int
    public var status: Status
    public var nextAttemptAt: Date
    /// What the last attempt met (`HTTP 500`, `timed out`, …); `nil` before the first.
    public var lastOutcome: String?
    public var createdAt: Date
    public var finishedAt: Date?
    /// Which claim holds it while an attempt is made (``nil`` when none): an attempt's outcome is
    /// recorded only under the claim it was made with, so a node whose lease ran out cannot
    /// overwrite what the node that took over recorded.
    public var claim: String?

    public init(
        id: String = UUIDv4.string(),
        subscriptionID: String,
        eventID: String,
        eventType: String,
        body: String,
        attempts: Int = 0,
        status: Status = .pending,
        nextAttemptAt: Date,
        lastOutcome: String? = nil,
        createdAt: Date,
        finishedAt: Date? = nil,
        claim: String? = nil
    ) {
        self.claim = claim
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventID = eventID
        self.eventType = eventType
        self.body = body
        self.attempts = attempts
        self.status = status
        self.nextAttemptAt = nextAttemptAt
        self.lastOutcome = lastOutcome
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

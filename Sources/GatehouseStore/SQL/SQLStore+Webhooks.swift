import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``WebhookStore``: `webhook_subscriptions`, the `webhook_events` outbox and
/// `webhook_deliveries`.
extension SQLStore {
    public func createWebhookSubscription(
        _ subscription: WebhookSubscription,
        verification: WebhookDelivery
    ) async throws {
        try await transaction { database in
            try await database.raw(
                """
                INSERT INTO webhook_subscriptions (id, integration_id, url, sealed_token, token_digest, event_types, api_version, status, created_at, verified_at)
                VALUES (\(bind: subscription.id), \(bind: subscription.integrationID), \(bind: subscription.url), \(bind: subscription.sealedToken), \(bind: subscription.tokenDigest), \(bind: subscription.eventTypes.map(\.rawValue).joined(separator: ",")), \(bind: subscription.apiVersion), \(bind: subscription.status.rawValue), \(bind: subscription.createdAt.epochMilliseconds), \(bind: subscription.verifiedAt?.epochMilliseconds))
                """
            ).run()
            try await Self.insertDeliveries([verification], in: database)
        }
    }

    public func webhookSubscription(id: String) async throws -> WebhookSubscription? {
        try await read { database in
            try await database.raw("SELECT * FROM webhook_subscriptions WHERE id = \(bind: id)").first()
                .map(Self.webhookSubscription)
        }
    }

    public func webhookSubscriptions(integrationID: String?) async throws -> [WebhookSubscription] {
        try await read { database in
            var query: SQLQueryString = "SELECT * FROM webhook_subscriptions"
            if let integrationID { query = query + " WHERE integration_id = \(bind: integrationID)" }
            return try await database.raw(query + " ORDER BY created_at, id").all().map(Self.webhookSubscription)
        }
    }

    public func setWebhookSubscriptionStatus(
        id: String,
        _ status: WebhookSubscription.Status,
        at time: Date
    ) async throws -> WebhookSubscription? {
        try await transaction { database in
            let verifiedAt: Int64? = status == .active ? time.epochMilliseconds : nil
            try await database.raw(
                """
                UPDATE webhook_subscriptions SET status = \(bind: status.rawValue),
                    verified_at = COALESCE(verified_at, \(bind: verifiedAt))
                WHERE id = \(bind: id)
                """
            ).run()
            return try await database.raw("SELECT * FROM webhook_subscriptions WHERE id = \(bind: id)").first()
                .map(Self.webhookSubscription)
        }
    }

    public func setWebhookToken(
        subscriptionID: String,
        sealed: String,
        digest: String
    ) async throws
        -> WebhookSubscription?
    {
        try await transaction { database in
            try await database.raw(
                """
                UPDATE webhook_subscriptions SET sealed_token = \(bind: sealed), token_digest = \(bind: digest)
                WHERE id = \(bind: subscriptionID) AND sealed_token IS NULL
                """
            ).run()
            return try await database.raw("SELECT * FROM webhook_subscriptions WHERE id = \(bind: subscriptionID)")
                .first().map(Self.webhookSubscription)
        }
    }

    public func resendWebhookVerification(subscriptionID: String, verification: WebhookDelivery) async throws -> Bool {
        try await transaction { database in
            let updated = try await database.raw(
                """
                UPDATE webhook_subscriptions SET sealed_token = NULL, token_digest = NULL, status = 'pending', verified_at = NULL
                WHERE id = \(bind: subscriptionID) RETURNING id
                """
            ).all()
            guard !updated.isEmpty else { return false }
            // The requests carrying the old token would not prove anything any more.
            try await database.raw(
                "DELETE FROM webhook_deliveries WHERE subscription_id = \(bind: subscriptionID) AND event_type = 'verification' AND status = 'pending'"
            ).run()
            try await Self.insertDeliveries([verification], in: database)
            return true
        }
    }

    public func deleteWebhookSubscription(id: String) async throws -> Bool {
        try await transaction { database in
            try await database.raw("DELETE FROM webhook_deliveries WHERE subscription_id = \(bind: id)").run()
            return try await !database.raw("DELETE FROM webhook_subscriptions WHERE id = \(bind: id) RETURNING id")
                .all().isEmpty
        }
    }

    public func recordWebhookEvent(_ event: WebhookEvent) async throws {
        let authors = String(decoding: JSONValue.array(event.authors.map(\.json)).serialized(), as: UTF8.self)
        let data = String(decoding: event.data.serialized(), as: UTF8.self)
        try await write { database in
            try await database.raw(
                """
                INSERT INTO webhook_events (id, workspace_id, type, aggregated, entity_type, entity_id, subject_kind, subject_id, authors, data, occurred_at)
                SELECT \(bind: event.id), \(bind: event.workspaceID), \(bind: event.type.rawValue), \(bind: event.type.isAggregated), \(bind: event.entity.type), \(bind: event.entity.id), \(bind: event.subjectKind), \(bind: event.subjectID), \(bind: authors), \(bind: data), \(bind: event.occurredAt.epochMilliseconds)
                WHERE EXISTS (
                    SELECT 1 FROM integrations i JOIN webhook_subscriptions s ON s.integration_id = i.id
                    WHERE i.workspace_id = \(bind: event.workspaceID) AND s.status = 'active'
                ) OR EXISTS (
                    SELECT 1 FROM integrations i JOIN webhook_subscriptions s ON s.integration_id = i.installed_from
                    WHERE i.workspace_id = \(bind: event.workspaceID) AND s.status = 'active'
                )
                """
            ).run()
        }
    }

    public func recordedWebhookEvents(aggregatedBefore: Date, limit: Int) async throws -> [WebhookEvent] {
        try await read { database in
            try await database.raw(
                """
                SELECT * FROM webhook_events
                WHERE aggregated = \(bind: false) OR occurred_at <= \(bind: aggregatedBefore.epochMilliseconds)
                ORDER BY occurred_at, id LIMIT \(bind: limit)
                """
            ).all().map(Self.webhookEvent)
        }
    }

    public func fanOutWebhookEvents(ids: [String], deliveries: [WebhookDelivery]) async throws -> Bool {
        guard !ids.isEmpty else { return true }
        do {
            return try await transaction { database in
                let list = SQLList(ids.map { SQLBind($0) })
                let removed = try await database.raw(
                    "DELETE FROM webhook_events WHERE id IN (\(list)) RETURNING id"
                ).all()
                guard removed.count == ids.count else { throw FanOutRace() }
                try await Self.insertDeliveries(deliveries, in: database)
                return true
            }
        } catch is FanOutRace {
            return false
        }
    }

    public func claimWebhookDeliveries(
        dueAt now: Date,
        lease: TimeInterval,
        limit: Int
    ) async throws -> [WebhookDelivery] {
        let claim = UUIDv4.string()
        let nowMilliseconds = now.epochMilliseconds
        // Due, not held by another claim, and of an active subscription (a paused one's wait,
        // untouched, until it is resumed) or a verification request.
        let due: SQLQueryString = """
            status = 'pending' AND next_attempt_at <= \(bind: nowMilliseconds)
                AND (claimed_until IS NULL OR claimed_until < \(bind: nowMilliseconds))
                AND (event_type = 'verification' OR subscription_id IN (SELECT id FROM webhook_subscriptions WHERE status = 'active'))
            """
        // Most rounds find nothing due: a read answers them, with no write transaction.
        let anyDue = try await read { database in
            try await database.raw("SELECT id FROM webhook_deliveries WHERE " + due + " LIMIT 1").first() != nil
        }
        guard anyDue else { return [] }
        return try await transaction { database in
            let claiming: SQLQueryString =
                "UPDATE webhook_deliveries SET claim = \(bind: claim), claimed_until = \(bind: now.addingTimeInterval(lease).epochMilliseconds)"
                + " WHERE id IN (SELECT id FROM webhook_deliveries WHERE " + due
                + " ORDER BY next_attempt_at, id LIMIT \(bind: limit))"
                + " AND (claimed_until IS NULL OR claimed_until < \(bind: nowMilliseconds)) RETURNING *"
            return try await database.raw(claiming).all().map(Self.webhookDelivery)
                .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
        }
    }

    public func recordWebhookAttempt(_ delivery: WebhookDelivery) async throws -> Bool {
        guard let claim = delivery.claim else { return false }
        return try await write { database in
            try await !database.raw(
                """
                UPDATE webhook_deliveries SET attempts = \(bind: delivery.attempts), status = \(bind: delivery.status.rawValue),
                    next_attempt_at = \(bind: delivery.nextAttemptAt.epochMilliseconds), last_outcome = \(bind: delivery.lastOutcome),
                    finished_at = \(bind: delivery.finishedAt?.epochMilliseconds), claim = NULL, claimed_until = NULL
                WHERE id = \(bind: delivery.id) AND claim = \(bind: claim) RETURNING id
                """
            ).all().isEmpty
        }
    }

    public func webhookDeliveries(subscriptionID: String, limit: Int) async throws -> [WebhookDelivery] {
        try await read { database in
            try await database.raw(
                """
                SELECT * FROM webhook_deliveries WHERE subscription_id = \(bind: subscriptionID)
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """
            ).all().map(Self.webhookDelivery)
        }
    }

    private struct FanOutRace: Error {}

    static func insertDeliveries(_ deliveries: [WebhookDelivery], in database: any SQLDatabase) async throws {
        for delivery in deliveries {
            try await database.raw(
                """
                INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, body, attempts, status, next_attempt_at, last_outcome, created_at, finished_at)
                VALUES (\(bind: delivery.id), \(bind: delivery.subscriptionID), \(bind: delivery.eventID), \(bind: delivery.eventType), \(bind: delivery.body), \(bind: delivery.attempts), \(bind: delivery.status.rawValue), \(bind: delivery.nextAttemptAt.epochMilliseconds), \(bind: delivery.lastOutcome), \(bind: delivery.createdAt.epochMilliseconds), \(bind: delivery.finishedAt?.epochMilliseconds))
                """
            ).run()
        }
    }

    static func webhookSubscription(_ row: any SQLRow) throws -> WebhookSubscription {
        let types = try row.decode(column: "event_types", as: String.self)
        return WebhookSubscription(
            id: try row.decode(column: "id", as: String.self),
            integrationID: try row.decode(column: "integration_id", as: String.self),
            url: try row.decode(column: "url", as: String.self),
            sealedToken: try row.decode(column: "sealed_token", as: String?.self),
            tokenDigest: try row.decode(column: "token_digest", as: String?.self),
            eventTypes: types.split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) },
            apiVersion: try row.decode(column: "api_version", as: String.self),
            status: try enumValue(row, "status"),
            createdAt: try date(row, "created_at"),
            verifiedAt: try optionalDate(row, "verified_at")
        )
    }

    static func webhookEvent(_ row: any SQLRow) throws -> WebhookEvent {
        let authors = try JSONValue.parse(Data(try row.decode(column: "authors", as: String.self).utf8))
        let authorList: [WebhookAuthor] =
            if case .array(let items) = authors {
                items.compactMap { item in
                    guard let id = item["id"]?.stringValue, let type = item["type"]?.stringValue else { return nil }
                    return WebhookAuthor(id: id, type: type)
                }
            } else { [] }
        return WebhookEvent(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            type: try enumValue(row, "type"),
            entity: WebhookEntity(
                type: try row.decode(column: "entity_type", as: String.self),
                id: try row.decode(column: "entity_id", as: String.self)
            ),
            subjectKind: try row.decode(column: "subject_kind", as: String.self),
            subjectID: try row.decode(column: "subject_id", as: String.self),
            authors: authorList,
            data: try JSONValue.parse(Data(try row.decode(column: "data", as: String.self).utf8)),
            occurredAt: try date(row, "occurred_at")
        )
    }

    static func webhookDelivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.decode(column: "id", as: String.self),
            subscriptionID: try row.decode(column: "subscription_id", as: String.self),
            eventID: try row.decode(column: "event_id", as: String.self),
            eventType: try row.decode(column: "event_type", as: String.self),
            body: try row.decode(column: "body", as: String.self),
            attempts: try row.decode(column: "attempts", as: Int.self),
            status: try enumValue(row, "status"),
            nextAttemptAt: try date(row, "next_attempt_at"),
            lastOutcome: try row.decode(column: "last_outcome", as: String?.self),
            createdAt: try date(row, "created_at"),
            finishedAt: try optionalDate(row, "finished_at"),
            claim: try row.decode(column: "claim", as: String?.self)
        )
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Logging
import ServiceLifecycle
import Synchronization

/// A background service, on every node, that fans recorded webhook events out to the
/// subscriptions whose integration may see them and delivers what is due.
///
/// Fan-out: the events (aggregated ones once ``WebhookSettings/aggregationWindow`` old) are
/// merged as Notion aggregates them, each checked per listening integration (the capability its
/// type needs and the sharing of its page, data source or database, as a request would be),
/// given its parent as it is now, and turned into one delivery per subscription; taking the
/// events and queueing the deliveries is one transaction, so of two nodes only one does it.
/// Delivery: due deliveries are claimed for a minute, posted signed, and recorded: delivered,
/// due again by the retry schedule, or failed after its last attempt.
struct WebhookDispatcher: Service {
    let store: any Store
    let clock: any WallClock
    let sealing: SealingKey
    let sender: WebhookSender
    let settings: WebhookSettings
    /// Where attempts are counted (`nil`: nowhere).
    var metrics: ServerMetrics? = nil
    let logger: Logger

    /// Events fanned out in one round, and deliveries claimed (and so in flight) at once.
    static let fanOutBatch = 500
    static let deliveryBatch = 20
    /// The fewest free places worth a claim while attempts are in flight.
    static let claimAtLeast = 5

    /// Rounds until the server stops: each fans out what was recorded and tops the attempts in
    /// flight back up to
    /// ``deliveryBatch``, so a slow receiver holds one of them, not the others' turns. With fewer
    /// than ``claimAtLeast`` places free, the next round starts as soon as an attempt ends.
    func run() async throws {
        let inFlight = InFlight()
        let (ended, attemptEnded) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var endings = ended.makeAsyncIterator()
                while !Task.isCancelled {
                    var fanOutFull = false
                    do {
                        fanOutFull = try await fanOut() == Self.fanOutBatch
                    } catch {
                        logger.warning("webhook events could not be fanned out", metadata: ["error": "\(error)"])
                    }
                    // Places are claimed a few at a time: one claim (a write) per place freed
                    // would cost the writes of the API more than it gains.
                    let free = Self.deliveryBatch - inFlight.count
                    guard free >= Self.claimAtLeast else {
                        _ = await endings.next()
                        continue
                    }
                    var claimedAll = false
                    do {
                        let claimed = try await store.claimWebhookDeliveries(dueAt: clock.now(), lease: 60, limit: free)
                        for delivery in claimed {
                            inFlight.change(by: 1)
                            group.addTask {
                                await deliver(delivery)
                                inFlight.change(by: -1)
                                attemptEnded.yield()
                            }
                        }
                        claimedAll = claimed.count == free
                    } catch {
                        logger.warning("webhook deliveries could not be claimed", metadata: ["error": "\(error)"])
                    }
                    if !fanOutFull, !claimedAll { try? await Task.sleep(for: settings.interval) }
                }
                attemptEnded.finish()
            }
        }
        await sender.shutdown()
    }

    /// How many attempts are in flight.
    private final class InFlight: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func change(by delta: Int) { value.withLock { $0 += delta } }
    }

    /// One round, the attempts awaited (tests drive the dispatcher with it): fan out what was
    /// recorded, then deliver what is due; whether either step took a full batch.
    @discardableResult
    func runOnce() async -> Bool {
        var busy = false
        do {
            busy = try await fanOut() == Self.fanOutBatch
        } catch {
            logger.warning("webhook events could not be fanned out", metadata: ["error": "\(error)"])
        }
        do {
            busy = try await deliverDue() == Self.deliveryBatch || busy
        } catch {
            logger.warning("webhook deliveries could not be claimed", metadata: ["error": "\(error)"])
        }
        return busy
    }

    // MARK: Fan-out

    /// Fans out what was recorded; how many events it took.
    @discardableResult
    func fanOut() async throws -> Int {
        let now = clock.now()
        let events = try await store.recordedWebhookEvents(
            aggregatedBefore: now.addingTimeInterval(-settings.aggregationWindow),
            limit: Self.fanOutBatch
        )
        guard !events.isEmpty else { return 0 }
        let subscriptions = try await store.webhookSubscriptions(integrationID: nil).filter { $0.status == .active }
        var deliveries: [WebhookDelivery] = []
        var parents = ParentCache(store: store)
        for (workspaceID, recorded) in Dictionary(grouping: events, by: \.workspaceID) {
            guard !subscriptions.isEmpty, let workspace = try await store.workspace(id: workspaceID) else { continue }
            for integration in try await store.integrations(workspaceID: workspaceID) {
                let listening = subscriptions.filter {
                    $0.integrationID == integration.id || $0.integrationID == integration.installation?.appID
                }
                guard !listening.isEmpty else { continue }
                var visible: [WebhookEvent] = []
                for event in recorded where try await mayTell(integration, about: event) {
                    visible.append(event)
                }
                for var event in WebhookAggregation.merge(visible) {
                    if let parent = try await parents.parent(of: event.entity, workspaceID: workspaceID) {
                        event.data = Self.setting("parent", parent, in: event.data)
                    }
                    let accessibleBy = integration.installation.map {
                        [
                            WebhookAuthor(id: $0.ownerUserID, type: "person"),
                            WebhookAuthor(id: integration.botID, type: "bot"),
                        ]
                    }
                    for subscription in listening where subscription.wants(event.type) {
                        var shaped = event
                        if !subscription.knowsDataSources, event.entity.type == "data_source",
                            let databaseID = try await parents.databaseID(ofDataSource: event.entity.id)
                        {
                            // Before 2025-09-03 the event is about the data source's database.
                            shaped.entity = WebhookEntity(type: "database", id: databaseID)
                            if let parent = try await parents.parent(of: shaped.entity, workspaceID: workspaceID) {
                                shaped.data = Self.setting("parent", parent, in: shaped.data)
                            }
                        }
                        guard
                            let body = WebhookEnvelope.body(
                                of: shaped,
                                for: subscription,
                                workspaceName: workspace.name,
                                accessibleBy: accessibleBy
                            ),
                            let type = event.type.named(forVersion: subscription.apiVersion)
                        else { continue }
                        deliveries.append(
                            WebhookDelivery(
                                subscriptionID: subscription.id,
                                eventID: event.id,
                                eventType: type,
                                body: body,
                                nextAttemptAt: now,
                                createdAt: now
                            )
                        )
                    }
                }
            }
        }
        if try await !store.fanOutWebhookEvents(ids: events.map(\.id), deliveries: deliveries) {
            logger.debug("another node fanned these webhook events out first")
        }
        return events.count
    }

    /// Whether `integration` holds the capability the event's type needs and may see what the
    /// event is about (its page for a comment), as it would be checked on a request.
    private func mayTell(_ integration: Integration, about event: WebhookEvent) async throws -> Bool {
        guard integration.capabilities.content.contains(event.type.neededCapability),
            let kind = ContentNodeKind(rawValue: event.subjectKind)
        else { return false }
        let ancestry = try await store.ancestry(of: kind, id: event.subjectID, sharedWith: integration.id)
        let decision = AccessPolicy().decide(
            workspaceID: integration.workspaceID,
            resourceWorkspaceID: ancestry.isEmpty ? nil : event.workspaceID,
            lineage: ancestry.lineage,
            shares: ancestry.sharedIDs
        )
        return decision == .allowed
    }

    private static func setting(_ key: String, _ value: JSONValue, in data: JSONValue) -> JSONValue {
        guard case .object(var members) = data else { return data }
        members.removeAll { $0.0 == key }
        members.insert((key, value), at: 0)
        return .object(members)
    }

    /// The `parent` of pages, data sources and databases, read once per fan-out (by type and id:
    /// a database's first data source has the database's id).
    private struct ParentCache {
        let store: any Store
        var known: [String: JSONValue?] = [:]

        func databaseID(ofDataSource id: String) async throws -> String? {
            try await store.dataSource(id: id)?.databaseID
        }

        mutating func parent(of entity: WebhookEntity, workspaceID: String) async throws -> JSONValue? {
            let key = entity.type + " " + entity.id
            if let cached = known[key] { return cached }
            let parent: JSONValue?
            switch entity.type {
            case "page":
                parent = try await pageParent(entity.id, workspaceID: workspaceID)
            case "data_source":
                parent = try await store.dataSource(id: entity.id).map {
                    ["id": .string($0.databaseID), "type": "database"]
                }
            case "database":
                parent = try await store.database(id: entity.id).map {
                    $0.parentPageID.map { ["id": .string($0), "type": "page"] }
                        ?? ["id": .string(workspaceID), "type": "space"]
                }
            default:
                parent = nil
            }
            known[key] = parent
            return parent
        }

        private func pageParent(_ id: String, workspaceID: String) async throws -> JSONValue? {
            guard let page = try await store.page(id: id) else { return nil }
            switch page.parent {
            case .workspace: return ["id": .string(workspaceID), "type": "space"]
            case .page(let parentID): return ["id": .string(parentID), "type": "page"]
            case .database(let sourceID):
                let databaseID = try await store.dataSource(id: sourceID)?.databaseID ?? sourceID
                return ["id": .string(databaseID), "type": "database", "data_source_id": .string(sourceID)]
            }
        }
    }

    // MARK: Delivery

    /// Claims and makes the attempts that are due; how many it claimed.
    @discardableResult
    func deliverDue() async throws -> Int {
        let claimed = try await store.claimWebhookDeliveries(dueAt: clock.now(), lease: 60, limit: Self.deliveryBatch)
        await withTaskGroup(of: Void.self) { group in
            for delivery in claimed { group.addTask { await deliver(delivery) } }
        }
        return claimed.count
    }

    private func deliver(_ delivery: WebhookDelivery) async {
        do {
            guard var subscription = try await store.webhookSubscription(id: delivery.subscriptionID) else { return }
            var attempt = delivery
            let isVerification = delivery.eventType == WebhookDelivery.verification
            if subscription.status != .active, !isVerification {
                // Paused: kept, and looked at again in a minute, without counting an attempt.
                attempt.nextAttemptAt = clock.now().addingTimeInterval(60)
                try await store.recordWebhookAttempt(attempt)
                return
            }
            if subscription.sealedToken == nil { subscription = try await makeToken(for: subscription) }
            guard let sealed = subscription.sealedToken else { return }
            let token = try await sealing.open(sealed, context: subscription.id)
            attempt.attempts += 1
            let bytes =
                isVerification
                ? WebhookEnvelope.verification(token: token).serializedBytes()
                : Array(WebhookEnvelope.attempt(attempt.attempts, of: delivery.body).utf8)
            let signature = WebhookSignature.header(for: bytes, verificationToken: token)
            guard let url = URL(string: subscription.url) else { return }
            let outcome = await sender.post(bytes, headers: [(WebhookSignature.headerName, signature)], to: url)
            let now = clock.now()
            attempt.lastOutcome = outcome.summary
            if case .notAttempted = outcome {
                // Left as it was: due again, its attempt not counted.
                attempt = delivery
                try await store.recordWebhookAttempt(attempt)
                return
            }
            metrics?.recordWebhookAttempt(outcome: outcome.label)
            switch outcome {
            case .delivered:
                attempt.status = .delivered
                attempt.finishedAt = now
            case .failed:
                if let next = settings.retrySchedule.nextAttempt(after: attempt.attempts, failedAt: now) {
                    attempt.nextAttemptAt = next
                } else {
                    attempt.status = .failed
                    attempt.finishedAt = now
                }
            case .refused:
                attempt.status = .failed
                attempt.finishedAt = now
            case .notAttempted:
                break
            }
            guard try await store.recordWebhookAttempt(attempt) else {
                logger.info(
                    "a webhook attempt outlived its claim; the node that took it over records it",
                    metadata: ["delivery": "\(delivery.id)"]
                )
                return
            }
            if attempt.status != .delivered {
                logger.info(
                    "webhook attempt failed",
                    metadata: [
                        "subscription": "\(subscription.id)", "type": "\(delivery.eventType)",
                        "attempt": "\(attempt.attempts)", "outcome": "\(outcome.summary)",
                    ]
                )
            }
        } catch {
            logger.warning(
                "webhook delivery could not be made",
                metadata: ["delivery": "\(delivery.id)", "error": "\(error)"]
            )
        }
    }

    /// Makes, seals and keeps the subscription's verification token (or takes the one another
    /// node kept first).
    private func makeToken(for subscription: WebhookSubscription) async throws -> WebhookSubscription {
        let token = WebhookVerificationToken.make()
        let sealed = try await sealing.seal(token, context: subscription.id)
        return try await store.setWebhookToken(
            subscriptionID: subscription.id,
            sealed: sealed,
            digest: WebhookVerificationToken.digest(token)
        ) ?? subscription
    }
}

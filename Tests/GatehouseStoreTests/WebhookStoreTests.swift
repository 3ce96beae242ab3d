import Foundation
import GatehouseContent
import GatehouseCore
import Testing

@testable import GatehouseStore

/// Webhook subscriptions, the event outbox and deliveries on both engines: nothing recorded
/// while no one in the workspace listens, each event fanned out once, each delivery claimed by
/// one node. On PostgreSQL the tests share one database: each reads only its own rows, and the
/// claims are made at times long before any other test's deliveries are due.
@Suite struct WebhookStoreTests {
    static func subscription(
        of integration: Integration,
        status: WebhookSubscription.Status = .active
    )
        -> WebhookSubscription
    {
        WebhookSubscription(
            id: Fixtures.id(),
            integrationID: integration.id,
            url: "https://hooks.example.com/notion",
            eventTypes: [.pageCreated, .commentCreated],
            apiVersion: "2025-09-03",
            status: status,
            createdAt: Fixtures.now
        )
    }

    static func delivery(
        to subscription: WebhookSubscription,
        type: String = "page.created",
        at time: Date = Fixtures.now
    )
        -> WebhookDelivery
    {
        WebhookDelivery(
            subscriptionID: subscription.id,
            eventID: Fixtures.id(),
            eventType: type,
            body: #"{"type":"\#(type)","attempt_number":1,"api_version":"2025-09-03"}"#,
            nextAttemptAt: time,
            createdAt: time
        )
    }

    static func event(
        in workspace: Workspace,
        _ type: WebhookEventType = .pageCreated,
        at time: Date = Fixtures.now
    )
        -> WebhookEvent
    {
        WebhookEvent(
            workspaceID: workspace.id,
            type: type,
            entity: WebhookEntity(type: "page", id: "p"),
            subjectKind: "page",
            subjectID: "p",
            authors: [WebhookAuthor(id: "bot", type: "bot")],
            data: ["updated_blocks": [["id": "b", "type": "block"]]],
            occurredAt: time
        )
    }

    /// A store with a workspace and an integration in it.
    static func world(_ engine: StoreEngine) async throws -> (SQLStore, Workspace, Integration) {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let integration = Fixtures.integration(in: workspace)
        try await store.createIntegration(integration, token: nil)
        return (store, workspace, integration)
    }

    /// The recorded events of `workspace`.
    static func recorded(
        _ store: SQLStore,
        _ workspace: Workspace,
        before time: Date = .distantFuture
    ) async throws
        -> [WebhookEvent]
    {
        try await store.recordedWebhookEvents(aggregatedBefore: time, limit: 1_000).filter {
            $0.workspaceID == workspace.id
        }
    }

    @Test(arguments: StoreEngine.available)
    func eventsAreRecordedOnlyWhileASubscriptionIsActive(engine: StoreEngine) async throws {
        let (store, workspace, integration) = try await Self.world(engine)
        defer { Task { await store.shutdown() } }
        try await store.recordWebhookEvent(Self.event(in: workspace))
        #expect(try await Self.recorded(store, workspace).isEmpty)

        let pending = Self.subscription(of: integration, status: .pending)
        try await store.createWebhookSubscription(
            pending,
            verification: Self.delivery(to: pending, type: "verification")
        )
        try await store.recordWebhookEvent(Self.event(in: workspace))
        #expect(try await Self.recorded(store, workspace).isEmpty)

        let activated = try await store.setWebhookSubscriptionStatus(id: pending.id, .active, at: Fixtures.now)
        #expect(activated?.status == .active && activated?.verifiedAt == Fixtures.now)
        let event = Self.event(in: workspace)
        try await store.recordWebhookEvent(event)
        #expect(try await Self.recorded(store, workspace) == [event])
        // An aggregated event waits for its window; a comment's does not.
        let comment = Self.event(in: workspace, .commentCreated, at: Fixtures.now.addingTimeInterval(1))
        try await store.recordWebhookEvent(comment)
        #expect(try await Self.recorded(store, workspace, before: Fixtures.now.addingTimeInterval(-0.001)) == [comment])
        // Left to no one else (PostgreSQL's database is shared and kept between runs).
        #expect(try await store.fanOutWebhookEvents(ids: [event.id, comment.id], deliveries: []))
    }

    @Test(arguments: StoreEngine.available)
    func anEventIsFannedOutByOneNodeOnly(engine: StoreEngine) async throws {
        let (store, workspace, integration) = try await Self.world(engine)
        defer { Task { await store.shutdown() } }
        let subscription = Self.subscription(of: integration)
        try await store.createWebhookSubscription(
            subscription,
            verification: Self.delivery(to: subscription, type: "verification")
        )
        let events = [Self.event(in: workspace), Self.event(in: workspace)]
        for event in events { try await store.recordWebhookEvent(event) }
        let ids = events.map(\.id)
        async let first = store.fanOutWebhookEvents(ids: ids, deliveries: [Self.delivery(to: subscription)])
        async let second = store.fanOutWebhookEvents(ids: ids, deliveries: [Self.delivery(to: subscription)])
        let outcomes = try await [first, second]
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await Self.recorded(store, workspace).isEmpty)
        let deliveries = try await store.webhookDeliveries(subscriptionID: subscription.id, limit: 10)
        #expect(deliveries.map(\.eventType).sorted() == ["page.created", "verification"])
    }

    @Test(arguments: StoreEngine.available)
    func aDeliveryIsClaimedByOneNodeUntilItsLeaseEnds(engine: StoreEngine) async throws {
        let (store, workspace, integration) = try await Self.world(engine)
        defer { Task { await store.shutdown() } }
        // A moment in 2001–2010: no other test's delivery is due before 2026.
        let base = Date(epochMilliseconds: 978_307_200_000 + Int64.random(in: 0..<315_360_000_000))
        let subscription = Self.subscription(of: integration)
        let verification = Self.delivery(to: subscription, type: "verification", at: base)
        try await store.createWebhookSubscription(subscription, verification: verification)
        let later = Self.delivery(to: subscription, at: base.addingTimeInterval(60))
        let event = Self.event(in: workspace)
        try await store.recordWebhookEvent(event)
        #expect(try await store.fanOutWebhookEvents(ids: [event.id], deliveries: [later]))

        async let one = store.claimWebhookDeliveries(dueAt: base, lease: 30, limit: 10)
        async let other = store.claimWebhookDeliveries(dueAt: base, lease: 30, limit: 10)
        let claims = try await [one, other]
        #expect(claims.map(\.count).sorted() == [0, 1])
        #expect(claims.flatMap { $0 }.map(\.id) == [verification.id])
        #expect(
            try await store.claimWebhookDeliveries(dueAt: base.addingTimeInterval(10), lease: 30, limit: 10).isEmpty
        )
        // The lease over (the node died mid-attempt), another takes it, with the later one now due.
        let retaken = try await store.claimWebhookDeliveries(dueAt: base.addingTimeInterval(61), lease: 30, limit: 10)
        #expect(Set(retaken.map(\.id)) == [verification.id, later.id])

        var attempted = try #require(retaken.first { $0.id == verification.id })
        attempted.attempts = 1
        attempted.status = .delivered
        attempted.lastOutcome = "HTTP 200"
        // Finished "in 2100": other tests' janitors, sharing the PostgreSQL database, purge
        // deliveries finished longer ago than the credential retention, which `base` is.
        attempted.finishedAt = Date(epochMilliseconds: 4_102_444_800_000)
        #expect(try await store.recordWebhookAttempt(attempted))
        // The first node, back late under its old claim, records nothing over it.
        var late = try #require(claims.flatMap { $0 }.first)
        #expect(late.claim != nil && late.claim != attempted.claim)
        late.attempts = 1
        late.lastOutcome = "timed out"
        #expect(try await !store.recordWebhookAttempt(late))
        let afterLease = base.addingTimeInterval(3_600)
        #expect(try await store.claimWebhookDeliveries(dueAt: afterLease, lease: 30, limit: 10).map(\.id) == [later.id])
        let stored = try await store.webhookDeliveries(subscriptionID: subscription.id, limit: 10)
        attempted.claim = nil
        #expect(stored.first { $0.id == verification.id } == attempted)
        #expect(try await store.deleteWebhookSubscription(id: subscription.id))
    }

    @Test(arguments: StoreEngine.available)
    func theFirstTokenKeptStaysAndDeletionTakesEverything(engine: StoreEngine) async throws {
        let (store, _, integration) = try await Self.world(engine)
        defer { Task { await store.shutdown() } }
        let subscription = Self.subscription(of: integration, status: .pending)
        try await store.createWebhookSubscription(
            subscription,
            verification: Self.delivery(to: subscription, type: "verification")
        )
        let kept = try await store.setWebhookToken(subscriptionID: subscription.id, sealed: "first", digest: "d1")
        let again = try await store.setWebhookToken(subscriptionID: subscription.id, sealed: "second", digest: "d2")
        #expect(kept?.sealedToken == "first" && again?.sealedToken == "first" && again?.tokenDigest == "d1")

        #expect(
            try await store.resendWebhookVerification(
                subscriptionID: subscription.id,
                verification: Self.delivery(to: subscription, type: "verification")
            )
        )
        let reset = try await store.webhookSubscription(id: subscription.id)
        #expect(reset?.sealedToken == nil && reset?.tokenDigest == nil && reset?.status == .pending)
        #expect(try await store.webhookDeliveries(subscriptionID: subscription.id, limit: 10).count == 1)
        #expect(
            try await !store.resendWebhookVerification(
                subscriptionID: "nope",
                verification: Self.delivery(to: subscription)
            )
        )

        #expect(try await store.deleteIntegration(id: integration.id, at: Fixtures.now))
        #expect(try await store.webhookSubscription(id: subscription.id) == nil)
        #expect(try await store.webhookDeliveries(subscriptionID: subscription.id, limit: 10).isEmpty)
        #expect(try await !store.deleteWebhookSubscription(id: subscription.id))
    }
}

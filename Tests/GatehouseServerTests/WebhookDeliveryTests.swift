import Foundation
import GatehouseAdmin
import GatehouseClient
import GatehouseContent
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import GatehouseServer

/// Webhooks end to end: changes made over the API reach a real receiver on loopback, signed,
/// retried on failure, never redirected, and sent only where the operator allows.
@Suite(.timeLimit(.minutes(2))) struct WebhookDeliveryTests {
    /// What a receiver got: every request, in order.
    final class Inbox: Sendable {
        struct Request: Sendable {
            let path: String
            let signature: String?
            let body: [UInt8]
            var json: [String: Any] {
                (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
            }
            var type: String? { json["type"] as? String }
        }

        private let requests = Mutex<[Request]>([])
        /// The status for the `n`th request that is not a verification (from 0).
        private let answer: @Sendable (Int) -> HTTPResponse.Status

        init(answer: @escaping @Sendable (Int) -> HTTPResponse.Status = { _ in .ok }) {
            self.answer = answer
        }

        var all: [Request] { requests.withLock { $0 } }
        var events: [Request] { all.filter { $0.json["verification_token"] == nil } }

        func record(_ request: Request) -> HTTPResponse.Status {
            requests.withLock { requests in
                let earlier = requests.filter { $0.json["verification_token"] == nil }.count
                requests.append(request)
                return request.json["verification_token"] == nil ? answer(earlier) : .ok
            }
        }

        /// Waits (up to 15 s) for a request that `matches`.
        func wait(for matches: (Request) -> Bool) async throws -> Request {
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(15) {
                if let found = all.first(where: matches) { return found }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("no such request; got \(all.map { $0.type ?? "verification" })")
            throw CancellationError()
        }

        func token() async throws -> String {
            let request = try await wait { $0.json["verification_token"] != nil }
            return try #require(request.json["verification_token"] as? String)
        }
    }

    /// Holds a receiver's answers to events while closed.
    final class Gate: Sendable {
        private let open = Mutex(true)
        func close() { open.withLock { $0 = false } }
        func release() { open.withLock { $0 = true } }
        func wait() async throws {
            while !open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// An application that keeps every POST in `inbox`; a 307 answer points to `/elsewhere`; an
    /// event (not a verification request) is answered only once `gate` is open.
    static func receiver(_ inbox: Inbox, gate: Gate = Gate()) -> some ApplicationProtocol {
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let status = inbox.record(
                Inbox.Request(
                    path: request.uri.path,
                    signature: request.headers[HTTPField.Name("X-Notion-Signature")!],
                    body: Array(buffer: body)
                )
            )
            if !String(buffer: body).contains("verification_token") { try await gate.wait() }
            return Response(status: status, headers: status == .temporaryRedirect ? [.location: "/elsewhere"] : [:])
        }
        return Application(router: router)
    }

    /// Loopback allowed, rounds every 50 ms, a short aggregation window and quick retries.
    static func quick(_ delays: [TimeInterval]) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.webhooks.allowedNetworks = [IPNetwork("127.0.0.0/8")!]
            configuration.webhooks.interval = .milliseconds(50)
            configuration.webhooks.aggregationWindow = 0.2
            configuration.webhooks.retrySchedule = WebhookRetrySchedule(delays: delays)
        }
    }

    /// A subscription of the world's integration to `url`, verified with the token it received.
    static func subscribe(
        _ world: TestWorld,
        _ inbox: Inbox,
        url: String,
        types: [WebhookEventType] = [],
        apiVersion: String? = nil
    ) async throws -> WebhookSubscription {
        let subscription = try await world.admin.createWebhookSubscription(
            integrationID: world.integration.id,
            url: url,
            eventTypes: types,
            apiVersion: apiVersion
        )
        let token = try await inbox.token()
        return try await world.admin.verifyWebhookSubscription(subscription.id, token: token)
    }

    /// The subscription's delivery of `type` once `done` holds (waiting up to 10 s), or as it
    /// last was.
    static func delivery(
        of type: String,
        to subscription: WebhookSubscription,
        in world: TestWorld,
        until done: (WebhookDelivery) -> Bool
    ) async throws -> WebhookDelivery? {
        var delivery: WebhookDelivery?
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(10) {
            delivery = try await world.store.webhookDeliveries(subscriptionID: subscription.id, limit: 50)
                .first { $0.eventType == type }
            if let delivery, done(delivery) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return delivery
    }

    @Test func aPageCreatedOverTheAPIIsToldSignedAndRetriedWithTheSameEvent() async throws {
        let world = try await TestWorld.make()
        let inbox = Inbox { $0 == 0 ? .internalServerError : .ok }
        try await Self.receiver(inbox).test(.live) { receiver in
            let url = "http://127.0.0.1:\(try #require(receiver.port))/hooks"
            try await world.test(.live, configure: Self.quick([0.3])) { client in
                let subscription = try await Self.subscribe(world, inbox, url: url, types: [.pageCreated])
                let token = try await inbox.token()
                let created = try await client.call(
                    .post,
                    "/v1/pages",
                    token: world.token,
                    body: #"{"parent":{"database_id":"\#(world.sharedDatabase.id)"},"properties":{}}"#
                )
                #expect(created.status == 200, "\(created.text)")
                let pageID = try #require(created.json["id"] as? String)

                let second = try await inbox.wait { $0.json["attempt_number"] as? Int == 2 }
                let first = try #require(inbox.events.first)
                #expect(first.json["attempt_number"] as? Int == 1)
                #expect(first.json["id"] as? String == second.json["id"] as? String)
                for request in [first, second] {
                    // Checked by the SDK's helper, as a Swift receiver checks it.
                    #expect(
                        NotionWebhook.isValidSignature(request.signature, body: request.body, verificationToken: token)
                    )
                    #expect(request.path == "/hooks")
                }
                let event = second.json
                #expect(event["type"] as? String == "page.created")
                #expect(event["subscription_id"] as? String == subscription.id)
                #expect(event["integration_id"] as? String == world.integration.id)
                #expect(event["workspace_id"] as? String == world.workspace.id)
                #expect(event["workspace_name"] as? String == "Acme")
                #expect(event["accessible_by"] == nil)
                #expect((event["entity"] as? [String: String]) == ["id": pageID, "type": "page"])
                let parent = (event["data"] as? [String: Any])?["parent"] as? [String: String]
                #expect(
                    parent
                        == [
                            "id": world.sharedDatabase.id, "type": "database",
                            "data_source_id": world.sharedDatabase.id,
                        ]
                )
                #expect(
                    (event["authors"] as? [[String: String]]) == [["id": world.integration.botID, "type": "bot"]]
                )
                #expect(inbox.events.count == 2, "only page.created was asked for")

                // Recorded once the receiver's answer is read.
                let delivery = try await Self.delivery(of: "page.created", to: subscription, in: world) {
                    $0.status != .pending
                }
                #expect(
                    delivery?.status == .delivered && delivery?.attempts == 2 && delivery?.lastOutcome == "HTTP 200"
                )
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                #expect(metrics.contains(#"gatehouse_webhook_attempts_total{outcome="failed"} 1"#))
                #expect(
                    metrics.contains(#"gatehouse_webhook_attempts_total{outcome="delivered"} 2"#),
                    "the verification and the retry"
                )
            }
        }
    }

    @Test func aSlowReceiverDoesNotHoldAnothersDeliveries() async throws {
        let world = try await TestWorld.make()
        let (other, _) = try await world.otherIntegrationSharingTheDatabase()
        let slow = Inbox()
        let fast = Inbox()
        let gate = Gate()
        try await Self.receiver(slow, gate: gate).test(.live) { slowReceiver in
            try await Self.receiver(fast).test(.live) { fastReceiver in
                let patient: (inout ServerConfiguration) -> Void = {
                    Self.quick([])(&$0)
                    $0.webhooks.timeout = .seconds(60)
                }
                try await world.test(.live, configure: patient) { client in
                    let held = try await Self.subscribe(
                        world,
                        slow,
                        url: "http://127.0.0.1:\(try #require(slowReceiver.port))/slow",
                        types: [.commentCreated]
                    )
                    let subscription = try await world.admin.createWebhookSubscription(
                        integrationID: other.id,
                        url: "http://127.0.0.1:\(try #require(fastReceiver.port))/fast",
                        eventTypes: [.commentCreated]
                    )
                    _ = try await world.admin.verifyWebhookSubscription(subscription.id, token: try await fast.token())
                    gate.close()
                    func comment(_ text: String) async throws {
                        let made = try await client.call(
                            .post,
                            "/v1/comments",
                            token: world.token,
                            body:
                                #"{"parent":{"page_id":"\#(world.sharedPage.id)"},"rich_text":[{"text":{"content":"\#(text)"}}]}"#
                        )
                        #expect(made.status == 200, "\(made.text)")
                    }
                    try await comment("first")
                    _ = try await slow.wait { $0.type == "comment.created" }  // and held there
                    try await comment("second")
                    // Told while the slow receiver still holds its attempts.
                    _ = try await fast.wait { $0.type == "comment.created" && fast.events.count == 2 }
                    let holding = try await world.store.webhookDeliveries(subscriptionID: held.id, limit: 10)
                        .filter { $0.eventType == "comment.created" }
                    #expect(!holding.isEmpty && holding.allSatisfy { $0.status == .pending && $0.claim != nil })
                    gate.release()
                    let done = try await Self.delivery(of: "comment.created", to: held, in: world) {
                        $0.status == .delivered
                    }
                    #expect(done?.status == .delivered)
                }
            }
        }
    }

    @Test func aDeliveryGivesUpAfterItsLastAttempt() async throws {
        let world = try await TestWorld.make()
        let inbox = Inbox { _ in .serviceUnavailable }
        try await Self.receiver(inbox).test(.live) { receiver in
            let url = "http://127.0.0.1:\(try #require(receiver.port))/hooks"
            try await world.test(.live, configure: Self.quick([0.1, 0.1])) { client in
                let subscription = try await Self.subscribe(world, inbox, url: url, types: [.commentCreated])
                let comment = try await client.call(
                    .post,
                    "/v1/comments",
                    token: world.token,
                    body: #"{"parent":{"page_id":"\#(world.sharedPage.id)"},"rich_text":[{"text":{"content":"hi"}}]}"#
                )
                #expect(comment.status == 200, "\(comment.text)")
                let delivery = try await Self.delivery(of: "comment.created", to: subscription, in: world) {
                    $0.status == .failed
                }
                #expect(delivery?.status == .failed && delivery?.attempts == 3)
                #expect(delivery?.lastOutcome == "HTTP 503" && delivery?.finishedAt != nil)
                #expect(inbox.events.map { $0.json["attempt_number"] as? Int } == [1, 2, 3])
            }
        }
    }

    @Test func aRedirectIsNotFollowed() async throws {
        let world = try await TestWorld.make()
        let inbox = Inbox { _ in .temporaryRedirect }
        try await Self.receiver(inbox).test(.live) { receiver in
            let url = "http://127.0.0.1:\(try #require(receiver.port))/hooks"
            try await world.test(.live, configure: Self.quick([])) { client in
                let subscription = try await Self.subscribe(world, inbox, url: url, types: [.commentCreated])
                _ = try await client.call(
                    .post,
                    "/v1/comments",
                    token: world.token,
                    body: #"{"parent":{"page_id":"\#(world.sharedPage.id)"},"rich_text":[{"text":{"content":"hi"}}]}"#
                )
                let delivery = try await Self.delivery(of: "comment.created", to: subscription, in: world) {
                    $0.status == .failed
                }
                #expect(delivery?.lastOutcome == "HTTP 307")
                #expect(inbox.all.allSatisfy { $0.path == "/hooks" })
            }
        }
    }

    @Test func aPrivateAddressIsNotCalledUnlessTheOperatorAllowsIt() async throws {
        let world = try await TestWorld.make()
        let inbox = Inbox()
        try await Self.receiver(inbox).test(.live) { receiver in
            // A name, resolved at each attempt (to 127.0.0.1 or ::1).
            let url = "http://localhost:\(try #require(receiver.port))/hooks"
            try await world.test(.live, configure: { $0.webhooks.interval = .milliseconds(50) }) { _ in
                let subscription = try await world.admin.createWebhookSubscription(
                    integrationID: world.integration.id,
                    url: url,
                    eventTypes: []
                )
                let delivery = try await Self.delivery(of: "verification", to: subscription, in: world) {
                    $0.status == .failed
                }
                #expect(delivery?.status == .failed)
                #expect(delivery?.lastOutcome?.hasPrefix("localhost resolves to ") == true)
                #expect(delivery?.lastOutcome?.contains("not a public address") == true)
                #expect(inbox.all.isEmpty)
                #expect(try await world.store.webhookSubscription(id: subscription.id)?.tokenDigest != nil)
            }
        }
    }

    @Test func anOlderAPIVersionGetsItsOwnEventNamesAndNotTheNewOnes() async throws {
        let world = try await TestWorld.make()
        let old = Inbox()
        let current = Inbox()
        try await Self.receiver(old).test(.live) { oldReceiver in
            try await Self.receiver(current).test(.live) { currentReceiver in
                try await world.test(.live, configure: Self.quick([])) { client in
                    let types: [WebhookEventType] = [.dataSourceSchemaUpdated, .dataSourceCreated]
                    let oldSubscription = try await Self.subscribe(
                        world,
                        old,
                        url: "http://127.0.0.1:\(try #require(oldReceiver.port))/old",
                        types: types,
                        apiVersion: "2022-06-28"
                    )
                    _ = try await Self.subscribe(
                        world,
                        current,
                        url: "http://127.0.0.1:\(try #require(currentReceiver.port))/new",
                        types: types
                    )
                    let added = try await client.call(
                        .patch,
                        "/v1/data_sources/\(world.sharedDatabase.id)",
                        token: world.token,
                        version: "2025-09-03",
                        body: #"{"properties":{"Estimate":{"number":{}}}}"#
                    )
                    #expect(added.status == 200, "\(added.text)")
                    let created = try await client.call(
                        .post,
                        "/v1/data_sources",
                        token: world.token,
                        version: "2025-09-03",
                        body:
                            #"{"parent":{"database_id":"\#(world.sharedDatabase.id)"},"properties":{"Name":{"title":{}}}}"#
                    )
                    #expect(created.status == 200, "\(created.text)")

                    let renamed = try await old.wait { $0.type == "database.schema_updated" }
                    let changes = (renamed.json["data"] as? [String: Any])?["updated_properties"] as? [[String: Any]]
                    #expect(changes?.count == 1)
                    #expect(changes?.first?["name"] as? String == "Estimate")
                    #expect(changes?.first?["action"] as? String == "created")
                    #expect(renamed.json["api_version"] as? String == "2022-06-28")
                    // Before 2025-09-03 the event is about the database, under the database's parent.
                    #expect(
                        (renamed.json["entity"] as? [String: String])
                            == ["id": world.sharedDatabase.id, "type": "database"]
                    )
                    #expect(
                        ((renamed.json["data"] as? [String: Any])?["parent"] as? [String: String])
                            == ["id": world.workspace.id, "type": "space"]
                    )
                    let renamedNow = try await current.wait { $0.type == "data_source.schema_updated" }
                    #expect(
                        (renamedNow.json["entity"] as? [String: String])
                            == ["id": world.sharedDatabase.id, "type": "data_source"]
                    )
                    _ = try await current.wait { $0.type == "data_source.schema_updated" }
                    _ = try await current.wait { $0.type == "data_source.created" }
                    // Both subscriptions' deliveries of an event are queued together.
                    let queued = try await world.store.webhookDeliveries(subscriptionID: oldSubscription.id, limit: 50)
                    #expect(queued.map(\.eventType).sorted() == ["database.schema_updated", "verification"])
                }
            }
        }
    }

    /// A dispatcher driven by hand on a frozen clock, with no server running.
    static func dispatcher(_ world: TestWorld, _ clock: TestClock) -> WebhookDispatcher {
        var settings = WebhookSettings()
        settings.aggregationWindow = 0
        settings.retrySchedule = WebhookRetrySchedule(delays: [])
        return WebhookDispatcher(
            store: world.store,
            clock: clock,
            sealing: SealingKey(store: world.store, clock: clock, configured: nil),
            sender: WebhookSender(addresses: OutboundAddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!])),
            settings: settings,
            logger: TestWorld.quietLogger
        )
    }

    @Test func aPublicIntegrationIsToldOfEachInstallationWithWhoCanSeeIt() async throws {
        let clock = TestClock(frozenAt: TestClock.fixedInstant)
        let world = try await TestWorld.make(clock: clock)
        let (app, _) = try await world.admin.createPublicIntegration(
            workspaceID: world.workspace.id,
            name: "Calendar Sync",
            capabilities: .all,
            redirectURIs: ["https://app.example/callback"],
            expiringTokens: false
        )
        // An installation by the world's owner, as the consent page makes one, sharing the page.
        let installation = Integration(
            id: UUIDv4.string(),
            workspaceID: world.workspace.id,
            name: app.name,
            kind: app.kind,
            capabilities: .all,
            botID: UUIDv4.string(),
            createdAt: clock.now(),
            installation: Installation(appID: app.id, ownerUserID: world.owner.id, owner: .user)
        )
        try await world.store.createIntegration(installation, token: nil)
        _ = try await world.admin.share(
            integrationID: installation.id,
            target: .page(world.sharedPage.id),
            remove: false
        )
        await #expect(throws: AdminError.self, "an installation is subscribed through its app") {
            try await world.admin.createWebhookSubscription(
                integrationID: installation.id,
                url: "https://hooks.example.com/",
                eventTypes: []
            )
        }
        let subscription = try await world.admin.createWebhookSubscription(
            integrationID: app.id,
            url: "https://hooks.example.com/",
            eventTypes: [.pagePropertiesUpdated]
        )
        _ = try await world.store.setWebhookSubscriptionStatus(id: subscription.id, .active, at: clock.now())
        try await world.store.recordWebhookEvent(
            WebhookEvent(
                workspaceID: world.workspace.id,
                type: .pagePropertiesUpdated,
                entity: WebhookEntity(type: "page", id: world.sharedPage.id),
                subjectKind: ContentNodeKind.page.rawValue,
                subjectID: world.sharedPage.id,
                authors: [WebhookAuthor(id: world.integration.botID, type: "bot")],
                data: ["updated_properties": ["title"]],
                occurredAt: clock.now()
            )
        )
        _ = try await Self.withDispatcher(world, clock) { try await $0.fanOut() }
        let delivery = try #require(
            try await world.store.webhookDeliveries(subscriptionID: subscription.id, limit: 10)
                .first { $0.eventType == "page.properties_updated" }
        )
        let body = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])
        #expect(body["integration_id"] as? String == app.id)
        #expect(
            (body["accessible_by"] as? [[String: String]]) == [
                ["id": world.owner.id, "type": "person"], ["id": installation.botID, "type": "bot"],
            ]
        )
        #expect(
            ((body["data"] as? [String: Any])?["parent"] as? [String: String])?["data_source_id"]
                == world.sharedDatabase.id
        )
        await world.store.shutdown()
    }

    /// Runs `body` with a dispatcher driven by hand, its connections closed however `body` ends.
    static func withDispatcher<Result>(
        _ world: TestWorld,
        _ clock: TestClock,
        _ body: (WebhookDispatcher) async throws -> Result
    ) async throws -> Result {
        let dispatcher = Self.dispatcher(world, clock)
        do {
            let result = try await body(dispatcher)
            await dispatcher.sender.shutdown()
            return result
        } catch {
            await dispatcher.sender.shutdown()
            throw error
        }
    }

    @Test func onlyWhatIsSharedIsQueuedAndAPausedSubscriptionsDeliveriesWait() async throws {
        let clock = TestClock(frozenAt: TestClock.fixedInstant)
        let world = try await TestWorld.make(clock: clock)
        // The subscriptions' operations on the test's clock, so their deliveries are due on it.
        let admin = AdminOperations(store: world.store, clock: clock, bcryptCost: 4)
        let (unshared, _) = try await world.otherIntegration(capabilities: .all)
        let inbox = Inbox()
        try await Self.receiver(inbox).test(.live) { receiver in
            let base = "http://127.0.0.1:\(try #require(receiver.port))"
            try await Self.withDispatcher(world, clock) { dispatcher in
                var subscriptions: [WebhookSubscription] = []
                for (integration, path) in [(world.integration, "/mine"), (unshared, "/theirs")] {
                    subscriptions.append(
                        try await admin.createWebhookSubscription(
                            integrationID: integration.id,
                            url: base + path,
                            eventTypes: [.commentCreated]
                        )
                    )
                }
                await dispatcher.runOnce()
                for (subscription, path) in zip(subscriptions, ["/mine", "/theirs"]) {
                    let request = try await inbox.wait { $0.path == path }
                    let token = try #require(request.json["verification_token"] as? String)
                    _ = try await admin.verifyWebhookSubscription(subscription.id, token: token)
                }
                let (mine, theirs) = (subscriptions[0], subscriptions[1])

                // A comment on the shared page, as the comments controller records it.
                try await world.store.recordWebhookEvent(
                    WebhookEvent(
                        workspaceID: world.workspace.id,
                        type: .commentCreated,
                        entity: WebhookEntity(type: "comment", id: UUIDv4.string()),
                        subjectKind: ContentNodeKind.page.rawValue,
                        subjectID: world.sharedPage.id,
                        authors: [WebhookAuthor(id: world.integration.botID, type: "bot")],
                        data: ["page_id": .string(world.sharedPage.id)],
                        occurredAt: clock.now()
                    )
                )
                try await dispatcher.fanOut()
                let types = { (subscription: WebhookSubscription) in
                    try await world.store.webhookDeliveries(subscriptionID: subscription.id, limit: 10)
                        .map(\.eventType)
                }
                #expect(try await types(mine).sorted() == ["comment.created", "verification"])
                #expect(try await types(theirs) == ["verification"], "the page is not shared with it")

                // Paused: its delivery is not claimed, nor touched.
                _ = try await admin.pauseWebhookSubscription(mine.id)
                #expect(try await dispatcher.deliverDue() == 0)
                let waiting = try await Self.delivery(of: "comment.created", to: mine, in: world) { _ in true }
                #expect(waiting?.status == .pending && waiting?.attempts == 0)
                #expect(waiting?.nextAttemptAt == clock.now() && waiting?.claim == nil)
                #expect(inbox.events.isEmpty)

                _ = try await admin.resumeWebhookSubscription(mine.id)
                #expect(try await dispatcher.deliverDue() == 1)
                let delivered = try await Self.delivery(of: "comment.created", to: mine, in: world) { _ in true }
                #expect(delivered?.status == .delivered && delivered?.attempts == 1)
                #expect(inbox.events.map(\.path) == ["/mine"])
            }
        }
        await world.store.shutdown()
    }
}

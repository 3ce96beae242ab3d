import Foundation
import GatehouseCore
import GatehouseTestSupport
import Logging
import SQLKit
import Testing

@testable import GatehouseStore

/// The audit log as a tenant reads it (newest first, paged and filtered in SQL), the bound on
/// unauthenticated noise, the keyed chain and its checkpoints, and atomic action + event writes.
@Suite(.timeLimit(.minutes(2))) struct AuditTrailStoreTests {
    static let key = try! AuditKey(material: Data("k3y-for-the-audit-chain-in-tests-0123456789".utf8))

    static func keyedStore() async throws -> SQLStore {
        try await SQLStore.open(
            .sqlite(path: StoreEngine.temporarySQLitePath()),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            auditKey: key
        )
    }

    /// Appends `count` events at `time` with this actor, action and target.
    static func append(
        _ store: SQLStore,
        _ count: Int,
        actor: String = "cli",
        action: String = "test.event",
        target: String? = nil,
        time: Date = Fixtures.now
    ) async throws {
        for index in 0..<count {
            try await store.appendEvent(
                AuditEvent(time: time, actor: actor, action: action, target: target, details: ["n": "\(index)"])
            )
        }
    }

    @Test(arguments: StoreEngine.available)
    func aWorkspaceReadsItsNewestEventsFirstPagedInSQLBehindAnyNoise(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let mine = try await Fixtures.seed(store)
        let other = try await Fixtures.seed(store)
        try await store.appendEvent(
            AuditEvent(time: Fixtures.now, actor: "cli", action: "test.oldest", target: mine.integration.id)
        )
        // Noise no workspace owns (failed authentications), and another tenant's events.
        try await Self.append(store, 150, actor: "203.0.113.9", action: "auth.failed")
        try await Self.append(store, 120, target: other.integration.id)
        try await Self.append(store, 30, target: mine.integration.id)
        let newest = try await store.appendEvent(
            AuditEvent(time: Fixtures.now, actor: "cli", action: "test.newest", target: mine.integration.id)
        )

        let first = try await store.events(AuditQuery(workspaceID: mine.workspace.id, limit: 20))
        #expect(first.events.first?.sequence == newest.sequence)
        #expect(first.events.count == 20)
        #expect(first.events.allSatisfy { $0.workspaceID == mine.workspace.id })
        #expect(zip(first.events, first.events.dropFirst()).allSatisfy { $0.sequence > $1.sequence })
        let cursor = try #require(first.olderCursor)
        let second = try await store.events(AuditQuery(workspaceID: mine.workspace.id, before: cursor, limit: 20))
        #expect(second.events.count == 12)  // 30 + oldest + newest = 32
        #expect(second.events.last?.action == "test.oldest")
        #expect(second.olderCursor == nil)

        let filtered = try await store.events(
            AuditQuery(workspaceID: mine.workspace.id, actionPrefix: "test.new", outcome: "success", limit: 20)
        )
        #expect(filtered.events.map(\.action) == ["test.newest"])
        let byIntegration = try await store.events(
            AuditQuery(workspaceID: other.workspace.id, integrationID: mine.integration.id, limit: 20)
        )
        #expect(byIntegration.events.isEmpty)
        #expect(try await store.eventCount(workspaceID: mine.workspace.id) == 32)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func anEventOfAPersonAboutAnotherTenantsAppIsTaggedWithBothWorkspaces(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let developer = try await Fixtures.seed(store)
        let userSide = try await Fixtures.seed(store)
        let person = Fixtures.person(in: userSide.workspace)
        try await store.createPerson(person)
        let event = try await store.appendEvent(
            AuditEvent(
                time: Fixtures.now,
                actor: "user:\(person.id)",
                action: "oauth.authorized",
                target: developer.integration.id,
                ip: "198.51.100.7"
            )
        )
        #expect(event.workspaceID == userSide.workspace.id)
        #expect(event.relatedWorkspaceID == developer.workspace.id)
        let seen = try await store.events(AuditQuery(workspaceID: developer.workspace.id, limit: 10)).events
        #expect(seen.map(\.sequence) == [event.sequence])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func failedAuthenticationsAreListedOncePerAddressAndMinuteAndCounted(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let address = "test-\(Fixtures.id())"
        let minute = Date(epochMilliseconds: Fixtures.now.epochMilliseconds / 60_000 * 60_000)
        var counts: [Int] = []
        for second in 0..<50 {
            counts.append(
                try await store.appendFailure(
                    AuditEvent(
                        time: minute.addingTimeInterval(Double(second)),
                        actor: address,
                        action: "auth.failed",
                        outcome: "failure",
                        ip: address
                    ),
                    period: .seconds(60)
                )
            )
        }
        try await store.appendFailure(
            AuditEvent(time: minute.addingTimeInterval(61), actor: address, action: "auth.failed", ip: address),
            period: .seconds(60)
        )
        #expect(counts.last == 50)
        let listed = try await store.events(since: minute, limit: 1_000_000).filter { $0.ip == address }
        #expect(listed.count == 2)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func anActionAndItsEventCommitTogetherOrNotAtAll(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.atomically { store in
                try await store.createWorkspace(workspace)
                try await store.appendEvent(
                    AuditEvent(time: Fixtures.now, actor: "cli", action: "workspace.created", target: workspace.id)
                )
                throw Refused()
            }
        }
        #expect(try await store.workspace(id: workspace.id) == nil)
        let logged = try await store.events(since: Fixtures.now, limit: 1_000_000)
        #expect(!logged.contains { $0.target == workspace.id })

        try await store.atomically { store in
            try await store.createWorkspace(workspace)
            try await store.appendEvent(
                AuditEvent(time: Fixtures.now, actor: "cli", action: "workspace.created", target: workspace.id)
            )
        }
        #expect(try await store.workspace(id: workspace.id) != nil)
        let event = try #require(
            try await store.events(since: Fixtures.now, limit: 1_000_000).first { $0.target == workspace.id }
        )
        #expect(event.workspaceID == workspace.id)
        await store.shutdown()
    }

    @Test func aFailingAuditAppendRollsTheActionBack() async throws {
        let store = try await StoreEngine.sqlite.open()
        try await store.write { database in
            try await database.raw("ALTER TABLE audit_events RENAME TO audit_events_away").run()
        }
        let workspace = Fixtures.workspace()
        await #expect(throws: (any Error).self) {
            try await store.atomically { store in
                try await store.createWorkspace(workspace)
                try await store.appendEvent(
                    AuditEvent(time: Fixtures.now, actor: "cli", action: "workspace.created", target: workspace.id)
                )
            }
        }
        #expect(try await store.workspace(id: workspace.id) == nil)
        await store.shutdown()
    }

    @Test func theMigrationTagsOldEventsByTheirActorOrTargetBestEffort() async throws {
        let store = try await StoreEngine.sqlite.open()
        let developer = try await Fixtures.seed(store)
        let userSide = try await Fixtures.seed(store)
        let person = Fixtures.person(in: userSide.workspace)
        try await store.createPerson(person)
        let rows: [(actor: String, target: String?)] = [
            ("user:\(person.id)", developer.integration.id), ("cli", developer.token.id), ("203.0.113.1", nil),
        ]
        try await store.write { database in
            // Rows as version 7 left them: untagged.
            for row in rows {
                try await database.raw(
                    """
                    INSERT INTO audit_events (time, actor, action, target, outcome, details, prev_hash, hash)
                    VALUES (1, \(bind: row.actor), 'old.event', \(bind: row.target), 'success', '{}', 'p', 'h')
                    """
                ).run()
            }
            let migration = try #require(Migrations.all.first { $0.version == 8 })
            for statement in migration.statements(store.engine) where statement.contains("UPDATE audit_events") {
                try await database.raw("\(unsafeRaw: statement)").run()
            }
        }
        let events = try await store.events(since: nil, limit: 100).filter { $0.action == "old.event" }
        #expect(events.map(\.workspaceID) == [userSide.workspace.id, developer.workspace.id, nil])
        #expect(events.map(\.relatedWorkspaceID) == [developer.workspace.id, nil, nil])
        await store.shutdown()
    }

    // MARK: The keyed chain

    @Test func aKeyedChainFindsEditsInsertionsAndDeletionsByAWriterWithoutTheKey() async throws {
        for attack in ["edit", "insert", "delete", "recompute"] {
            let store = try await Self.keyedStore()
            try await Self.append(store, 6)
            #expect(try await store.verifyAuditLog().isIntact)
            try await store.write { database in
                switch attack {
                case "edit":
                    try await database.raw("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3").run()
                case "insert":
                    // A forged event linked to the head, with a hash the writer cannot make.
                    let head = try await database.raw("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1")
                        .first()!.decode(column: "hash", as: String.self)
                    try await database.raw(
                        """
                        INSERT INTO audit_events (time, actor, action, outcome, details, prev_hash, hash)
                        VALUES (1, 'cli', 'forged', 'success', '{}', \(bind: head), \(bind: "k1:" + String(repeating: "ab", count: 32)))
                        """
                    ).run()
                case "delete":
                    try await database.raw("DELETE FROM audit_events WHERE seq = 3").run()
                default:
                    // Rewrite the whole chain unkeyed, as someone with write access alone can.
                    var previous = AuditChain.genesis
                    for event in try await database.raw("SELECT * FROM audit_events ORDER BY seq").all()
                        .map(SQLStore.event)
                    {
                        var event = event
                        event.previousHash = previous
                        event.hash = AuditChain.hash(of: event)
                        previous = event.hash
                        try await database.raw(
                            "UPDATE audit_events SET prev_hash = \(bind: event.previousHash), hash = \(bind: event.hash) WHERE seq = \(bind: event.sequence)"
                        ).run()
                    }
                }
            }
            let verification = try await store.verifyAuditLog()
            #expect(!verification.isIntact, "\(attack) not detected")
            // Without the key the rewritten chain would pass: keyed events are linked only.
            await store.shutdown()
        }
    }

    @Test func truncatingTheNewestEventsIsFoundAgainstACheckpointOrAnExportedAnchor() async throws {
        let store = try await Self.keyedStore()
        try await Self.append(store, 8)
        let verified = try await store.verifyAuditIncrementally(now: Fixtures.now)
        #expect(verified.verifiedThrough == 8)
        let anchor = try #require(try await store.auditCheckpoint("verified"))
        let anchorFile = AuditAnchorFile(path: Scratch.path(".anchors"))
        try anchorFile.append(anchor)

        try await store.write { database in
            try await database.raw("DELETE FROM audit_events WHERE seq > 6").run()
        }
        // The chain that is left is consistent in itself: only an anchor shows what is missing.
        #expect(try await store.verifyAuditLog().isIntact)
        let withAnchor = try await store.verifyAuditLog(anchors: try anchorFile.read())
        #expect(withAnchor.verdict == .broken(sequence: 8, reason: withAnchor.brokenReason))
        #expect(withAnchor.brokenReason.contains("truncated"))
        #expect(!(try await store.verifyAuditIncrementally(now: Fixtures.now).isIntact))

        // A checkpoint moved by a writer without the key is refused too.
        try await store.write { database in
            try await database.raw("UPDATE audit_checkpoints SET seq = 6 WHERE name = 'verified'").run()
        }
        #expect(!(try await store.verifyAuditIncrementally(now: Fixtures.now).isIntact))
        await store.shutdown()
    }

    @Test func theIncrementalCheckHashesOnlyEventsAfterItsCheckpoint() async throws {
        let store = try await Self.keyedStore()
        try await Self.append(store, 40)
        let first = try await store.verifyAuditIncrementally(now: Fixtures.now)
        #expect(first.hashed == 40)
        #expect(first.verdict == .intact(events: 40))
        try await Self.append(store, 5)
        let second = try await store.verifyAuditIncrementally(now: Fixtures.now)
        #expect(second.hashed == 5)
        #expect(second.verdict == .intact(events: 45))
        let bounded = try await store.verifyAuditIncrementally(limit: 10, now: Fixtures.now)
        #expect(bounded.hashed == 0)
        try await Self.append(store, 25)
        let partial = try await store.verifyAuditIncrementally(limit: 10, now: Fixtures.now)
        #expect(partial.hashed == 10)
        #expect(partial.pending)
        await store.shutdown()
    }

    @Test func purgingOldEventsReanchorsTheChainSoItStillVerifies() async throws {
        let store = try await Self.keyedStore()
        let old = Fixtures.now.addingTimeInterval(-400 * 86_400)
        try await Self.append(store, 10, time: old)
        try await store.appendFailure(
            AuditEvent(time: old, actor: "192.0.2.1", action: "auth.failed", ip: "192.0.2.1"),
            period: .seconds(60)
        )
        try await Self.append(store, 5)
        let purged = try await store.purgeEvents(before: Fixtures.now.addingTimeInterval(-365 * 86_400))
        #expect(purged == 11)
        #expect(try await store.events(since: nil, limit: 100).count == 5)
        #expect(try await store.verifyAuditLog().verdict == .intact(events: 5))
        #expect(try await store.verifyAuditIncrementally(now: Fixtures.now).isIntact)
        // Deleting the first kept event now shows against the anchor.
        try await store.write { database in
            try await database.raw("DELETE FROM audit_events WHERE seq = (SELECT MIN(seq) FROM audit_events)").run()
        }
        #expect(!(try await store.verifyAuditLog().isIntact))
        await store.shutdown()
    }
}

extension AuditVerification {
    var brokenReason: String {
        if case .broken(_, let reason) = verdict { return reason }
        return ""
    }
}

import Foundation
import GatehouseCore
import GatehouseTestSupport
import Logging
import SQLKit
import Testing

@testable import GatehouseStore

@Suite(.timeLimit(.minutes(1))) struct StoreTests {
    @Test(arguments: StoreEngine.available)
    func migrationsAreAppliedOnceAndRecorded(engine: StoreEngine) async throws {
        let store = try await engine.open()
        #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
        await store.shutdown()
    }

    @Test func reopeningAnSQLiteStoreKeepsItsDataAndSkipsAppliedMigrations() async throws {
        let path = StoreEngine.temporarySQLitePath()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let first = try await SQLStore.open(.sqlite(path: path), logger: logger)
        let workspace = Fixtures.workspace()
        try await first.createWorkspace(workspace)
        await first.shutdown()
        let second = try await SQLStore.open(.sqlite(path: path), logger: logger)
        #expect(try await second.workspace(id: workspace.id) == workspace)
        #expect(try await second.appliedMigrations() == Migrations.all.map(\.version))
        await second.shutdown()
    }

    @Test func sqliteRunsInWALModeWithForeignKeysOn() async throws {
        let store = try await StoreEngine.sqlite.open()
        let (mode, foreignKeys) = try await store.read { database in
            (
                try await database.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self),
                try await database.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
            )
        }
        #expect(mode == "wal")
        #expect(foreignKeys == 1)
        // A person in a workspace that does not exist violates the foreign key.
        var orphan = Fixtures.person(in: Fixtures.workspace())
        orphan.workspaceID = Fixtures.id()
        await #expect(throws: (any Error).self) { try await store.createPerson(orphan) }
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aTakenEmailIsADuplicate(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let person = Fixtures.person(in: workspace)
        try await store.createPerson(person)
        var twin = Fixtures.person(in: workspace)
        twin.email = person.email
        await #expect(throws: StoreError(.duplicate, "a user with email \(person.email) already exists")) {
            try await store.createPerson(twin)
        }
        #expect(try await store.person(email: person.email) == person)
        #expect(try await store.people(workspaceID: workspace.id) == [person])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aTokenIsFoundByItsDigestWithItsPrincipal(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace(plan: .team)
        try await store.createWorkspace(workspace)
        let integration = Fixtures.integration(in: workspace, capabilities: try Capabilities(names: ["read_content"]))
        let (secret, record) = Fixtures.token(for: integration)
        try await store.createIntegration(integration, token: record)

        let (found, principal) = try #require(try await store.principal(digest: TokenDigest(of: secret)))
        #expect(found == record)
        #expect(principal.integrationID == integration.id)
        #expect(principal.botID == integration.botID)
        #expect(principal.workspaceName == workspace.name)
        #expect(principal.plan == .team)
        #expect(principal.capabilities.content == [.readContent])
        #expect(try await store.principal(digest: TokenDigest(of: secret + "x")) == nil)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func theSecretItselfIsNeverStored(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, integration, secret, _) = try await Fixtures.seed(store)
        let rows = try await store.read { database in
            try await database.raw("SELECT * FROM tokens WHERE integration_id = \(bind: integration.id)").all()
        }
        #expect(rows.count == 1)
        for column in ["hash", "display_hint", "id"] {
            let value = try rows[0].decode(column: column, as: String.self)
            #expect(!value.contains(secret.dropFirst(7).prefix(20)))
        }
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func revocationIsCompareAndSetAndFeedsTheChangeFeed(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, integration, _, record) = try await Fixtures.seed(store)
        let before = try await store.latestChangeSequence()

        let revoked = try await store.revokeTokens(ids: [record.id], at: Fixtures.now)
        #expect(revoked.map(\.id) == [record.id])
        #expect(try await store.revokeTokens(ids: [record.id], at: Fixtures.now).isEmpty)
        #expect(try await store.token(id: record.id)?.revokedAt == Fixtures.now)

        let changes = try await store.changes(after: before, limit: 100).filter { $0.integrationID == integration.id }
        #expect(changes.count == 1)
        #expect(changes.first?.kind == .tokenRevoked)
        #expect(changes.first?.tokenDigest == record.digest)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func deletingAnIntegrationRemovesItsTokensAndShares(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, integration, secret, _) = try await Fixtures.seed(store)
        let database = DatabaseRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "Tasks",
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        try await store.createDatabase(database)
        try await store.setShare(
            integrationID: integration.id,
            resourceID: database.id,
            resourceType: "database",
            remove: false,
            at: Fixtures.now
        )
        #expect(try await store.shares(integrationID: integration.id) == [database.id])
        let before = try await store.latestChangeSequence()

        #expect(try await store.deleteIntegration(id: integration.id))
        #expect(try await store.deleteIntegration(id: integration.id) == false)
        #expect(try await store.integration(id: integration.id) == nil)
        #expect(try await store.principal(digest: TokenDigest(of: secret)) == nil)
        #expect(try await store.shares(integrationID: integration.id).isEmpty)
        let changes = try await store.changes(after: before, limit: 100).filter { $0.integrationID == integration.id }
        #expect(changes.map(\.kind) == [.integrationChanged])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func sharingIsIdempotentAndRemovable(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let integration = Fixtures.integration(in: workspace)
        try await store.createIntegration(integration, token: Fixtures.token(for: integration).1)
        let pageID = Fixtures.id()
        for _ in 0..<2 {
            try await store.setShare(
                integrationID: integration.id,
                resourceID: pageID,
                resourceType: "page",
                remove: false,
                at: Fixtures.now
            )
        }
        #expect(try await store.shares(integrationID: integration.id) == [pageID])
        try await store.setShare(
            integrationID: integration.id,
            resourceID: pageID,
            resourceType: "page",
            remove: true,
            at: Fixtures.now
        )
        #expect(try await store.shares(integrationID: integration.id).isEmpty)
        await #expect(throws: StoreError.self) {
            try await store.setShare(
                integrationID: Fixtures.id(),
                resourceID: pageID,
                resourceType: "page",
                remove: false,
                at: Fixtures.now
            )
        }
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func lineageWalksFromAPageThroughItsDatabaseAndParents(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        func page(_ parent: PageParent) -> PageRecord {
            PageRecord(
                id: Fixtures.id(),
                workspaceID: workspace.id,
                title: "P",
                parent: parent,
                createdBy: "u",
                lastEditedBy: "u",
                createdAt: Fixtures.now,
                lastEditedAt: Fixtures.now
            )
        }
        let top = page(.workspace)
        try await store.createPage(top)
        let database = DatabaseRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "D",
            parentPageID: top.id,
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        try await store.createDatabase(database)
        let row = page(.database(database.id))
        try await store.createPage(row)
        let child = page(.page(row.id))
        try await store.createPage(child)

        #expect(try await store.lineage(ofPage: child) == [child.id, row.id, database.id, top.id])
        #expect(try await store.lineage(ofDatabase: database) == [database.id, top.id])
        #expect(try await store.pages(databaseID: database.id) == [row])
        var archived = row
        archived.archived = true
        archived.title = "Renamed"
        try await store.updatePage(archived)
        #expect(try await store.page(id: row.id) == archived)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func concurrentOpensMigrateSafely(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let stores = try await withThrowingTaskGroup(of: SQLStore.self) { group in
            for _ in 0..<4 {
                group.addTask { try await engine.open(sqlitePath: path) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for store in stores {
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
            await store.shutdown()
        }
    }

    @Test(arguments: StoreEngine.available)
    func theChangeFeedFollowerDeliversEntriesWrittenByAnotherHandle(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let reader = try await engine.open(sqlitePath: path)
        let writer = try await engine.open(sqlitePath: path)
        let (_, integration, _, record) = try await Fixtures.seed(writer)
        let start = try await reader.latestChangeSequence()

        let received = AsyncStream<StoreChange>.makeStream()
        let follower = ChangeFeedFollower(
            store: reader,
            interval: .milliseconds(20),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let task = Task {
            await follower.run(
                from: start,
                onChanges: { for change in $0 { received.continuation.yield(change) } },
                onGap: {}
            )
        }
        _ = try await writer.revokeTokens(ids: [record.id], at: Fixtures.now)
        var delivered: StoreChange?
        for await change in received.stream where change.integrationID == integration.id {
            delivered = change
            break
        }
        task.cancel()
        #expect(delivered?.tokenDigest == record.digest)
        await reader.shutdown()
        await writer.shutdown()
    }
}

@Suite(.timeLimit(.minutes(1))) struct UsageStoreTests {
    /// Counts add up across flushes (and nodes); the last use only moves forward.
    @Test(arguments: StoreEngine.available)
    func usageCountsAddUpAndLastUseOnlyMovesForward(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, _, _, token) = try await Fixtures.seed(store)
        let later = Date(epochMilliseconds: 1_900_000_000_000)
        let earlier = later.addingTimeInterval(-60)
        try await store.recordUsage([
            TokenUsage(tokenID: token.id, count: 3, lastUsedAt: later, lastUsedIP: "10.0.0.2", lastUsedAgent: "b/2")
        ])
        try await store.recordUsage([
            TokenUsage(tokenID: token.id, count: 2, lastUsedAt: earlier, lastUsedIP: "10.0.0.1", lastUsedAgent: "a/1")
        ])
        let stored = try #require(try await store.token(id: token.id))
        #expect(stored.useCount == 5)
        #expect(stored.lastUsedAt == later)
        #expect(stored.lastUsedIP == "10.0.0.2")
        #expect(stored.lastUsedAgent == "b/2")
        await store.shutdown()
    }
}

/// Serialized: a purge is global, so two purging tests at once on the shared PostgreSQL database
/// would delete each other's fixtures.
@Suite(.serialized, .timeLimit(.minutes(1))) struct JanitorStoreTests {
    /// Revoked and expired tokens past the retention go; live ones, and recent revocations, stay.
    @Test(arguments: StoreEngine.available)
    func purgeKeepsOnlyLiveAndRecentCredentials(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, integration, _, live) = try await Fixtures.seed(store)
        let longAgo = Date().addingTimeInterval(-30 * 86_400)
        var expired = Fixtures.token(for: integration).1
        expired.expiresAt = longAgo
        var revokedLongAgo = Fixtures.token(for: integration).1
        revokedLongAgo.revokedAt = longAgo
        let revokedRecently = Fixtures.token(for: integration).1
        for token in [expired, revokedLongAgo, revokedRecently] {
            _ = try await store.rotate(to: token, oldTokensExpireAt: nil, at: Fixtures.now)
        }
        _ = try await store.revokeTokens(ids: [revokedRecently.id], at: Date())
        let purged = try await store.purge(
            credentialsBefore: Date().addingTimeInterval(-7 * 86_400),
            rateLimitsBefore: longAgo,
            changesBefore: longAgo,
            successorsBefore: longAgo
        )
        // On the shared PostgreSQL database a `serve` started by another suite may run its
        // janitor (the same rules) first and take these rows; the count is exact only on a store
        // of this test's own. Which tokens are left is exact on both.
        if case .sqlite = engine { #expect(purged == 2) }
        let left = Set(try await store.tokens(integrationID: integration.id).map(\.id))
        #expect(left == [live.id, revokedRecently.id])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func theJanitorPurgesExpiredCodesAndSessionsAndWipesOldSuccessors(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (app, person) = try await OAuthStoreTests.seedApp(store)
        let longAgo = Date().addingTimeInterval(-30 * 86_400)
        let (_, expired) = OAuthStoreTests.code(for: app, person: person, expiresAt: longAgo)
        let (_, live) = OAuthStoreTests.code(for: app, person: person, expiresAt: Date().addingTimeInterval(600))
        try await store.createAuthorizationCode(expired)
        try await store.createAuthorizationCode(live)
        let oldSession = SessionRecord(
            digest: TokenDigest(of: Fixtures.id()),
            userID: person.id,
            createdAt: longAgo,
            expiresAt: longAgo
        )
        let liveSession = SessionRecord(
            digest: TokenDigest(of: Fixtures.id()),
            userID: person.id,
            createdAt: Date(),
            expiresAt: Date().addingTimeInterval(3600)
        )
        try await store.createSession(oldSession)
        try await store.createSession(liveSession)
        let (_, integration, _, token) = try await Fixtures.seed(store)
        _ = integration
        _ = try await store.rotateRefreshToken(
            id: token.id,
            successors: [],
            sealedSuccessor: "sealed",
            usedFrom: nil,
            at: longAgo
        )
        try await store.purge(
            credentialsBefore: Date().addingTimeInterval(-7 * 86_400),
            rateLimitsBefore: longAgo,
            changesBefore: longAgo,
            successorsBefore: Date().addingTimeInterval(-60)
        )
        #expect(try await store.consumeAuthorizationCode(digest: expired.digest, at: Date()) == nil)
        #expect(try await store.consumeAuthorizationCode(digest: live.digest, at: Date()) != nil)
        #expect(try await store.session(digest: oldSession.digest) == nil)
        #expect(try await store.session(digest: liveSession.digest) != nil)
        #expect(try await store.refreshSuccessor(tokenID: token.id) == nil)
        await store.shutdown()
    }
}

@Suite(.timeLimit(.minutes(1))) struct AuditLogStoreTests {
    /// Appends from two handles at once (as two nodes) still form one unbroken chain; editing
    /// or deleting a stored event is then found.
    @Test(arguments: StoreEngine.available)
    func concurrentAppendsChainAndTamperingIsFound(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let first = try await engine.open(sqlitePath: path)
        let second = try await engine.open(sqlitePath: path)
        let start = Date(epochMilliseconds: Date().epochMilliseconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await (index.isMultiple(of: 2) ? first : second).appendEvent(
                        AuditEvent(time: start, actor: "test", action: "test.appended", target: "\(index)")
                    )
                }
            }
            try await group.waitForAll()
        }
        let all = try await first.events(since: nil, limit: 1_000_000)
        #expect(AuditChain.verify(all) == .intact(events: all.count))
        let mine = try await first.events(since: start, limit: 1_000_000).filter { $0.action == "test.appended" }
        #expect(mine.count >= 20)

        if engine == .sqlite {
            let victim = try #require(mine.dropFirst(3).first)
            try await first.read { database in
                try await database.raw(
                    "UPDATE audit_events SET details = '{\"forged\":\"1\"}' WHERE seq = \(bind: victim.sequence)"
                ).run()
            }
            let edited = AuditChain.verify(try await first.events(since: nil, limit: 1_000_000))
            #expect(
                edited == .broken(sequence: victim.sequence, reason: "this event was edited (its hash does not match)")
            )
        }
        await first.shutdown()
        await second.shutdown()
    }
}

@Suite(.timeLimit(.minutes(1))) struct RotationStoreTests {
    @Test(arguments: StoreEngine.available)
    func rotationLinksTheNewTokenAndSchedulesTheOldOnesExpiry(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, integration, _, old) = try await Fixtures.seed(store)
        let (_, fresh) = Fixtures.token(for: integration)
        let expiry = Fixtures.now.addingTimeInterval(3_600)
        let before = try await store.latestChangeSequence()
        let previous = try await store.rotate(to: fresh, oldTokensExpireAt: expiry, at: Fixtures.now)
        #expect(previous.map(\.id) == [old.id])
        #expect(try await store.token(id: old.id)?.expiresAt == expiry)
        #expect(try await store.token(id: fresh.id)?.rotatedFromID == old.id)
        #expect(try await store.token(id: fresh.id)?.expiresAt == nil)
        let changes = try await store.changes(after: before, limit: 100).filter { $0.integrationID == integration.id }
        #expect(changes.map(\.kind) == [.integrationChanged])
        await store.shutdown()
    }

    /// Parallel rotations that each end the old tokens at once leave exactly one live token.
    @Test(arguments: StoreEngine.available)
    func parallelRotationsLeaveOneLiveToken(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let store = try await engine.open(sqlitePath: path)
        let other = try await engine.open(sqlitePath: path)
        let (_, integration, _, _) = try await Fixtures.seed(store)
        let now = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let (_, fresh) = Fixtures.token(for: integration)
                    _ = try await (index.isMultiple(of: 2) ? store : other).rotate(
                        to: fresh,
                        oldTokensExpireAt: now,
                        at: now
                    )
                }
            }
            try await group.waitForAll()
        }
        let tokens = try await store.tokens(integrationID: integration.id)
        #expect(tokens.count == 9)
        #expect(tokens.filter { $0.isActive(at: now) }.count == 1)
        await store.shutdown()
        await other.shutdown()
    }
}

@Suite(.timeLimit(.minutes(1))) struct SharedRateLimitStoreTests {
    /// Forty requests at one instant from four store handles (as from four nodes): exactly the
    /// burst is admitted, because each admission is one atomic statement.
    @Test(arguments: StoreEngine.available)
    func concurrentAdmissionsNeverExceedTheBurst(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        var handles: [SQLStore] = []
        for _ in 0..<4 { handles.append(try await engine.open(sqlitePath: path)) }
        let stores = handles
        let key = "integration-\(Fixtures.id())"
        let plan = RatePlan(requestsPerSecond: 1, burst: 5, dailyQuota: nil)
        let now = RateLimitInstant(Date())
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await stores[index % 4].admit(
                        key: key,
                        now: now,
                        emissionInterval: plan.gcra.emissionInterval,
                        tolerance: plan.gcra.tolerance,
                        dailyQuota: nil,
                        permits: 1
                    ).admitted
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 5)
        for store in stores { await store.shutdown() }
    }

    @Test(arguments: StoreEngine.available)
    func theDailyQuotaIsCountedInTheStoreAndResetsWithTheDay(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let key = "integration-\(Fixtures.id())"
        let plan = RatePlan(requestsPerSecond: 1_000, burst: 1_000, dailyQuota: 3)
        let today = RateLimitInstant(Date(timeIntervalSince1970: 1_800_057_500))
        let tomorrow = RateLimitInstant(Date(timeIntervalSince1970: 1_800_057_700))
        func admit(_ instant: RateLimitInstant) async throws -> (admitted: Bool, state: RateLimitState) {
            try await store.admit(
                key: key,
                now: instant,
                emissionInterval: plan.gcra.emissionInterval,
                tolerance: plan.gcra.tolerance,
                dailyQuota: 3,
                permits: 1
            )
        }
        for expected in 1...3 { #expect(try await admit(today).state.usedToday == expected) }
        let refused = try await admit(today)
        #expect(!refused.admitted)
        #expect(plan.outcome(admitted: false, state: refused.state, at: today).refusal == .dailyQuota)
        let next = try await admit(tomorrow)
        #expect(next.admitted)
        #expect(next.state.usedToday == 1)
        await store.shutdown()
    }
}

@Suite struct DatabaseURLTests {
    @Test func sqliteAndPostgresURLsAreRead() throws {
        #expect(try DatabaseURL(parsing: "sqlite:gatehouse.sqlite") == .sqlite(path: "gatehouse.sqlite"))
        #expect(try DatabaseURL(parsing: "sqlite:///tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        guard case .postgres(let url) = try DatabaseURL(parsing: "postgres://gh:pw@127.0.0.1:5433/gatehouse") else {
            Issue.record("not postgres")
            return
        }
        #expect(url.port == 5433)
    }

    @Test(arguments: ["mysql://x@y/z", "sqlite:", "postgres://", "postgres://host/db", "gatehouse.sqlite", ""])
    func malformedURLsAreRefusedWithAReason(text: String) {
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(parsing: text) }
    }

    @Test func errorsAndRedactedFormsNeverShowThePassword() throws {
        let url = try DatabaseURL(parsing: "postgres://gh:hunter2secret@db.example:5432/gatehouse")
        #expect(!url.redacted.contains("hunter2secret"))
        #expect(url.redacted.contains("gh:***@db.example"))
        let error = DatabaseURLError(text: "postgres://gh:hunter2secret@", reason: "bad")
        #expect(!error.description.contains("hunter2secret"))
    }
}

@Suite struct DatabaseURLSecurityTests {
    @Test func postgresDefaultsToVerifiedTLSAwayFromLoopbackAndRefusesUnknownModes() throws {
        func mode(_ text: String) throws -> PostgresTLSMode {
            guard case .postgres(let url) = try DatabaseURL(parsing: text) else {
                throw StoreError(.notFound, "not postgres")
            }
            return try PostgresTLSMode(of: url)
        }
        #expect(try mode("postgres://u:p@db.example.com/x") == .verifyFull)
        #expect(try mode("postgres://u:p@10.0.0.5:5432/x") == .verifyFull)
        #expect(try mode("postgres://u:p@127.0.0.1/x") == .prefer)
        #expect(try mode("postgres://u:p@localhost/x") == .prefer)
        #expect(try mode("postgres://u:p@db.example.com/x?sslmode=require") == .verifyFull)
        #expect(try mode("postgres://u:p@db.example.com/x?sslmode=disable") == .disable)
        let error = try #require(throws: DatabaseURLError.self) {
            try DatabaseURL(parsing: "postgres://u:secret@db.example.com/x?sslmode=requir")
        }
        #expect(error.description.contains("sslmode must be"))
        #expect(!error.description.contains("secret"))
    }

    @Test func theSQLiteStoreAndItsWriteAheadLogAreReadableByTheirOwnerOnly() async throws {
        let path = Scratch.path(".sqlite")
        let store = try await SQLStore.open(.sqlite(path: path), logger: Logger(label: "test"))
        try await store.createWorkspace(
            Workspace(id: UUID().uuidString.lowercased(), name: "W", plan: .free, createdAt: Date())
        )
        for file in [path, path + "-wal", path + "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
        }
        await store.shutdown()
        // An existing file that others can read is made private when the store opens it.
        chmod(path, 0o644)
        let reopened = try await SQLStore.open(.sqlite(path: path), logger: Logger(label: "test"))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0)
        await reopened.shutdown()
    }
}

import Foundation
import GatehouseCore
import Logging
import SQLKit
import Testing

@testable import GatehouseStore

@Suite(.timeLimit(.minutes(1))) struct StoreTests {
    /// A new migration takes a number above every one already written (the runner applies what a
    /// store lacks in list order): otherwise an existing store would apply it after a later one
    /// and a new store before, and the two could end with different schemas.
    @Test func migrationVersionsStrictlyIncrease() {
        let versions = Migrations.all.map(\.version)
        #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 < $1 }, "\(versions)")
    }

    @Test(arguments: StoreEngine.available)
    func migrationsAreAppliedOnceAndRecorded(engine: StoreEngine) async throws {
        let store = try await engine.open()
        #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
        await store.shutdown()
    }

    /// On PostgreSQL every text column compares byte by byte, as on SQLite (migration 21 and the
    /// `engine.byteOrderCollation` of later ones): ids compared under a locale cost every index
    /// probe a `strcoll`, and a join between a column of each kind cannot use the other's index.
    @Test(arguments: StoreEngine.available.filter { $0 == .postgres })
    func everyTextColumnComparesByteByByte(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (tables, localeColumns) = try await store.read { database in
            let tables = try await database.raw(
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            ).all().map { try $0.decode(column: "name", as: String.self) }
            let columns = try await database.raw(
                """
                SELECT table_name || '.' || column_name AS name FROM information_schema.columns
                WHERE table_schema = current_schema() AND data_type = 'text'
                    AND coalesce(collation_name, 'default') <> 'C'
                """
            ).all().map { try $0.decode(column: "name", as: String.self) }
            return (tables, columns)
        }
        #expect(Set(Migrations.tablesAtVersion21).isSubset(of: Set(tables)))
        #expect(localeColumns == [], "text columns under the database's collation: \(localeColumns)")
        await store.shutdown()
    }

    /// Migration 21 on a table that holds rows: its text columns take `"C"` and keep statistics
    /// (the change discards them; the migration gathers them again). Run in a schema of its own,
    /// inside one transaction, so no other test sees the table.
    @Test(arguments: StoreEngine.available.filter { $0 == .postgres })
    func theCollationMigrationKeepsStatistics(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let schema = "collation_probe_\(UUID().uuidString.prefix(8).lowercased())"
        let (collations, analyzed) = try await store.transaction { database in
            try await database.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
            try await database.raw("SET LOCAL search_path = \(unsafeRaw: schema)").run()
            try await database.raw("CREATE TABLE pages (id TEXT PRIMARY KEY, title TEXT, n BIGINT)").run()
            try await database.raw(
                "INSERT INTO pages SELECT md5(CAST(g AS TEXT)), 'Page ' || g, g FROM generate_series(1, 500) g"
            ).run()
            try await database.raw("ANALYZE pages").run()
            try await database.raw("\(unsafeRaw: Migrations.byteOrderTextColumns(of: ["pages"]))").run()
            let collations = try await database.raw(
                """
                SELECT column_name || ' ' || coalesce(collation_name, 'default') AS c FROM information_schema.columns
                WHERE table_schema = \(bind: schema) AND data_type = 'text' ORDER BY column_name
                """
            ).all().map { try $0.decode(column: "c", as: String.self) }
            let analyzed = try await database.raw(
                "SELECT attname AS a FROM pg_stats WHERE schemaname = \(bind: schema) ORDER BY attname"
            ).all().map { try $0.decode(column: "a", as: String.self) }
            try await database.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run()
            return (collations, analyzed)
        }
        #expect(collations == ["id C", "title C"])
        #expect(analyzed == ["id", "n", "title"])
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

        #expect(try await store.deleteIntegration(id: integration.id, at: Fixtures.now))
        #expect(try await store.deleteIntegration(id: integration.id, at: Fixtures.now) == false)
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

        #expect(
            try await store.ancestry(of: .page, id: child.id, sharedWith: nil).lineage == [
                child.id, row.id, database.id, top.id,
            ]
        )
        #expect(
            try await store.ancestry(of: .database, id: database.id, sharedWith: nil).lineage == [database.id, top.id]
        )
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

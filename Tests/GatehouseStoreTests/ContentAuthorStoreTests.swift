import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

/// Who created and last edited a database or data source, as stored.
@Suite struct ContentAuthorStoreTests {
    @Test(arguments: StoreEngine.available)
    func authorsAreKeptAndAnUpdateNamesItsEditor(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let database = Fixtures.database(in: workspace, author: "bot-a")
        try await store.createDatabase(database, schema: DataSourceDefaults.titleOnlySchema)
        #expect(try await store.database(id: database.id)?.createdBy == "bot-a")
        var dataSource = try #require(try await store.dataSource(id: database.id))
        #expect([dataSource.createdBy, dataSource.lastEditedBy] == ["bot-a", "bot-a"])

        dataSource.name = "Backlog"
        dataSource.lastEditedBy = "bot-b"
        try await store.updateDataSource(dataSource, reindex: false)
        var renamed = database
        renamed.title = "Work"
        renamed.lastEditedBy = "bot-b"
        try await store.updateDatabase(renamed)
        let storedSource = try #require(try await store.dataSource(id: database.id))
        let storedDatabase = try #require(try await store.database(id: database.id))
        #expect([storedSource.createdBy, storedSource.lastEditedBy] == ["bot-a", "bot-b"])
        #expect([storedDatabase.createdBy, storedDatabase.lastEditedBy] == ["bot-a", "bot-b"])
    }

    /// Migration 25 gives databases and data sources stored before it their workspace's first
    /// member. (SQLite only: on the shared PostgreSQL database it would rewrite other tests' rows.)
    @Test func migration25GivesOlderOnesTheWorkspacesFirstMember() async throws {
        let store = try await StoreEngine.sqlite.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let first = Fixtures.person(in: workspace)
        var second = Fixtures.person(in: workspace)
        second.createdAt = first.createdAt.addingTimeInterval(60)
        try await store.createPerson(second)
        try await store.createPerson(first)
        let database = Fixtures.database(in: workspace)
        try await store.createDatabase(database, schema: DataSourceDefaults.titleOnlySchema)
        #expect(try await store.database(id: database.id)?.createdBy == nil)
        let migration = try #require(Migrations.all.first { $0.version == 25 })
        try await store.transaction { sql in
            for statement in migration.statements(store.engine) where statement.hasPrefix("UPDATE") {
                try await sql.raw("\(unsafeRaw: statement)").run()
            }
        }
        #expect(try await store.database(id: database.id)?.createdBy == first.id)
        #expect(try await store.dataSource(id: database.id)?.createdBy == first.id)
    }
}

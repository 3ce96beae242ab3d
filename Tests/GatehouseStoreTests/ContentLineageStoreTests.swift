import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

@testable import GatehouseStore

/// Lineages in the store, the ids a share is looked up on: a page in a database's second data
/// source reaches the database through it, at any depth, on both engines.
@Suite(.timeLimit(.minutes(2))) struct ContentLineageStoreTests {
    static func page(_ workspace: Workspace, _ parent: PageParent) -> PageRecord {
        PageRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "P",
            parent: parent,
            createdBy: "bot",
            lastEditedBy: "bot",
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
    }

    static func database(_ workspace: Workspace, under parent: PageRecord) -> DatabaseRecord {
        DatabaseRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "D",
            parentPageID: parent.id,
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
    }

    /// A top-level page holding a database with a second data source, and a row of that one.
    static func rowInSecondDataSource(
        _ store: SQLStore,
        _ workspace: Workspace
    ) async throws -> (top: PageRecord, database: DatabaseRecord, second: DataSourceRecord, row: PageRecord) {
        let top = page(workspace, .workspace)
        try await store.createPage(top)
        let database = database(workspace, under: top)
        try await store.createDatabase(database, schema: DataSourceDefaults.titleOnlySchema)
        let second = DataSourceRecord(
            id: Fixtures.id(),
            databaseID: database.id,
            workspaceID: workspace.id,
            name: "Second",
            schema: DataSourceDefaults.titleOnlySchema,
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        try await store.createDataSource(second)
        let row = page(workspace, .database(second.id))
        try await store.createPage(row)
        return (top, database, second, row)
    }

    /// The ancestry of a nested block, read in one statement: every node up to the workspace,
    /// nearest first, each with its own trash and whether it is shared with the integration.
    @Test(arguments: StoreEngine.available)
    func anAncestryNamesEveryNodeAboveWithItsTrashAndSharing(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, integration, _, _) = try await Fixtures.seed(store)
        var (top, database, second, row) = try await Self.rowInSecondDataSource(store, workspace)
        var paragraph = BlockContent(type: .paragraph)
        paragraph.richText = [.text("outer")]
        let written = try await store.appendBlocks(
            [BlockDraft(content: paragraph, children: [BlockDraft(content: paragraph)])],
            to: BlockAppendTarget(
                parent: .page(id: row.id),
                pageID: row.id,
                workspaceID: workspace.id,
                userID: "bot",
                time: Fixtures.now
            ),
            at: .end
        )
        let (outer, inner) = (written[0], written[1])
        try await store.setShare(
            integrationID: integration.id,
            resourceID: top.id,
            resourceType: "page",
            remove: false,
            at: Fixtures.now
        )

        let ancestry = try await store.ancestry(of: .block, id: inner.id, sharedWith: integration.id)
        #expect(ancestry.map(\.kind) == [.block, .block, .page, .dataSource, .database, .page])
        #expect(ancestry.map(\.id) == [inner.id, outer.id, row.id, second.id, database.id, top.id])
        #expect(ancestry.lineage == [row.id, second.id, database.id, top.id])
        #expect(ancestry.sharedIDs == [top.id])
        #expect(!ancestry.anyInTrash)

        second.inTrash = true
        try await store.updateDataSource(second, reindex: false)
        let trashed = try await store.ancestry(of: .block, id: inner.id, sharedWith: "someone else")
        #expect(trashed.filter(\.inTrash).map(\.id) == [second.id])
        #expect(trashed.sharedIDs.isEmpty)
        #expect(try await store.ancestry(of: .page, id: Fixtures.id(), sharedWith: nil).isEmpty)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aPageUnderASecondDataSourceReachesItsDatabaseAndEverythingAbove(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let (top, database, second, row) = try await Self.rowInSecondDataSource(store, workspace)
        let child = Self.page(workspace, .page(row.id))
        try await store.createPage(child)
        let inner = Self.database(workspace, under: child)
        try await store.createDatabase(inner, schema: DataSourceDefaults.titleOnlySchema)
        let deep = Self.page(workspace, .database(inner.id))
        try await store.createPage(deep)

        #expect(
            try await store.ancestry(of: .page, id: row.id, sharedWith: nil).lineage == [
                row.id, second.id, database.id, top.id,
            ]
        )
        #expect(
            try await store.ancestry(of: .page, id: deep.id, sharedWith: nil).lineage
                == [deep.id, inner.id, child.id, row.id, second.id, database.id, top.id]
        )
        #expect(
            try await store.ancestry(of: .dataSource, id: second.id, sharedWith: nil).lineage == [
                second.id, database.id, top.id,
            ]
        )
        let first = try #require(try await store.dataSources(databaseID: database.id).first)
        #expect(
            try await store.ancestry(of: .dataSource, id: first.id, sharedWith: nil).lineage == [database.id, top.id]
        )

        let (elsewhere, _, _, _) = try await Fixtures.seed(store)
        let theirTop = Self.page(elsewhere, .workspace)
        try await store.createPage(theirTop)
        try await store.createDatabase(
            Self.database(elsewhere, under: theirTop),
            schema: DataSourceDefaults.titleOnlySchema
        )
        let listed = try await store.dataSources(workspaceID: workspace.id).map(\.id)
        #expect(Set(listed) == [database.id, second.id, inner.id])
        await store.shutdown()
    }
}

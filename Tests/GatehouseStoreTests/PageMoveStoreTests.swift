import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

/// A page moved in one transaction: its parent, its `child_page` block, its index rows, its number.
@Suite struct PageMoveStoreTests {
    static func page(under parent: PageParent, in workspace: Workspace, title: String) -> StoredPage {
        Fixtures.storedPage(
            in: workspace.id,
            under: parent,
            title: title,
            values: ["title": .title(RichText([.text(title)]))]
        )
    }

    static func target(_ pageID: String, in workspace: Workspace) -> BlockAppendTarget {
        BlockAppendTarget(
            parent: .page(id: pageID),
            pageID: pageID,
            workspaceID: workspace.id,
            userID: "bot",
            time: Fixtures.now
        )
    }

    @Test(arguments: StoreEngine.available)
    func aPageMovesIntoADataSourceAndBackUnderAPage(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let database = Fixtures.database(in: workspace)
        try await store.createDatabase(
            database,
            schema: DataSourceSchema(properties: [
                PropertyDefinition(id: "title", name: "Name", type: .title),
                PropertyDefinition(id: "key", name: "Key", type: .uniqueId),
            ])
        )
        let dataSource = try #require(try await store.dataSource(id: database.id))
        let home = Self.page(under: .workspace, in: workspace, title: "Home")
        try await store.writePage(home, create: true, dataSource: nil)
        let page = Self.page(under: .page(home.record.id), in: workspace, title: "Moving")
        try await store.writePage(page, create: true, dataSource: nil)
        _ = try await store.appendChildReference(
            id: page.record.id,
            content: .childPage(title: "Moving"),
            to: Self.target(home.record.id, in: workspace)
        )
        #expect(
            try await store.children(of: home.record.id, startCursor: nil, pageSize: 10).blocks.map(\.id) == [
                page.record.id
            ]
        )

        let pageID = page.record.id
        let moved = try await store.movePage(
            pageID,
            from: .page(home.record.id),
            to: .database(dataSource.id),
            into: dataSource,
            by: "bot-b",
            at: Fixtures.now,
            reference: nil
        )
        #expect(moved.page.properties.metadata.uniqueNumber == 1)
        #expect(try await store.page(id: page.record.id)?.parent == .database(dataSource.id))
        #expect(try await store.children(of: home.record.id, startCursor: nil, pageSize: 10).blocks.isEmpty)
        let keys = try await store.read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM page_sort_keys WHERE page_id = \(bind: pageID)")
                .first()?.decode(column: "n", as: Int.self)
        }
        #expect((keys ?? 0) > 0)

        #expect(moved.page.properties.values.keys.sorted() == ["title"])
        #expect(moved.page.record.lastEditedBy == "bot-b")
        // Moved from a parent it no longer has: refused, nothing written.
        await #expect(throws: StoreError(.conflict, "page \(pageID) moved or was trashed meanwhile")) {
            try await store.movePage(
                pageID,
                from: .page(home.record.id),
                to: .workspace,
                into: nil,
                by: "bot",
                at: Fixtures.now,
                reference: nil
            )
        }
        // A write computed from the page as read before the move: refused too.
        await #expect(throws: StoreError.self) {
            try await store.writePage(page, create: false, dataSource: nil, setting: PageUpdate(properties: ["title"]))
        }
        #expect(try await store.page(id: pageID)?.parent == .database(dataSource.id))
        try await store.movePage(
            pageID,
            from: .database(dataSource.id),
            to: .page(home.record.id),
            into: nil,
            by: "bot",
            at: Fixtures.now,
            reference: Self.target(home.record.id, in: workspace)
        )
        #expect(try await store.page(id: page.record.id)?.parent == .page(home.record.id))
        #expect(
            try await store.children(of: home.record.id, startCursor: nil, pageSize: 10).blocks.map(\.id) == [
                page.record.id
            ]
        )
        let left = try await store.read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM page_sort_keys WHERE page_id = \(bind: pageID)")
                .first()?.decode(column: "n", as: Int.self)
        }
        #expect(left == 0)
        // Under a page that lies under it: refused.
        await #expect(
            throws: StoreError(.conflict, "the new parent of page \(home.record.id) moved under it meanwhile")
        ) {
            try await store.movePage(
                home.record.id,
                from: .workspace,
                to: .page(pageID),
                into: nil,
                by: "bot",
                at: Fixtures.now,
                reference: nil
            )
        }
    }
}

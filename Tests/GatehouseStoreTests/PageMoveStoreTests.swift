import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

/// A page moved in one transaction: its parent, its `child_page` block, its index rows, its number.
@Suite struct PageMoveStoreTests {
    static func page(under parent: PageParent, in workspace: Workspace, title: String) -> StoredPage {
        let record = PageRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: title,
            parent: parent,
            createdBy: "bot",
            lastEditedBy: "bot",
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        let metadata = PageMetadata(
            createdTime: Fixtures.now.epochMilliseconds,
            lastEditedTime: Fixtures.now.epochMilliseconds,
            createdBy: "bot",
            lastEditedBy: "bot"
        )
        return StoredPage(
            record: record,
            properties: PageProperties(values: ["title": .title(RichText([.text(title)]))], metadata: metadata)
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
        var page = Self.page(under: .page(home.record.id), in: workspace, title: "Moving")
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

        page.record.parent = .database(dataSource.id)
        let pageID = page.record.id
        let moved = try await store.movePage(page, into: dataSource, leaving: nil, reference: nil)
        #expect(moved.page.properties.metadata.uniqueNumber == 1)
        #expect(try await store.page(id: page.record.id)?.parent == .database(dataSource.id))
        #expect(try await store.children(of: home.record.id, startCursor: nil, pageSize: 10).blocks.isEmpty)
        let keys = try await store.read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM page_sort_keys WHERE page_id = \(bind: pageID)")
                .first()?.decode(column: "n", as: Int.self)
        }
        #expect((keys ?? 0) > 0)

        var back = moved.page
        back.record.parent = .page(home.record.id)
        back.properties.values = ["title": .title(RichText([.text("Moving")]))]
        try await store.movePage(
            back,
            into: nil,
            leaving: dataSource,
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
    }
}

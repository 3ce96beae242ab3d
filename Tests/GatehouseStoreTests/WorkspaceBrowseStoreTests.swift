import Foundation
import GatehouseCore
import Testing

@testable import GatehouseStore

/// The console's reads by parent: one workspace's tree a level at a time, paged; titles only of
/// that workspace's pages; a page's comments with its blocks'.
@Suite(.timeLimit(.minutes(1))) struct WorkspaceBrowseStoreTests {
    static func page(_ workspace: Workspace, _ title: String, _ parent: PageParent, at offset: Double) -> PageRecord {
        let time = Fixtures.now.addingTimeInterval(offset)
        return PageRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: title,
            parent: parent,
            createdBy: "person",
            lastEditedBy: "person",
            createdAt: time,
            lastEditedAt: time
        )
    }

    @Test(arguments: StoreEngine.available)
    func theTreeIsReadOneParentAtATimeInPagesOfOneWorkspace(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        let other = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        try await store.createWorkspace(other)
        let top = (0..<5).map { Self.page(workspace, "Top \($0)", .workspace, at: Double($0)) }
        for page in top.reversed() { try await store.createPage(page) }
        var trashed = top[4]
        trashed.archived = true
        try await store.updatePage(trashed)
        let child = Self.page(workspace, "Child", .page(top[0].id), at: 10)
        try await store.createPage(child)
        let database = DatabaseRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "Tasks",
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        try await store.createDatabase(database)
        let nested = DatabaseRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "Nested",
            parentPageID: top[0].id,
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        try await store.createDatabase(nested)
        let row = Self.page(workspace, "Row", .database(database.id), at: 20)
        try await store.createPage(row)
        try await store.createPage(Self.page(other, "Theirs", .workspace, at: 0))
        try await store.createDatabase(
            DatabaseRecord(
                id: Fixtures.id(),
                workspaceID: other.id,
                title: "Their table",
                createdAt: Fixtures.now,
                lastEditedAt: Fixtures.now
            )
        )

        let first = try await store.childPages(workspaceID: workspace.id, parentPageID: nil, offset: 0, limit: 3)
        let rest = try await store.childPages(workspaceID: workspace.id, parentPageID: nil, offset: 3, limit: 3)
        #expect((first + rest).map(\.id) == top.map(\.id))
        #expect(rest.last?.archived == true)
        #expect(
            try await store.childPages(workspaceID: workspace.id, parentPageID: top[0].id, offset: 0, limit: 10)
                .map(\.id) == [child.id]
        )
        #expect(
            try await store.childDatabases(workspaceID: workspace.id, parentPageID: nil, limit: 10).map(\.id)
                == [database.id]
        )
        #expect(
            try await store.childDatabases(workspaceID: workspace.id, parentPageID: top[0].id, limit: 10).map(\.id)
                == [nested.id]
        )
        // Another workspace's ids have no title here.
        let theirs = try await store.childPages(workspaceID: other.id, parentPageID: nil, offset: 0, limit: 10)
        let titles = try await store.pageTitles(workspaceID: workspace.id, ids: [row.id, child.id, theirs[0].id])
        #expect(titles == [row.id: "Row", child.id: "Child"])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aPagesCommentsIncludeThoseOnItsBlocksOldestFirst(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let page = Fixtures.id()
        let block = Fixtures.id()
        func comment(on parent: CommentParent, pageID: String, at offset: Double) -> CommentRecord {
            let time = Fixtures.now.addingTimeInterval(offset)
            return CommentRecord(
                id: Fixtures.id(),
                workspaceID: workspace.id,
                parent: parent,
                pageID: pageID,
                discussionID: Fixtures.id(),
                richTextJSON: "[]",
                displayName: .integration,
                createdBy: "bot",
                createdAt: time,
                lastEditedAt: time
            )
        }
        let onBlock = comment(on: .block(block), pageID: page, at: 2)
        let onPage = comment(on: .page(page), pageID: page, at: 1)
        let elsewhere = comment(on: .page(Fixtures.id()), pageID: Fixtures.id(), at: 0)
        for made in [onBlock, onPage, elsewhere] { try await store.createComment(made) }
        #expect(try await store.comments(pageID: page, limit: 10).map(\.id) == [onPage.id, onBlock.id])
        #expect(try await store.comments(pageID: page, limit: 1).map(\.id) == [onPage.id])
        await store.shutdown()
    }
}

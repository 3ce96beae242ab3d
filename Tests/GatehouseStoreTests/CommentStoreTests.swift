import Foundation
import GatehouseCore
import Testing

@testable import GatehouseStore

@Suite(.timeLimit(.minutes(1))) struct CommentStoreTests {
    static func comment(
        _ workspace: Workspace,
        on pageID: String,
        discussion: String,
        at offset: Double
    ) -> CommentRecord {
        let time = Fixtures.now.addingTimeInterval(offset)
        return CommentRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            parent: .page(pageID),
            pageID: pageID,
            discussionID: discussion,
            richTextJSON: #"[{"text":{"content":"at \#(offset)"}}]"#,
            displayName: offset == 0 ? .custom("Reviewer") : .integration,
            createdBy: "bot",
            createdAt: time,
            lastEditedAt: time
        )
    }

    @Test(arguments: StoreEngine.available)
    func commentsArePagedInOrderFoundByDiscussionEditedAndDeleted(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let page = Fixtures.id()
        let discussion = Fixtures.id()
        // Written out of order, two at the same instant: listed by time, then id.
        let made = [2.0, 0.0, 1.0, 1.0, 3.0].map { Self.comment(workspace, on: page, discussion: discussion, at: $0) }
        for comment in made { try await store.createComment(comment) }
        try await store.createComment(Self.comment(workspace, on: Fixtures.id(), discussion: Fixtures.id(), at: 0))
        let expected = made.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.id)

        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.comments(parentID: page, from: cursor, limit: 3)
            seen += page.prefix(2).map(\.id)
            cursor = page.count > 2 ? page[2].id : nil
        } while cursor != nil
        #expect(seen == expected)
        #expect(try await store.comments(discussionID: discussion).map(\.id) == expected)
        #expect(try await store.comment(id: made[1].id) == made[1])

        let later = Fixtures.now.addingTimeInterval(60)
        let edited = try #require(try await store.updateComment(id: made[0].id, richTextJSON: "[]", at: later))
        #expect(edited.richTextJSON == "[]")
        #expect(edited.lastEditedAt == later)
        #expect(try await store.deleteComment(id: made[0].id)?.id == made[0].id)
        #expect(try await store.deleteComment(id: made[0].id) == nil)
        #expect(try await store.comment(id: made[0].id) == nil)
        await store.shutdown()
    }
}

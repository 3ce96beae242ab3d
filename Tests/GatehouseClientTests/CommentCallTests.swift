import Foundation
import Testing

@testable import GatehouseClient

@Suite struct CommentCallTests {
    @Test func aCommentIsCreatedOnAPageABlockOrInADiscussion() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/v1/comments", json: Fixture.comment)
        let client = makeClient(mock)
        let comment = try await client.createComment(on: .page(Fixture.pageID), richText: [.text("Looks good")])
        #expect(comment.plainText == "Looks good")
        #expect(comment.discussionID == Fixture.discussionID)
        #expect(comment.parent == .page(Fixture.pageID))
        #expect(comment.displayName?["resolved_name"] == "Demo integration")
        _ = try await client.createComment(
            on: .block(Fixture.blockID),
            richText: [.mention(["type": "user", "user": ["id": .string(Fixture.userID)]]), .text(" see this")]
        )
        _ = try await client.createComment(on: .discussion(Fixture.discussionID), richText: [.equation("e^{i\\pi}")])
        let bodies = try mock.calls.map(sentBody)
        #expect(mock.calls.allSatisfy { $0.method == "POST" && $0.path == "/v1/comments" })
        #expect(
            bodies[0] == [
                "parent": ["type": "page_id", "page_id": .string(Fixture.pageID)],
                "rich_text": [["type": "text", "text": ["content": "Looks good"]]],
            ]
        )
        #expect(
            bodies[1] == [
                "parent": ["type": "block_id", "block_id": .string(Fixture.blockID)],
                "rich_text": [
                    ["type": "mention", "mention": ["type": "user", "user": ["id": .string(Fixture.userID)]]],
                    ["type": "text", "text": ["content": " see this"]],
                ],
            ]
        )
        #expect(
            bodies[2] == [
                "discussion_id": .string(Fixture.discussionID),
                "rich_text": [["type": "equation", "equation": ["expression": "e^{i\\pi}"]]],
            ]
        )
    }

    @Test func commentsAreListedByBlockIDAPageAtATime() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/comments",
            json: Fixture.list([Fixture.comment], type: "comment", next: "c2")
        )
        let comments = try await makeClient(mock).comments(blockID: Fixture.pageID, startCursor: "c1", pageSize: 1)
        #expect(comments.results.map(\.id) == [Fixture.commentID])
        #expect(comments.hasMore)
        #expect(mock.calls.first?.query == "block_id=\(Fixture.pageID)&start_cursor=c1&page_size=1")
        await #expect(throws: NotionError.self) { try await makeClient(mock).comments(blockID: "x&y=1") }
        #expect(mock.calls.count == 1)
    }

    @Test func aCommentIsRetrievedUpdatedAndDeleted() async throws {
        let mock = MockTransport()
        let path = "/v1/comments/\(Fixture.commentID)"
        mock.respond(to: "GET", path: path, json: Fixture.comment)
        mock.respond(
            to: "PATCH",
            path: path,
            json: Fixture.comment.replacingOccurrences(of: "Looks good", with: "Ship it")
        )
        mock.respond(to: "DELETE", path: path, json: Fixture.comment)
        let client = makeClient(mock)
        #expect(try await client.comment(id: Fixture.commentID).createdBy?.id == Fixture.userID)
        #expect(
            try await client.updateComment(id: Fixture.commentID, richText: [.text("Ship it")]).plainText == "Ship it"
        )
        #expect(try await client.deleteComment(id: Fixture.commentID).id == Fixture.commentID)
        #expect(mock.calls.map(\.method) == ["GET", "PATCH", "DELETE"])
        #expect(try sentBody(mock.calls[1]) == ["rich_text": [["type": "text", "text": ["content": "Ship it"]]]])
    }

    @Test func commentingWithoutTheCapabilityIsARestrictedResourceError() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "POST",
            path: "/v1/comments",
            status: 403,
            json: errorJSON(403, "restricted_resource", "Insufficient permissions for this endpoint.")
        )
        let sleeps = Sleeps()
        let error = try await #require(throws: NotionError.self) {
            try await makeClient(mock, sleeps: sleeps).createComment(on: .page(Fixture.pageID), richText: [.text("x")])
        }
        #expect(error.code == .restrictedResource)
        #expect(error.status == 403)
        #expect(sleeps.all.isEmpty)
    }
}

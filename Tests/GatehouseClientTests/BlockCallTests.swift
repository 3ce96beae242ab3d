import Foundation
import Testing

@testable import GatehouseClient

@Suite struct BlockCallTests {
    @Test func aBlockDecodesItsTypePayloadAndFlags() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/blocks/\(Fixture.blockID)", json: Fixture.paragraph(hasChildren: true))
        let block = try await makeClient(mock).block(id: Fixture.blockID)
        #expect(block.type == "paragraph")
        #expect(block.plainText == "Lacinato kale")
        #expect(block.richText.first?.type == "text")
        #expect(block.content["color"] == "default")
        #expect(block.hasChildren)
        #expect(!block.inTrash)
        #expect(block.parent == .page(Fixture.pageID))
        #expect(block.createdBy?.id == Fixture.userID)
        #expect(mock.calls.first?.method == "GET")
    }

    @Test func aChildPageBlockReadsItsTitle() throws {
        let block = try JSONDecoder().decode(
            Block.self,
            from: Data(
                #"{"object":"block","id":"b2","type":"child_page","child_page":{"title":"Roadmap"},"has_children":true}"#
                    .utf8
            )
        )
        #expect(block.plainText == "Roadmap")
        #expect(block.richText.isEmpty)
    }

    @Test func updatingABlockSendsTheTypesObjectAndTheTrashFlag() async throws {
        let mock = MockTransport()
        mock.respond(to: "PATCH", path: "/v1/blocks/\(Fixture.blockID)", json: Fixture.paragraph(text: "Kale"))
        let block = try await makeClient(mock).updateBlock(
            id: Fixture.blockID,
            content: .toDo("Kale", checked: true)
        )
        #expect(block.plainText == "Kale")
        #expect(
            try sentBody(try #require(mock.calls.first)) == [
                "to_do": ["rich_text": [["type": "text", "text": ["content": "Kale"]]], "checked": true]
            ]
        )
        _ = try await makeClient(mock).updateBlock(id: Fixture.blockID, inTrash: false)
        #expect(try sentBody(mock.calls[1]) == ["in_trash": false])
    }

    @Test func deletingABlockIsADeleteThatReturnsItTrashed() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "DELETE",
            path: "/v1/blocks/\(Fixture.blockID)",
            json: Fixture.paragraph().replacingOccurrences(of: #""in_trash":false"#, with: #""in_trash":true"#)
        )
        let block = try await makeClient(mock).deleteBlock(id: Fixture.blockID)
        #expect(block.inTrash)
        let call = try #require(mock.calls.first)
        #expect(call.method == "DELETE")
        #expect(call.body == nil)
    }

    @Test func childrenAreListedAPageAtATime() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/blocks/\(Fixture.pageID)/children",
            json: Fixture.list(
                [Fixture.paragraph(id: "b1", text: "One"), Fixture.paragraph(id: "b2", text: "Two")],
                type: "block",
                next: "b3"
            )
        )
        let children = try await makeClient(mock).blockChildren(id: Fixture.pageID, startCursor: "b0", pageSize: 2)
        #expect(children.results.map(\.plainText) == ["One", "Two"])
        #expect(children.nextCursor == "b3")
        #expect(mock.calls.first?.query == "start_cursor=b0&page_size=2")
    }

    @Test func appendingSendsChildrenWithThePositionOrTheOlderAfter() async throws {
        let mock = MockTransport()
        let path = "/v1/blocks/\(Fixture.pageID)/children"
        mock.respond(to: "PATCH", path: path, json: Fixture.list([Fixture.paragraph()], type: "block"))
        let appended = try await makeClient(mock).appendBlockChildren(
            to: Fixture.pageID,
            children: [.paragraph("Lacinato kale"), .divider, .code("print(1)", language: "swift")],
            position: .afterBlock("b1")
        )
        #expect(appended.results.map(\.id) == [Fixture.blockID])
        let body = try sentBody(try #require(mock.calls.first))
        #expect(body["position"] == ["type": "after_block", "after_block": ["id": "b1"]])
        #expect(body["after"] == nil)
        #expect(body["children"]?[1] == ["object": "block", "type": "divider", "divider": [:]])
        #expect(body["children"]?[2]?["code"]?["language"] == "swift")

        _ = try await makeClient(mock).appendBlockChildren(to: Fixture.pageID, children: [.divider], position: .start)
        #expect(try sentBody(mock.calls[1])["position"] == ["type": "start"])
        _ = try await makeClient(mock).appendBlockChildren(to: Fixture.pageID, children: [.divider], after: "b1")
        let older = try sentBody(mock.calls[2])
        #expect(older["after"] == "b1")
        #expect(older["position"] == nil)
    }

    @Test func anAppendIsNotRetriedAfterAServerErrorSoNothingIsAddedTwice() async throws {
        let mock = MockTransport()
        let path = "/v1/blocks/\(Fixture.pageID)/children"
        mock.respond(to: "PATCH", path: path, status: 500, json: errorJSON(500, "internal_server_error"))
        let sleeps = Sleeps()
        await #expect(throws: NotionError.self) {
            try await makeClient(mock, sleeps: sleeps).appendBlockChildren(to: Fixture.pageID, children: [.divider])
        }
        #expect(mock.calls.count == 1)
        #expect(sleeps.all.isEmpty)
    }

    @Test func aConflictOrTooManyChildrenIsATypedError() async throws {
        let mock = MockTransport()
        let path = "/v1/blocks/\(Fixture.pageID)/children"
        mock.respond(
            to: "PATCH",
            path: path,
            status: 409,
            json: errorJSON(409, "conflict_error", "Conflict occurred while saving.")
        )
        let conflict = try await #require(throws: NotionError.self) {
            try await makeClient(mock).appendBlockChildren(to: Fixture.pageID, children: [.divider])
        }
        #expect(conflict.code == .conflictError)
        #expect(conflict.requestID == "req-409")
        let many = MockTransport()
        many.respond(
            to: "PATCH",
            path: path,
            status: 400,
            json: errorJSON(400, "validation_error", "body.children.length should be ≤ `100`, instead was `101`.")
        )
        let tooMany = try await #require(throws: NotionError.self) {
            try await makeClient(many).appendBlockChildren(
                to: Fixture.pageID,
                children: Array(repeating: .divider, count: 101)
            )
        }
        #expect(tooMany.code == .validationError)
        #expect(tooMany.message.contains("101"))
    }
}

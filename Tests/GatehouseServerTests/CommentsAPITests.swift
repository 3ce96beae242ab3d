import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct CommentsAPITests {
    static func comment(on pageID: String, _ text: String) -> String {
        #"{"parent": {"page_id": "\#(pageID)"}, "rich_text": [{"text": {"content": "\#(text)"}}]}"#
    }

    @Test func aCommentIsWrittenReadBackListedAndRepliedTo() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let page = world.sharedPage.id
            let created = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: Self.comment(on: page, "First")
            )
            #expect(created.status == 200, "\(created.text)")
            #expect(created.json["object"] as? String == "comment")
            let parent = created.json["parent"] as? [String: Any]
            #expect(parent?["type"] as? String == "page_id")
            #expect(parent?["page_id"] as? String == page)
            let richText = created.json["rich_text"] as? [[String: Any]]
            #expect(richText?.first?["plain_text"] as? String == "First")
            #expect((created.json["display_name"] as? [String: Any])?["resolved_name"] as? String == "Robot")
            let id = try #require(created.json["id"] as? String)
            let discussion = try #require(created.json["discussion_id"] as? String)

            let reply = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: #"{"discussion_id": "\#(discussion)", "rich_text": [{"text": {"content": "Second"}}]}"#
            )
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["discussion_id"] as? String == discussion)

            let fetched = try await client.call(.get, "/v1/comments/\(id)", token: world.token)
            #expect(fetched.status == 200)
            #expect(fetched.json["id"] as? String == id)

            let listed = try await client.call(.get, "/v1/comments?block_id=\(page)", token: world.token)
            #expect(listed.status == 200)
            #expect(listed.json["type"] as? String == "comment")
            let texts = listed.results.compactMap {
                ($0["rich_text"] as? [[String: Any]])?.first?["plain_text"] as? String
            }
            #expect(texts == ["First", "Second"])
        }
    }

    @Test func aCommentOnABlockNamesTheBlockAndIsListedByItsID() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let appended = try await client.call(
                .patch,
                "/v1/blocks/\(world.sharedPage.id)/children",
                token: world.token,
                body: #"{"children": [{"paragraph": {"rich_text": [{"text": {"content": "Hi"}}]}}]}"#
            )
            #expect(appended.status == 200, "\(appended.text)")
            let block = try #require(appended.results.first?["id"] as? String)
            let created = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: #"{"parent": {"block_id": "\#(block)"}, "rich_text": [{"text": {"content": "On it"}}]}"#
            )
            #expect(created.status == 200, "\(created.text)")
            let parent = created.json["parent"] as? [String: Any]
            #expect(parent?["type"] as? String == "block_id")
            #expect(parent?["block_id"] as? String == block)
            let listed = try await client.call(.get, "/v1/comments?block_id=\(block)", token: world.token)
            #expect(listed.results.compactMap { $0["id"] as? String } == [created.json["id"] as? String])
            let onPage = try await client.call(.get, "/v1/comments?block_id=\(world.sharedPage.id)", token: world.token)
            #expect(onPage.results.isEmpty)
        }
    }

    @Test func listingPagesThroughTheCommentsInOrder() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let page = world.sharedPage.id
            for index in 0..<5 {
                let made = try await client.call(
                    .post,
                    "/v1/comments",
                    token: world.token,
                    body: Self.comment(on: page, "c\(index)")
                )
                #expect(made.status == 200)
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "/v1/comments?block_id=\(page)&page_size=2" + (cursor.map { "&start_cursor=\($0)" } ?? "")
                let listed = try await client.call(.get, query, token: world.token)
                #expect(listed.status == 200)
                seen += listed.results.compactMap {
                    ($0["rich_text"] as? [[String: Any]])?.first?["plain_text"] as? String
                }
                cursor = listed.json["next_cursor"] as? String
                #expect((listed.json["has_more"] as? Bool) == (cursor != nil))
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == ["c0", "c1", "c2", "c3", "c4"])
            #expect(pages == 3)
        }
    }

    @Test func readingNeedsReadCommentsAndWritingNeedsInsertComments() async throws {
        let world = try await TestWorld.make()
        let (reader, readerToken) = try await world.otherIntegration(
            capabilities: Capabilities(content: [.readContent, .readComments], userInfo: .withoutEmail)
        )
        let (_, contentOnlyToken) = try await world.otherIntegration(
            capabilities: Capabilities(content: [.readContent, .insertContent], userInfo: .withoutEmail)
        )
        for integration in [reader.id] {
            _ = try await world.admin.share(
                integrationID: integration,
                target: .database(world.sharedDatabase.id),
                remove: false
            )
        }
        try await world.test(.router) { client in
            let page = world.sharedPage.id
            let made = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: Self.comment(on: page, "Hi")
            )
            let id = try #require(made.json["id"] as? String)
            let refusedWrite = try await client.call(
                .post,
                "/v1/comments",
                token: readerToken,
                body: Self.comment(on: page, "No")
            )
            #expect(refusedWrite.status == 403)
            #expect(refusedWrite.code == "restricted_resource")
            let allowedRead = try await client.call(.get, "/v1/comments/\(id)", token: readerToken)
            #expect(allowedRead.status == 200)
            let refusedRead = try await client.call(.get, "/v1/comments?block_id=\(page)", token: contentOnlyToken)
            #expect(refusedRead.status == 403)
            // Nothing was written by the refused request.
            let listed = try await client.call(.get, "/v1/comments?block_id=\(page)", token: world.token)
            #expect(listed.results.count == 1)
        }
    }

    @Test func anUnsharedPageAndAnotherBotsCommentAreGuarded() async throws {
        let world = try await TestWorld.make()
        let (_, otherToken) = try await world.otherIntegrationSharingTheDatabase()
        try await world.test(.router) { client in
            let unshared = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: Self.comment(on: world.unsharedPage.id, "Secret")
            )
            #expect(unshared.status == 403)
            let listUnshared = try await client.call(
                .get,
                "/v1/comments?block_id=\(world.unsharedPage.id)",
                token: world.token
            )
            #expect(listUnshared.status == 403)

            let mine = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: Self.comment(on: world.sharedPage.id, "Mine")
            )
            let id = try #require(mine.json["id"] as? String)
            let edit = try await client.call(
                .patch,
                "/v1/comments/\(id)",
                token: otherToken,
                body: #"{"rich_text": [{"text": {"content": "Hijacked"}}]}"#
            )
            #expect(edit.status == 403)
            let delete = try await client.call(.delete, "/v1/comments/\(id)", token: otherToken)
            #expect(delete.status == 403)

            let ownEdit = try await client.call(
                .patch,
                "/v1/comments/\(id)",
                token: world.token,
                body: #"{"rich_text": [{"text": {"content": "Edited"}}]}"#
            )
            #expect(ownEdit.status == 200)
            #expect((ownEdit.json["rich_text"] as? [[String: Any]])?.first?["plain_text"] as? String == "Edited")
            let deleted = try await client.call(.delete, "/v1/comments/\(id)", token: world.token)
            #expect(deleted.status == 200)
            let gone = try await client.call(.get, "/v1/comments/\(id)", token: world.token)
            #expect(gone.status == 404)
            #expect(gone.code == "object_not_found")
            let randomID = UUID().uuidString.lowercased()
            let random = try await client.call(.get, "/v1/comments/\(randomID)", token: world.token)
            #expect(random.status == 404)
            // A deleted comment and a random id answer alike, but for the id they name.
            #expect(
                gone.message?.replacingOccurrences(of: id, with: "ID")
                    == random.message?.replacingOccurrences(of: randomID, with: "ID")
            )
        }
    }

    @Test func badInputIsAValidationErrorWithThePath() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let page = world.sharedPage.id
            let long = String(repeating: "x", count: 2_001)
            let tooLong = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: Self.comment(on: page, long)
            )
            #expect(tooLong.status == 400)
            #expect(tooLong.code == "validation_error")
            #expect(tooLong.message?.contains("body.rich_text[0].text.content") == true)
            let noParent = try await client.call(
                .post,
                "/v1/comments",
                token: world.token,
                body: #"{"rich_text": [{"text": {"content": "x"}}]}"#
            )
            #expect(noParent.status == 400)
            #expect(noParent.message?.contains("body.parent") == true)
            let notJSON = try await client.call(.post, "/v1/comments", token: world.token, body: "{")
            #expect(notJSON.code == "invalid_json")
            let listed = try await client.call(.get, "/v1/comments?block_id=\(page)", token: world.token)
            #expect(listed.results.isEmpty)
        }
    }
}

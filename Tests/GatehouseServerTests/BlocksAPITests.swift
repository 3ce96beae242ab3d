import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The block endpoints over real HTTP: what an integration appends it reads back, in order and
/// nested, a page at a time; updates and the trash; a page id as a block; and every refusal the
/// API makes (capabilities, sharing, validation that writes nothing, ids of other workspaces).
@Suite(.timeLimit(.minutes(2))) struct BlocksAPITests {
    static func json(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }

    static func paragraph(_ text: String, children: [[String: Any]]? = nil) -> [String: Any] {
        var payload: [String: Any] = ["rich_text": [["type": "text", "text": ["content": text]]]]
        if let children { payload["children"] = children }
        return ["object": "block", "type": "paragraph", "paragraph": payload]
    }

    static func appendBody(_ children: [[String: Any]], extra: [String: Any] = [:]) -> String {
        json(extra.merging(["children": children]) { $1 })
    }

    /// The visible text of a block object's rich text.
    static func text(_ block: [String: Any]) -> String {
        guard let type = block["type"] as? String, let payload = block[type] as? [String: Any],
            let items = payload["rich_text"] as? [[String: Any]]
        else { return "" }
        return items.compactMap { $0["plain_text"] as? String }.joined()
    }

    /// Every child of `id` through every page, `pageSize` at a time.
    static func allChildren(
        _ client: some TestClientProtocol,
        of id: String,
        token: String,
        pageSize: Int = 100
    ) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var cursor: String?
        repeat {
            let query = "page_size=\(pageSize)" + (cursor.map { "&start_cursor=\($0)" } ?? "")
            let page = try await client.call(.get, "/v1/blocks/\(id)/children?\(query)", token: token)
            #expect(page.status == 200)
            all += page.results
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil
        return all
    }

    @Test func aPageOrDatabaseCreatedUnderAPageIsItsChildBlockAndAPageKeepsItsChildren() async throws {
        let world = try await TestWorld.make()
        let parent = world.sharedPage.id
        try await world.test(.router) { client in
            let page = try await client.call(
                .post,
                "/v1/pages",
                token: world.token,
                body: Self.json([
                    "parent": ["page_id": parent],
                    "properties": ["title": ["title": [["text": ["content": "Notes"]]]]],
                    "children": [
                        Self.paragraph("first", children: [Self.paragraph("nested")]), Self.paragraph("second"),
                    ],
                ])
            )
            #expect(page.status == 200, "\(page.text)")
            let pageID = try #require(page.json["id"] as? String)
            let database = try await client.call(
                .post,
                "/v1/databases",
                token: world.token,
                body: Self.json(["parent": ["page_id": parent], "title": [["text": ["content": "Tasks"]]]])
            )
            #expect(database.status == 200, "\(database.text)")
            let databaseID = try #require(database.json["id"] as? String)

            let children = try await Self.allChildren(client, of: parent, token: world.token)
            let references = children.suffix(2)
            #expect(references.map { $0["id"] as? String } == [pageID, databaseID])
            #expect(references.map { $0["type"] as? String } == ["child_page", "child_database"])
            #expect((references.first?["child_page"] as? [String: Any])?["title"] as? String == "Notes")
            #expect((references.last?["child_database"] as? [String: Any])?["title"] as? String == "Tasks")

            let content = try await Self.allChildren(client, of: pageID, token: world.token)
            #expect(content.map(Self.text) == ["first", "second"])
            #expect(content.first?["has_children"] as? Bool == true)

            let refused = try await client.call(
                .post,
                "/v1/pages",
                token: world.token,
                body: Self.json(["parent": ["page_id": parent], "children": [Self.paragraph("ok"), ["paragraph": 5]]])
            )
            #expect(refused.status == 400)
            #expect(refused.json["code"] as? String == "validation_error")
            let after = try await Self.allChildren(client, of: parent, token: world.token)
            #expect(after.count == children.count)
        }
    }

    @Test func anAppendedNestedTreeReadsBackAsTheAPIReturnsIt() async throws {
        let world = try await TestWorld.make()
        let page = world.sharedPage.id
        try await world.test(.live) { client in
            let body = Self.appendBody([
                Self.paragraph("one", children: [Self.paragraph("one.a", children: [Self.paragraph("deep")])]),
                [
                    "type": "to_do",
                    "to_do": ["rich_text": [["text": ["content": "task"]]], "checked": true],
                ],
                ["type": "heading_2", "heading_2": ["rich_text": [["text": ["content": "Title"]]]]],
            ])
            let appended = try await client.call(.patch, "/v1/blocks/\(page)/children", token: world.token, body: body)
            #expect(appended.status == 200)
            #expect(appended.json["object"] as? String == "list")
            #expect(appended.json["type"] as? String == "block")
            #expect(appended.json["has_more"] as? Bool == false)
            #expect(appended.results.map(Self.text) == ["one", "task", "Title"])
            let first = try #require(appended.results.first)
            #expect(first["object"] as? String == "block")
            #expect(first["has_children"] as? Bool == true)
            #expect((first["parent"] as? [String: Any])?["page_id"] as? String == page)
            #expect(first["in_trash"] as? Bool == false)
            #expect((first["created_by"] as? [String: Any])?["id"] as? String == world.integration.botID)

            let top = try await client.call(.get, "/v1/blocks/\(page)/children", token: world.token)
            #expect(top.results.map(Self.text) == ["one", "task", "Title"])
            #expect((top.results[1]["to_do"] as? [String: Any])?["checked"] as? Bool == true)
            let firstID = try #require(first["id"] as? String)
            let nested = try await client.call(.get, "/v1/blocks/\(firstID)/children", token: world.token)
            #expect(nested.results.map(Self.text) == ["one.a"])
            let nestedID = try #require(nested.results.first?["id"] as? String)
            let deep = try await client.call(.get, "/v1/blocks/\(nestedID)/children", token: world.token)
            #expect(deep.results.map(Self.text) == ["deep"])
            #expect((deep.results[0]["parent"] as? [String: Any])?["block_id"] as? String == nestedID)

            let retrieved = try await client.call(.get, "/v1/blocks/\(firstID)", token: world.token)
            #expect(retrieved.status == 200)
            #expect(Self.text(retrieved.json) == "one")
            #expect(retrieved.json["archived"] as? Bool == false)
            let modern = try await client.call(.get, "/v1/blocks/\(firstID)", token: world.token, version: "2026-03-11")
            #expect(modern.json["archived"] == nil)
        }
    }

    @Test func childrenComeAPageAtATimeWithNextCursor() async throws {
        let world = try await TestWorld.make()
        let page = world.sharedPage.id
        try await world.test(.live) { client in
            for batch in 0..<2 {
                let body = Self.appendBody((0..<100).map { Self.paragraph("\(batch * 100 + $0)") })
                let result = try await client.call(
                    .patch,
                    "/v1/blocks/\(page)/children",
                    token: world.token,
                    body: body
                )
                #expect(result.status == 200)
                #expect(result.results.count == 100)
            }
            let first = try await client.call(.get, "/v1/blocks/\(page)/children?page_size=30", token: world.token)
            #expect(first.results.count == 30)
            #expect(first.json["has_more"] as? Bool == true)
            #expect(first.json["next_cursor"] as? String != nil)
            let all = try await Self.allChildren(client, of: page, token: world.token, pageSize: 45)
            #expect(all.map(Self.text) == (0..<200).map { "\($0)" })
            let oversized = try await client.call(.get, "/v1/blocks/\(page)/children?page_size=101", token: world.token)
            #expect(oversized.status == 400)
            #expect(oversized.code == "validation_error")
            let stranger = UUID().uuidString.lowercased()
            let badCursor = try await client.call(
                .get,
                "/v1/blocks/\(page)/children?start_cursor=\(stranger)",
                token: world.token
            )
            #expect(badCursor.status == 400)
            #expect(badCursor.code == "validation_error")
        }
    }

    @Test func afterAndPositionPlaceBlocksAmongTheirSiblings() async throws {
        let world = try await TestWorld.make()
        let page = world.sharedPage.id
        try await world.test(.live) { client in
            let path = "/v1/blocks/\(page)/children"
            let written = try await client.call(
                .patch,
                path,
                token: world.token,
                body: Self.appendBody([Self.paragraph("a"), Self.paragraph("b")])
            )
            let a = try #require(written.results.first?["id"] as? String)
            let afterA = try await client.call(
                .patch,
                path,
                token: world.token,
                body: Self.appendBody([Self.paragraph("a1")], extra: ["after": a])
            )
            #expect(afterA.status == 200)
            let start = try await client.call(
                .patch,
                path,
                token: world.token,
                version: "2025-09-03",
                body: Self.appendBody([Self.paragraph("first")], extra: ["position": ["type": "start"]])
            )
            #expect(start.status == 200)
            let afterBlock = try await client.call(
                .patch,
                path,
                token: world.token,
                version: "2026-03-11",
                body: Self.appendBody(
                    [Self.paragraph("a2")],
                    extra: ["position": ["type": "after_block", "after_block": ["id": a]]]
                )
            )
            #expect(afterBlock.status == 200)
            #expect(
                try await Self.allChildren(client, of: page, token: world.token).map(Self.text) == [
                    "first", "a", "a2", "a1", "b",
                ]
            )
            let stranger = UUID().uuidString.lowercased()
            let nowhere = try await client.call(
                .patch,
                path,
                token: world.token,
                body: Self.appendBody([Self.paragraph("x")], extra: ["after": stranger])
            )
            #expect(nowhere.status == 400)
            #expect(nowhere.code == "validation_error")
            #expect(nowhere.message?.hasPrefix("body failed validation: body.after") == true)
            let retired = try await client.call(
                .patch,
                path,
                token: world.token,
                version: "2026-03-11",
                body: Self.appendBody([Self.paragraph("x")], extra: ["after": a])
            )
            #expect(retired.status == 400)
            #expect(try await Self.allChildren(client, of: page, token: world.token).count == 5)
        }
    }

    @Test func updatesChangeContentAndDeleteMovesToTheTrash() async throws {
        let world = try await TestWorld.make()
        let page = world.sharedPage.id
        try await world.test(.live) { client in
            let written = try await client.call(
                .patch,
                "/v1/blocks/\(page)/children",
                token: world.token,
                body: Self.appendBody([Self.paragraph("draft"), Self.paragraph("keep")])
            )
            let id = try #require(written.results.first?["id"] as? String)
            let updated = try await client.call(
                .patch,
                "/v1/blocks/\(id)",
                token: world.token,
                body: Self.json(["paragraph": ["rich_text": [["text": ["content": "final"]]], "color": "red"]])
            )
            #expect(updated.status == 200)
            #expect(Self.text(updated.json) == "final")
            #expect((updated.json["paragraph"] as? [String: Any])?["color"] as? String == "red")
            #expect(Self.text(try await client.call(.get, "/v1/blocks/\(id)", token: world.token).json) == "final")

            let changeType = try await client.call(
                .patch,
                "/v1/blocks/\(id)",
                token: world.token,
                body: Self.json(["to_do": ["checked": true]])
            )
            #expect(changeType.status == 400)
            #expect(changeType.message?.hasPrefix("body failed validation: body.to_do") == true)

            let deleted = try await client.call(.delete, "/v1/blocks/\(id)", token: world.token)
            #expect(deleted.status == 200)
            #expect(deleted.json["in_trash"] as? Bool == true)
            #expect(deleted.json["archived"] as? Bool == true)
            #expect(
                try await Self.allChildren(client, of: page, token: world.token).map(Self.text) == ["keep"]
            )
            let editTrashed = try await client.call(
                .patch,
                "/v1/blocks/\(id)",
                token: world.token,
                body: Self.json(["paragraph": ["rich_text": [["text": ["content": "ghost"]]]]])
            )
            #expect(editTrashed.status == 400)
            let restored = try await client.call(
                .patch,
                "/v1/blocks/\(id)",
                token: world.token,
                body: Self.json(["in_trash": false])
            )
            #expect(restored.json["in_trash"] as? Bool == false)
            #expect(try await Self.allChildren(client, of: page, token: world.token).count == 2)
        }
    }

    @Test func hasChildrenAndTheChildrenListFollowTheTrash() async throws {
        let world = try await TestWorld.make()
        let parent = world.sharedPage.id
        try await world.test(.router) { client in
            let toggle = try await client.call(
                .patch,
                "/v1/blocks/\(parent)/children",
                token: world.token,
                body: Self.appendBody([
                    [
                        "type": "toggle",
                        "toggle": ["rich_text": [["text": ["content": "More"]]], "children": [Self.paragraph("only")]],
                    ]
                ])
            )
            let toggleID = try #require(toggle.results.first?["id"] as? String)
            let child = try #require(
                try await Self.allChildren(client, of: toggleID, token: world.token).first?["id"] as? String
            )
            func hasChildren() async throws -> Bool? {
                try await client.call(.get, "/v1/blocks/\(toggleID)", token: world.token).json["has_children"] as? Bool
            }
            #expect(try await hasChildren() == true)
            #expect(try await client.call(.delete, "/v1/blocks/\(child)", token: world.token).status == 200)
            #expect(try await hasChildren() == false)
            _ = try await client.call(
                .patch,
                "/v1/blocks/\(child)",
                token: world.token,
                body: Self.json(["in_trash": true])
            )
            #expect(try await hasChildren() == false)
            let restored = try await client.call(
                .patch,
                "/v1/blocks/\(child)",
                token: world.token,
                body: Self.json(["in_trash": false])
            )
            #expect(restored.status == 200)
            #expect(try await hasChildren() == true)

            // A child page in the trash leaves its parent's children, by either endpoint, and comes back when restored.
            let page = try await client.call(
                .post,
                "/v1/pages",
                token: world.token,
                body: Self.json([
                    "parent": ["page_id": parent],
                    "properties": ["title": ["title": [["text": ["content": "Old notes"]]]]],
                ])
            )
            let pageID = try #require(page.json["id"] as? String)
            func listed() async throws -> Bool {
                try await Self.allChildren(client, of: parent, token: world.token).contains {
                    $0["id"] as? String == pageID
                }
            }
            #expect(try await listed())
            _ = try await client.call(
                .patch,
                "/v1/pages/\(pageID)",
                token: world.token,
                body: Self.json(["in_trash": true])
            )
            #expect(try await listed() == false)
            _ = try await client.call(
                .patch,
                "/v1/pages/\(pageID)",
                token: world.token,
                body: Self.json(["in_trash": false])
            )
            #expect(try await listed())
            #expect(try await client.call(.delete, "/v1/blocks/\(pageID)", token: world.token).status == 200)
            #expect(try await listed() == false)
            _ = try await client.call(
                .patch,
                "/v1/blocks/\(pageID)",
                token: world.token,
                body: Self.json(["in_trash": false])
            )
            #expect(try await listed())
        }
    }

    @Test func aPageIDWorksAsAChildPageBlock() async throws {
        let world = try await TestWorld.make()
        let child = try await world.admin.createPage(
            workspaceID: world.workspace.id,
            title: "Notes",
            databaseID: world.sharedDatabase.id
        )
        try await world.test(.live) { client in
            let empty = try await client.call(.get, "/v1/blocks/\(child.id)", token: world.token)
            #expect(empty.status == 200)
            #expect(empty.json["type"] as? String == "child_page")
            #expect((empty.json["child_page"] as? [String: Any])?["title"] as? String == "Notes")
            #expect(empty.json["has_children"] as? Bool == false)
            #expect((empty.json["parent"] as? [String: Any])?["database_id"] as? String == world.sharedDatabase.id)
            _ = try await client.call(
                .patch,
                "/v1/blocks/\(child.id)/children",
                token: world.token,
                body: Self.appendBody([Self.paragraph("inside")])
            )
            let full = try await client.call(.get, "/v1/blocks/\(child.id)", token: world.token)
            #expect(full.json["has_children"] as? Bool == true)
            let rename = try await client.call(
                .patch,
                "/v1/blocks/\(child.id)",
                token: world.token,
                body: Self.json(["child_page": ["title": "Renamed"]])
            )
            #expect(rename.status == 400)
            let trashed = try await client.call(.delete, "/v1/blocks/\(child.id)", token: world.token)
            #expect(trashed.status == 200)
            #expect(trashed.json["in_trash"] as? Bool == true)
            let page = try await client.call(.get, "/v1/pages/\(child.id)", token: world.token)
            #expect(page.json["in_trash"] as? Bool == true)
            // Restored through the block endpoint, its last edit is what its data source filters on
            // (a few milliseconds after its creation, so that only the new edit passes the filter).
            try await Task.sleep(for: .milliseconds(5))
            let restored = try await client.call(
                .patch,
                "/v1/blocks/\(child.id)",
                token: world.token,
                body: Self.json(["in_trash": false])
            )
            let edited = try #require(restored.json["last_edited_time"] as? String)
            let recent = try await client.call(
                .post,
                "/v1/data_sources/\(world.sharedDatabase.id)/query",
                token: world.token,
                body: Self.json([
                    "filter": ["timestamp": "last_edited_time", "last_edited_time": ["on_or_after": edited]]
                ])
            )
            #expect(recent.results.map { $0["id"] as? String } == [child.id])
        }
    }

    @Test func eachEndpointRequiresItsCapability() async throws {
        let world = try await TestWorld.make()
        let seed = world.sharedPage.id
        let block = try await world.store.appendBlocks(
            [BlockDraftFixture.paragraph("seed")],
            to: BlockAppendTarget(
                parent: .page(id: seed),
                pageID: seed,
                workspaceID: world.workspace.id,
                userID: world.integration.botID,
                time: Date()
            ),
            at: .end
        )[0].id
        let (readOnly, readToken) = try await world.otherIntegration(
            capabilities: try Capabilities(names: ["read_content"])
        )
        let (writer, writeToken) = try await world.otherIntegration(
            capabilities: try Capabilities(names: ["insert_content", "update_content"])
        )
        for integration in [readOnly, writer] {
            _ = try await world.admin.share(
                integrationID: integration.id,
                target: .database(world.sharedDatabase.id),
                remove: false
            )
        }
        try await world.test(.live) { client in
            let append = Self.appendBody([Self.paragraph("x")])
            let update = Self.json(["paragraph": ["rich_text": []]])
            let refusedToReader = [
                try await client.call(.patch, "/v1/blocks/\(seed)/children", token: readToken, body: append),
                try await client.call(.patch, "/v1/blocks/\(block)", token: readToken, body: update),
                try await client.call(.delete, "/v1/blocks/\(block)", token: readToken),
            ]
            let refusedToWriter = [
                try await client.call(.get, "/v1/blocks/\(block)", token: writeToken),
                try await client.call(.get, "/v1/blocks/\(seed)/children", token: writeToken),
            ]
            for result in refusedToReader + refusedToWriter {
                #expect(result.status == 403)
                #expect(result.code == "restricted_resource")
                #expect(result.message == "Insufficient permissions for this endpoint.")
            }
            #expect(try await client.call(.get, "/v1/blocks/\(block)", token: readToken).status == 200)
            #expect(
                try await client.call(.patch, "/v1/blocks/\(seed)/children", token: writeToken, body: append).status
                    == 200
            )
            #expect(
                try await Self.allChildren(client, of: seed, token: world.token).map(Self.text) == ["seed", "x"]
            )
        }
    }

    @Test func blocksOfAnUnsharedPageAreRefusedAndOtherWorkspacesLookRandom() async throws {
        let world = try await TestWorld.make()
        let hidden = try await world.store.appendBlocks(
            [BlockDraftFixture.paragraph("secret")],
            to: BlockAppendTarget(
                parent: .page(id: world.unsharedPage.id),
                pageID: world.unsharedPage.id,
                workspaceID: world.workspace.id,
                userID: world.owner.id,
                time: Date()
            ),
            at: .end
        )[0].id
        let elsewhere = try await world.admin.createWorkspace(name: "Elsewhere", plan: .free)
        let theirs = try await world.admin.createDatabase(workspaceID: elsewhere.id, title: "Theirs")
        let theirPage = try await world.admin.createPage(workspaceID: elsewhere.id, title: "P", databaseID: theirs.id)
        let foreign = try await world.store.appendBlocks(
            [BlockDraftFixture.paragraph("foreign")],
            to: BlockAppendTarget(
                parent: .page(id: theirPage.id),
                pageID: theirPage.id,
                workspaceID: elsewhere.id,
                userID: "someone",
                time: Date()
            ),
            at: .end
        )[0].id
        try await world.test(.live) { client in
            for path in [
                "/v1/blocks/\(hidden)", "/v1/blocks/\(hidden)/children", "/v1/blocks/\(world.unsharedPage.id)",
            ] {
                let result = try await client.call(.get, path, token: world.token)
                #expect(result.status == 403)
                #expect(result.code == "restricted_resource")
            }
            let append = try await client.call(
                .patch,
                "/v1/blocks/\(world.unsharedPage.id)/children",
                token: world.token,
                body: Self.appendBody([Self.paragraph("x")])
            )
            #expect(append.status == 403)
            let random = UUID().uuidString.lowercased()
            for (method, suffix, body) in [
                (HTTPRequest.Method.get, "", nil), (.get, "/children", nil), (.delete, "", nil),
                (.patch, "/children", Self.appendBody([Self.paragraph("x")])),
            ] as [(HTTPRequest.Method, String, String?)] {
                let mine = try await client.call(
                    method,
                    "/v1/blocks/\(foreign)\(suffix)",
                    token: world.token,
                    body: body
                )
                let unknown = try await client.call(
                    method,
                    "/v1/blocks/\(random)\(suffix)",
                    token: world.token,
                    body: body
                )
                #expect(mine.status == 404)
                #expect(mine.code == "object_not_found")
                #expect(mine.status == unknown.status)
                #expect(
                    mine.message?.replacingOccurrences(of: foreign, with: "ID")
                        == unknown.message?.replacingOccurrences(of: random, with: "ID")
                )
            }
        }
    }

    @Test func anAppendWithOneBadBlockAmongAHundredWritesNothing() async throws {
        let world = try await TestWorld.make()
        let page = world.sharedPage.id
        try await world.test(.live) { client in
            var children = (0..<100).map { Self.paragraph("\($0)") }
            children[57] = ["type": "paragraph", "paragraph": ["rich_text": [["text": ["content": 5]]]]]
            let bad = try await client.call(
                .patch,
                "/v1/blocks/\(page)/children",
                token: world.token,
                body: Self.appendBody(children)
            )
            #expect(bad.status == 400)
            #expect(bad.code == "validation_error")
            #expect(bad.message?.hasPrefix("body failed validation: body.children[57].paragraph.rich_text[0]") == true)
            let tooMany = try await client.call(
                .patch,
                "/v1/blocks/\(page)/children",
                token: world.token,
                body: Self.appendBody((0..<101).map { Self.paragraph("\($0)") })
            )
            #expect(tooMany.status == 400)
            #expect(tooMany.message?.contains("body.children.length should be ≤ `100`") == true)
            let tooDeep = try await client.call(
                .patch,
                "/v1/blocks/\(page)/children",
                token: world.token,
                body: Self.appendBody([
                    Self.paragraph(
                        "1",
                        children: [
                            Self.paragraph("2", children: [Self.paragraph("3", children: [Self.paragraph("4")])])
                        ]
                    )
                ])
            )
            #expect(tooDeep.status == 400)
            let broken = try await client.call(
                .patch,
                "/v1/blocks/\(page)/children",
                token: world.token,
                body: "{\"children\": [}"
            )
            #expect(broken.status == 400)
            #expect(broken.code == "invalid_json")
            #expect(try await Self.allChildren(client, of: page, token: world.token).isEmpty)
        }
    }

    @Test func mentionsShowNamesAndTitlesTheIntegrationMaySee() async throws {
        let world = try await TestWorld.make()
        let page = world.sharedPage.id
        try await world.test(.live) { client in
            let body = Self.appendBody([
                [
                    "type": "paragraph",
                    "paragraph": [
                        "rich_text": [
                            ["type": "mention", "mention": ["type": "user", "user": ["id": world.owner.id]]],
                            ["type": "mention", "mention": ["type": "page", "page": ["id": page]]],
                            ["type": "mention", "mention": ["type": "page", "page": ["id": world.unsharedPage.id]]],
                        ]
                    ],
                ]
            ])
            let result = try await client.call(.patch, "/v1/blocks/\(page)/children", token: world.token, body: body)
            #expect(result.status == 200)
            let items = try #require(
                ((result.results.first?["paragraph"] as? [String: Any])?["rich_text"]) as? [[String: Any]]
            )
            #expect(items.map { $0["plain_text"] as? String } == ["@Ada", "Write tests", "Untitled"])
            let user = (items[0]["mention"] as? [String: Any])?["user"] as? [String: Any]
            #expect((user?["person"] as? [String: Any])?["email"] as? String == world.owner.email)
        }
    }

    @Test func sixteenConcurrentAppendsToOneParentKeepEveryBlockTogether() async throws {
        let world = try await TestWorld.make()
        let page = world.sharedPage.id
        try await world.test(.live) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<16 {
                    group.addTask {
                        let body = Self.appendBody((0..<10).map { Self.paragraph("\(writer)-\($0)") })
                        return try await client.call(
                            .patch,
                            "/v1/blocks/\(page)/children",
                            token: world.token,
                            body: body
                        )
                        .status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            let texts = try await Self.allChildren(client, of: page, token: world.token).map(Self.text)
            #expect(texts.count == 160)
            #expect(Set(texts).count == 160)
            for chunk in stride(from: 0, to: texts.count, by: 10) {
                let writer = texts[chunk].split(separator: "-")[0]
                #expect(texts[chunk..<chunk + 10].map { $0 } == (0..<10).map { "\(writer)-\($0)" })
            }
        }
    }
}

/// Blocks written straight to the store, for tests that need content the caller could not write.
enum BlockDraftFixture {
    static func paragraph(_ text: String) -> BlockDraft {
        var content = BlockContent(type: .paragraph)
        content.richText = [.text(text)]
        return BlockDraft(content: content)
    }
}

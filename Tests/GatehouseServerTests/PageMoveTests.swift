import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore
import GatehouseServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /v1/pages/{id}/move` over HTTP: under another page, into a data source and out of one.
@Suite(.timeLimit(.minutes(2))) struct PageMoveTests {
    static let new = DataSourceTests.new

    static func call(
        _ client: some TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ path: String,
        _ token: String,
        _ body: String? = nil
    ) async throws -> APIResult {
        try await client.call(method, path, token: token, version: new, body: body)
    }

    static func pageUnder(
        _ client: some TestClientProtocol,
        _ world: TestWorld,
        _ parent: String,
        _ title: String
    )
        async throws -> String
    {
        let created = try await call(
            client,
            .post,
            "/v1/pages",
            world.token,
            #"{"parent": {"page_id": "\#(parent)"}, "properties": {"title": {"title": [{"text": {"content": "\#(title)"}}]}}, "children": [{"paragraph": {"rich_text": [{"text": {"content": "Body of \#(title)"}}]}}]}"#
        )
        #expect(created.status == 200, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }

    static func move(
        _ client: some TestClientProtocol,
        _ token: String,
        _ page: String,
        _ parent: String
    )
        async throws -> APIResult
    {
        try await call(client, .post, "/v1/pages/\(page)/move", token, #"{"parent": \#(parent)}"#)
    }

    static func childIDs(_ client: some TestClientProtocol, _ token: String, _ block: String) async throws -> [String] {
        let listed = try await call(client, .get, "/v1/blocks/\(block)/children", token)
        return (listed.json["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func aPageMovesUnderAnotherPageWithItsContentAndItsChildPageBlockFollows() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let token = world.token
            let from = try await Self.pageUnder(client, world, world.sharedPage.id, "From")
            let to = try await Self.pageUnder(client, world, world.sharedPage.id, "To")
            let page = try await Self.pageUnder(client, world, from, "Moving")
            let grandchild = try await Self.pageUnder(client, world, page, "Below")
            #expect(try await Self.childIDs(client, token, from).contains(page))

            let moved = try await Self.move(client, token, page, #"{"type": "page_id", "page_id": "\#(to)"}"#)
            #expect(moved.status == 200, "\(moved.text)")
            #expect((moved.json["parent"] as? [String: Any])?["page_id"] as? String == to)
            #expect(moved.json["last_edited_time"] as? String != nil)
            #expect(try await Self.childIDs(client, token, from).contains(page) == false)
            #expect(try await Self.childIDs(client, token, to).last == page)
            // Its content and its child pages come along.
            let content = try await Self.childIDs(client, token, page)
            #expect(content.count == 2 && content.last == grandchild)
            let reread = try await Self.call(client, .get, "/v1/pages/\(grandchild)", token)
            #expect(reread.status == 200)

            // Refused: itself, a page under it, where it is already, the trash.
            for (parent, message) in [
                (page, "Parent ID must be different from the child ID"),
                (grandchild, "cannot be under the hierarchy of child"),
                (to, "New parent must be different from the current parent"),
            ] {
                let refused = try await Self.move(client, token, page, #"{"page_id": "\#(parent)"}"#)
                #expect(refused.status == 400, "\(parent)")
                #expect(refused.code == "validation_error")
                #expect(refused.message?.contains(message) == true, "\(refused.message ?? "")")
            }
            _ = try await Self.call(client, .patch, "/v1/pages/\(from)", token, #"{"in_trash": true}"#)
            let intoTrash = try await Self.move(client, token, page, #"{"page_id": "\#(from)"}"#)
            #expect(intoTrash.status == 400)
            let trashed = try await Self.move(client, token, from, #"{"page_id": "\#(to)"}"#)
            #expect(trashed.message == "Object \(from) is in trash and cannot be moved.")
            #expect(try await Self.childIDs(client, token, to).last == page)
        }
    }

    @Test func aPageMovedIntoADataSourceKeepsItsTitleAndValuesWhoseNamesakesMatch() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let token = world.token
            let sprint = try await DataSourceTests.makeDataSource(client, world)
            let created = try await Self.call(
                client,
                .post,
                "/v1/data_sources",
                token,
                #"{"parent": {"database_id": "\#(world.sharedDatabase.id)"}, "title": [{"text": {"content": "Later"}}], "properties": {"Name": {"title": {}}, "Estimate": {"number": {}}, "Priority": {"select": {"options": [{"name": "Low"}]}}, "Tags": {"multi_select": {}}, "Key": {"unique_id": {"prefix": "L"}}}}"#
            )
            let later = try #require(created.json["id"] as? String)

            let loose = try await Self.pageUnder(client, world, world.sharedPage.id, "Loose")
            let intoSprint = try await Self.move(client, token, loose, #"{"data_source_id": "\#(sprint)"}"#)
            #expect(intoSprint.status == 200, "\(intoSprint.text)")
            #expect((intoSprint.json["parent"] as? [String: Any])?["data_source_id"] as? String == sprint)
            #expect(DataSourceTests.names(try await DataSourceTests.query(client, token, sprint, "{}")) == ["Loose"])
            #expect(try await Self.childIDs(client, token, world.sharedPage.id).contains(loose) == false)

            let task = try await DataSourceTests.page(
                client,
                world,
                sprint,
                DataSourceTests.title("Task")
                    + #", "Estimate": {"number": 3}, "Priority": {"select": {"name": "Low"}}, "Tags": {"multi_select": [{"name": "bug"}]}, "Notes": {"rich_text": [{"text": {"content": "n"}}]}"#
            )
            let taskID = try #require(task.json["id"] as? String)
            let intoLater = try await Self.move(client, token, taskID, #"{"data_source_id": "\#(later)"}"#)
            #expect(intoLater.status == 200, "\(intoLater.text)")
            let properties = try #require(intoLater.json["properties"] as? [String: Any])
            #expect(properties.keys.sorted() == ["Estimate", "Key", "Name", "Priority", "Tags"])
            let title = (properties["Name"] as? [String: Any])?["title"] as? [[String: Any]]
            #expect(title?.first?["plain_text"] as? String == "Task")
            #expect((properties["Estimate"] as? [String: Any])?["number"] as? Double == 3)
            let priority = (properties["Priority"] as? [String: Any])?["select"] as? [String: Any]
            #expect(priority?["name"] as? String == "Low")
            // `bug` is no option of the new data source: dropped, not created.
            #expect(((properties["Tags"] as? [String: Any])?["multi_select"] as? [[String: Any]])?.isEmpty == true)
            let key = (properties["Key"] as? [String: Any])?["unique_id"] as? [String: Any]
            #expect(key?["number"] as? Int == 1)
            #expect(key?["prefix"] as? String == "L")
            #expect(DataSourceTests.names(try await DataSourceTests.query(client, token, later, "{}")) == ["Task"])
            #expect(DataSourceTests.names(try await DataSourceTests.query(client, token, sprint, "{}")) == ["Loose"])

            // Out to a page: a title only, and a child_page block in its new parent.
            let out = try await Self.move(client, token, taskID, #"{"page_id": "\#(world.sharedPage.id)"}"#)
            #expect(out.status == 200)
            #expect((out.json["properties"] as? [String: Any])?.keys.sorted() == ["title"])
            #expect(try await Self.childIDs(client, token, world.sharedPage.id).last == taskID)
            #expect(DataSourceTests.names(try await DataSourceTests.query(client, token, later, "{}")) == [])

            // A database's id under `page_id` names its data source while it has just one.
            let database = try await Self.call(
                client,
                .post,
                "/v1/databases",
                token,
                #"{"parent": {"page_id": "\#(world.sharedPage.id)"}, "title": [{"text": {"content": "Solo"}}], "initial_data_source": {"properties": {"Name": {"title": {}}}}}"#
            )
            let soloID = try #require(database.json["id"] as? String)
            let intoSolo = try await Self.move(client, token, taskID, #"{"page_id": "\#(soloID)"}"#)
            #expect(intoSolo.status == 200, "\(intoSolo.text)")
            let multiple = try await Self.move(client, token, loose, #"{"page_id": "\#(world.sharedDatabase.id)"}"#)
            #expect(multiple.status == 400)
        }
    }

    @Test func movingNeedsUpdateContentAndAParentTheIntegrationCanSee() async throws {
        let world = try await TestWorld.make()
        let (_, readerToken) = try await world.otherIntegrationSharingTheDatabase(
            capabilities: Capabilities(content: [.readContent, .insertContent], userInfo: .none)
        )
        try await world.test(.router) { client in
            let page = try await Self.pageUnder(client, world, world.sharedPage.id, "Mine")
            let other = try await Self.pageUnder(client, world, world.sharedPage.id, "Other")
            let hidden = try await Self.move(client, world.token, page, #"{"page_id": "\#(world.unsharedPage.id)"}"#)
            #expect(hidden.status == 403, "\(hidden.text)")
            #expect(hidden.code == "restricted_resource")
            // An unshared database named as a page answers as an unshared page does.
            let database = try await Self.move(
                client,
                world.token,
                page,
                #"{"page_id": "\#(world.unsharedDatabase.id)"}"#
            )
            #expect(database.status == 403 && database.message == hidden.message, "\(database.text)")
            // Another workspace's database reads as a random id, whichever way it is named.
            let elsewhere = try await world.admin.createWorkspace(name: "Elsewhere", plan: .free)
            let theirs = try await world.admin.createDatabase(workspaceID: elsewhere.id, title: "Theirs")
            let random = UUID().uuidString.lowercased()
            for key in ["database_id", "page_id", "data_source_id"] {
                var answers: [String] = []
                for id in [theirs.id, random] {
                    let answer = try await Self.move(client, world.token, page, #"{"\#(key)": "\#(id)"}"#)
                    answers.append(
                        "\(answer.status) \(answer.code ?? "") \((answer.message ?? "").replacingOccurrences(of: id, with: "ID"))"
                    )
                }
                #expect(answers[0] == answers[1], "\(key): \(answers)")
            }
            let missing = try await Self.move(client, world.token, page, #"{"page_id": "\#(UUID().uuidString)"}"#)
            #expect(missing.status == 404)
            let reader = try await Self.move(client, readerToken, page, #"{"page_id": "\#(other)"}"#)
            #expect(reader.status == 403)
            let bad = try await Self.move(client, world.token, page, #"{"parent": 7}"#)
            #expect(bad.status == 400)
            #expect(try await Self.childIDs(client, world.token, world.sharedPage.id).contains(page))
        }
    }
}

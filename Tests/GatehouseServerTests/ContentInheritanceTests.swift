import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// What content inherits from above it, over real HTTP: a database's share reaches everything
/// under any of its data sources at any depth (and a relation reaches only what the share does);
/// trash reaches everything under a trashed block or page.
@Suite(.timeLimit(.minutes(2))) struct ContentInheritanceTests {
    typealias Walk = ContentAuthorizationWalkTests

    /// Calls the API at 2025-09-03 and requires a 200.
    static func ok(
        _ client: some TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String,
        _ body: [String: Any]? = nil
    ) async throws -> APIResult {
        let result = try await client.call(
            method,
            path,
            token: token,
            version: "2025-09-03",
            body: body.map(Walk.json)
        )
        #expect(result.status == 200, "\(method) \(path): \(result.text.prefix(300))")
        return result
    }

    @Test func aDatabaseShareReachesEverythingUnderItsSecondDataSourceAtEveryDepth() async throws {
        let world = try await TestWorld.make()
        let (reader, readerToken) = try await world.otherIntegration(
            capabilities: try Capabilities(names: ["read_content", "read_comments"])
        )
        _ = try await world.admin.share(
            integrationID: reader.id,
            target: .database(world.sharedDatabase.id),
            remove: false
        )
        let (_, strangerToken) = try await world.otherIntegration(capabilities: .all)
        try await world.test(.live) { client in
            let token = world.token
            let second =
                try await Self.ok(
                    client,
                    .post,
                    "/v1/data_sources",
                    token: token,
                    ["parent": ["database_id": world.sharedDatabase.id], "properties": ["Name": ["title": [:]]]]
                ).json["id"] as? String ?? ""
            let row =
                try await Self.ok(
                    client,
                    .post,
                    "/v1/pages",
                    token: token,
                    ["parent": ["data_source_id": second], "properties": ["Name": ["title": Walk.text("Row")]]]
                ).json["id"] as? String ?? ""
            let child =
                try await Self.ok(
                    client,
                    .post,
                    "/v1/pages",
                    token: token,
                    ["parent": ["page_id": row], "properties": ["title": ["title": Walk.text("Child")]]]
                ).json["id"] as? String ?? ""
            let inner = try await Self.ok(
                client,
                .post,
                "/v1/databases",
                token: token,
                ["parent": ["page_id": child], "title": Walk.text("Inner"), "initial_data_source": [:]]
            ).json
            let innerSource = (inner["data_sources"] as? [[String: Any]])?.first?["id"] as? String ?? ""
            let deep =
                try await Self.ok(
                    client,
                    .post,
                    "/v1/pages",
                    token: token,
                    ["parent": ["data_source_id": innerSource], "properties": ["Name": ["title": Walk.text("Deep")]]]
                ).json["id"] as? String ?? ""
            _ = try await Self.ok(
                client,
                .patch,
                "/v1/blocks/\(deep)/children",
                token: token,
                ["children": [Walk.paragraph("deep text")]]
            )
            _ = try await Self.ok(
                client,
                .post,
                "/v1/comments",
                token: token,
                ["parent": ["page_id": deep], "rich_text": Walk.text("deep comment")]
            )

            for path in [
                "/v1/pages/\(row)", "/v1/pages/\(child)", "/v1/pages/\(deep)", "/v1/blocks/\(deep)/children",
                "/v1/comments?block_id=\(deep)", "/v1/data_sources/\(innerSource)",
                "/v1/databases/\(inner["id"] ?? "")",
            ] {
                _ = try await Self.ok(client, .get, path, token: readerToken)
                let stranger = try await client.call(.get, path, token: strangerToken, version: "2025-09-03")
                #expect(stranger.status == 403, "\(path) for an integration without the share")
            }
            let modern = try await Self.ok(client, .get, "/v1/pages/\(row)", token: readerToken)
            let modernParent = modern.json["parent"] as? [String: Any]
            #expect(modernParent?["data_source_id"] as? String == second)
            #expect(modernParent?["database_id"] as? String == world.sharedDatabase.id)
            let old = try await client.call(.get, "/v1/pages/\(row)", token: readerToken, version: "2022-06-28")
            #expect((old.json["parent"] as? [String: Any])?["database_id"] as? String == world.sharedDatabase.id)
            let query = try await Self.ok(client, .post, "/v1/data_sources/\(second)/query", token: readerToken, [:])
            #expect(query.results.map { $0["id"] as? String } == [row])
            let found = Set(
                try await Self.ok(client, .post, "/v1/search", token: readerToken, [:]).results
                    .compactMap { $0["id"] as? String }
            )
            #expect(found.isSuperset(of: [row, child, deep, second, innerSource]))
            let strangerSearch = try await Self.ok(client, .post, "/v1/search", token: strangerToken, [:])
            #expect(strangerSearch.results.isEmpty)

            _ = try await Self.ok(client, .patch, "/v1/data_sources/\(second)", token: token, ["in_trash": true])
            let afterTrash = Set(
                try await Self.ok(client, .post, "/v1/search", token: readerToken, [:]).results
                    .compactMap { $0["id"] as? String }
            )
            #expect(afterTrash.isDisjoint(with: [row, child, deep, second, innerSource]))
        }
    }

    @Test func whatLiesUnderATrashedBlockOrPageReadsAsTrashedAndRefusesChanges() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let token = world.token
            let page =
                try await Self.ok(
                    client,
                    .post,
                    "/v1/pages",
                    token: token,
                    [
                        "parent": ["page_id": world.sharedPage.id],
                        "properties": ["title": ["title": Walk.text("Notes")]],
                    ]
                ).json["id"] as? String ?? ""
            let toggle: [String: Any] = [
                "type": "toggle", "toggle": ["rich_text": Walk.text("fold"), "children": [Walk.paragraph("inner")]],
            ]
            let appended = try await Self.ok(
                client,
                .patch,
                "/v1/blocks/\(page)/children",
                token: token,
                ["children": [toggle, Walk.paragraph("sibling")]]
            )
            let toggleID = appended.results.first?["id"] as? String ?? ""
            let innerID =
                try await Self.ok(client, .get, "/v1/blocks/\(toggleID)/children", token: token).results.first?["id"]
                as? String ?? ""
            _ = try await Self.ok(client, .delete, "/v1/blocks/\(toggleID)", token: token)

            #expect(
                try await Self.ok(client, .get, "/v1/blocks/\(innerID)", token: token).json["in_trash"] as? Bool == true
            )
            let listing = try await Self.ok(client, .get, "/v1/blocks/\(toggleID)/children", token: token).results
            #expect(listing.map { $0["in_trash"] as? Bool } == [true])
            try await Self.expectArchived(client, token: token, under: innerID)
            let again = try await client.call(.delete, "/v1/blocks/\(toggleID)", token: token, version: "2025-09-03")
            #expect(again.status == 400 && again.code == "validation_error")

            _ = try await Self.ok(client, .patch, "/v1/blocks/\(toggleID)", token: token, ["in_trash": false])
            #expect(
                try await Self.ok(client, .get, "/v1/blocks/\(innerID)", token: token).json["in_trash"] as? Bool
                    == false
            )
            _ = try await Self.ok(
                client,
                .patch,
                "/v1/blocks/\(innerID)",
                token: token,
                ["paragraph": ["rich_text": Walk.text("edited")]]
            )

            _ = try await Self.ok(client, .patch, "/v1/pages/\(world.sharedPage.id)", token: token, ["in_trash": true])
            let under = try await Self.ok(client, .get, "/v1/blocks/\(page)/children", token: token).results
            #expect(under.count == 2 && under.allSatisfy { $0["in_trash"] as? Bool == true })
            #expect(
                try await Self.ok(client, .get, "/v1/blocks/\(page)", token: token).json["in_trash"] as? Bool == true
            )
            let trashedPage = try await Self.ok(client, .get, "/v1/pages/\(page)", token: token)
            #expect(trashedPage.json["in_trash"] as? Bool == true)
            let found = try await Self.ok(client, .post, "/v1/search", token: token, [:]).results
            #expect(!found.contains { [page, world.sharedPage.id].contains($0["id"] as? String) })
            try await Self.expectArchived(client, token: token, under: page)
            let ancestor =
                "Can't edit page on block with an archived ancestor. You must unarchive the ancestor before editing page."
            let rename: [String: Any] = ["properties": ["title": ["title": Walk.text("Renamed")]]]
            let refusals: [(HTTPRequest.Method, String, [String: Any], String)] = [
                (.post, "/v1/pages", ["parent": ["page_id": page], "properties": [:]], ancestor),
                (.post, "/v1/pages", ["parent": ["page_id": world.sharedPage.id], "properties": [:]], ancestor),
                (.post, "/v1/databases", ["parent": ["page_id": page], "title": Walk.text("D")], ancestor),
                (.patch, "/v1/pages/\(page)", rename, ancestor),
                (
                    .patch, "/v1/pages/\(world.sharedPage.id)", ["properties": [:]],
                    "Can't update a page that is archived. You must unarchive the page before updating."
                ),
            ]
            for (method, path, body, message) in refusals {
                let refused = try await client.call(
                    method,
                    path,
                    token: token,
                    version: "2025-09-03",
                    body: Walk.json(body)
                )
                #expect(refused.status == 400 && refused.code == "validation_error", "\(method) \(path)")
                #expect(refused.message == message, "\(method) \(path)")
            }
            _ = try await Self.ok(client, .patch, "/v1/pages/\(world.sharedPage.id)", token: token, ["in_trash": false])
            _ = try await Self.ok(client, .patch, "/v1/pages/\(page)", token: token, rename)
            _ = try await Self.ok(
                client,
                .patch,
                "/v1/blocks/\(page)/children",
                token: token,
                ["children": [Walk.paragraph("back")]]
            )
        }
    }

    @Test func aRowReadsAsTrashedWhenThePageAboveItsDatabaseOrItsDataSourceIsTrashed() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let token = world.token
            let database = try await Self.ok(
                client,
                .post,
                "/v1/databases",
                token: token,
                [
                    "parent": ["page_id": world.sharedPage.id], "title": Walk.text("Rows"),
                    "initial_data_source": ["properties": ["Name": ["title": [:]]]],
                ]
            )
            let dataSources = database.json["data_sources"] as? [[String: Any]] ?? []
            let dataSource = try #require(dataSources.first?["id"] as? String)
            let row =
                try await Self.ok(
                    client,
                    .post,
                    "/v1/pages",
                    token: token,
                    ["parent": ["data_source_id": dataSource], "properties": ["Name": ["title": Walk.text("Row")]]]
                ).json["id"] as? String ?? ""

            _ = try await Self.ok(client, .patch, "/v1/pages/\(world.sharedPage.id)", token: token, ["in_trash": true])
            #expect(try await Self.ok(client, .get, "/v1/pages/\(row)", token: token).json["in_trash"] as? Bool == true)
            try await Self.expectArchived(client, token: token, under: row)
            _ = try await Self.ok(client, .patch, "/v1/pages/\(world.sharedPage.id)", token: token, ["in_trash": false])
            #expect(
                try await Self.ok(client, .get, "/v1/pages/\(row)", token: token).json["in_trash"] as? Bool == false
            )

            _ = try await Self.ok(client, .patch, "/v1/data_sources/\(dataSource)", token: token, ["in_trash": true])
            #expect(try await Self.ok(client, .get, "/v1/pages/\(row)", token: token).json["in_trash"] as? Bool == true)
            let created = try await client.call(
                .post,
                "/v1/pages",
                token: token,
                version: "2025-09-03",
                body: Walk.json(["parent": ["data_source_id": dataSource], "properties": [:]])
            )
            #expect(created.status == 400 && created.code == "validation_error")
        }
    }

    /// Appending under, editing, restoring alone and deleting `id` all answer the archived error.
    static func expectArchived(_ client: some TestClientProtocol, token: String, under id: String) async throws {
        let attempts: [(HTTPRequest.Method, String, [String: Any]?)] = [
            (.patch, "/v1/blocks/\(id)/children", ["children": [Walk.paragraph("x")]]),
            (.patch, "/v1/blocks/\(id)", ["in_trash": false]),
            (.delete, "/v1/blocks/\(id)", nil),
        ]
        for (method, path, body) in attempts {
            let result = try await client.call(
                method,
                path,
                token: token,
                version: "2025-09-03",
                body: body.map(Walk.json)
            )
            #expect(result.status == 400, "\(method) \(path)")
            #expect(result.code == "validation_error")
            #expect(result.message == "Can't edit block that is archived. You must unarchive the block before editing.")
        }
    }

    @Test func aRelationMayNameOnlyPagesTheIntegrationCanSeeInItsDataSource() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let source =
                try await Self.ok(
                    client,
                    .post,
                    "/v1/data_sources",
                    token: world.token,
                    [
                        "parent": ["database_id": world.sharedDatabase.id],
                        "properties": [
                            "Name": ["title": [:]],
                            // The id as a Notion URL shows it: no dashes.
                            "Link": [
                                "relation": [
                                    "data_source_id": world.sharedDatabase.id.replacingOccurrences(of: "-", with: ""),
                                    "single_property": [:],
                                ]
                            ],
                        ],
                    ]
                ).json["id"] as? String ?? ""
            func create(linking id: String) async throws -> APIResult {
                try await client.call(
                    .post,
                    "/v1/pages",
                    token: world.token,
                    version: "2025-09-03",
                    body: Walk.json([
                        "parent": ["data_source_id": source],
                        "properties": ["Name": ["title": Walk.text("Linked")], "Link": ["relation": [["id": id]]]],
                    ])
                )
            }
            let random = UUID().uuidString.lowercased()
            let hidden = try await create(linking: world.unsharedPage.id)
            let unknown = try await create(linking: random)
            #expect(hidden.status == 400 && hidden.code == "validation_error")
            #expect(
                hidden.message?.replacingOccurrences(of: world.unsharedPage.id, with: "ID")
                    == unknown.message?.replacingOccurrences(of: random, with: "ID")
            )
            let linked = try await create(linking: world.sharedPage.id)
            #expect(linked.status == 200)
            // A page it can see, but in another data source than the one the relation points to.
            let elsewhere = try #require(linked.json["id"] as? String)
            let misplaced = try await create(linking: elsewhere)
            #expect(misplaced.status == 400 && misplaced.code == "validation_error")
            #expect(
                misplaced.message
                    == "body failed validation: body.properties.Link.relation: the page \(elsewhere) is not in the data source \(world.sharedDatabase.id) that Link relates to."
            )
            let query = try await Self.ok(client, .post, "/v1/data_sources/\(source)/query", token: world.token, [:])
            #expect(query.results.count == 1)
        }
    }
}

import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore
import GatehouseServer
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Data sources, pages with properties and queries over real HTTP, at both API versions.
@Suite(.timeLimit(.minutes(2))) struct DataSourceTests {
    static let new = "2025-09-03"
    static let old = "2022-06-28"

    static let schema = #"""
        {"Name": {"title": {}}, "Notes": {"rich_text": {}}, "Estimate": {"number": {"format": "number"}},
         "Tags": {"multi_select": {"options": [{"name": "bug", "color": "red"}, {"name": "ui"}]}},
         "Priority": {"select": {"options": [{"name": "High", "color": "red"}, {"name": "Low"}]}},
         "Status": {"status": {}}, "Due": {"date": {}}, "Owner": {"people": {}}, "Done": {"checkbox": {}},
         "Link": {"url": {}}, "Contact": {"email": {}}, "Phone": {"phone_number": {}}, "Files": {"files": {}},
         "Created": {"created_time": {}}, "Edited by": {"last_edited_by": {}}}
        """#

    /// Creates a data source with the schema above in the world's shared database; returns its id.
    static func makeDataSource(_ client: some TestClientProtocol, _ world: TestWorld) async throws -> String {
        let created = try await client.call(
            .post,
            "/v1/data_sources",
            token: world.token,
            version: new,
            body:
                #"{"parent": {"database_id": "\#(world.sharedDatabase.id)"}, "title": [{"text": {"content": "Sprint"}}], "properties": \#(schema)}"#
        )
        #expect(created.status == 200, "\(created.text)")
        #expect(created.json["object"] as? String == "data_source")
        return try #require(created.json["id"] as? String)
    }

    static func page(
        _ client: some TestClientProtocol,
        _ world: TestWorld,
        _ dataSource: String,
        _ properties: String
    ) async throws -> APIResult {
        try await client.call(
            .post,
            "/v1/pages",
            token: world.token,
            version: new,
            body: #"{"parent": {"data_source_id": "\#(dataSource)"}, "properties": {\#(properties)}}"#
        )
    }

    /// `POST /v1/data_sources/{id}/query` with `body`, at the new version.
    static func query(
        _ client: some TestClientProtocol,
        _ token: String,
        _ dataSource: String,
        _ body: String
    ) async throws -> APIResult {
        try await client.call(.post, "/v1/data_sources/\(dataSource)/query", token: token, version: new, body: body)
    }

    static func title(_ name: String) -> String { #""Name": {"title": [{"text": {"content": "\#(name)"}}]}"# }

    static func names(_ result: APIResult) -> [String] {
        result.results.compactMap { page in
            let properties = page["properties"] as? [String: Any]
            let title = (properties?["Name"] as? [String: Any])?["title"] as? [[String: Any]]
            return title?.compactMap { $0["plain_text"] as? String }.joined()
        }
    }

    /// The ids `created_by` and `last_edited_by` name.
    static func people(_ result: APIResult) -> [String?] {
        ["created_by", "last_edited_by"].map { (result.json[$0] as? [String: Any])?["id"] as? String }
    }

    /// `created_by` and `last_edited_by` of a database or data source name who created and last
    /// changed it, whichever integration asks (they named the asking integration).
    @Test func databasesAndDataSourcesNameTheirAuthorAndLastEditorWhoeverAsks() async throws {
        let world = try await TestWorld.make()
        let (other, otherToken) = try await world.otherIntegrationSharingTheDatabase()
        try await world.test(.router) { client in
            let databasePath = "/v1/databases/\(world.sharedDatabase.id)"
            // Made by an admin command: the workspace's first member.
            let seeded = try await client.call(.get, databasePath, token: otherToken, version: Self.old)
            #expect(Self.people(seeded) == [world.owner.id, world.owner.id])
            // From 2025-09-03 a database names no author: its data source does.
            let current = try await client.call(.get, databasePath, token: otherToken, version: Self.new)
            #expect(Self.people(current) == [nil, nil])
            #expect(current.json["data_sources"] != nil)

            let dataSource = try await Self.makeDataSource(client, world)
            let path = "/v1/data_sources/\(dataSource)"
            let bot = world.integration.botID
            #expect(Self.people(try await client.call(.get, path, token: otherToken, version: Self.new)) == [bot, bot])

            let renamed = try await client.call(
                .patch,
                path,
                token: otherToken,
                version: Self.new,
                body: #"{"title": [{"text": {"content": "Backlog"}}]}"#
            )
            #expect(renamed.status == 200, "\(renamed.text)")
            #expect(Self.people(renamed) == [bot, other.botID])
            #expect(
                Self.people(try await client.call(.get, path, token: world.token, version: Self.new)) == [
                    bot, other.botID,
                ]
            )

            let retitled = try await client.call(
                .patch,
                databasePath,
                token: otherToken,
                version: Self.new,
                body: #"{"title": [{"text": {"content": "Work"}}]}"#
            )
            #expect(retitled.status == 200, "\(retitled.text)")
            let reread = try await client.call(.get, databasePath, token: world.token, version: Self.old)
            #expect(Self.people(reread) == [world.owner.id, other.botID])
        }
    }

    @Test func pagesOfEveryPropertyTypeAreStoredAndQueriedWithCompoundFiltersSortsAndPages() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let dataSource = try await Self.makeDataSource(client, world)
            let full = try await Self.page(
                client,
                world,
                dataSource,
                Self.title("Alpha")
                    + #", "Notes": {"rich_text": [{"text": {"content": "Fix login"}}]}, "Estimate": {"number": 3}, "Tags": {"multi_select": [{"name": "bug"}, {"name": "new tag"}]}, "Priority": {"select": {"name": "High"}}, "Status": {"status": {"name": "Done"}}, "Due": {"date": {"start": "2026-01-02"}}, "Owner": {"people": [{"id": "\#(world.owner.id)"}]}, "Done": {"checkbox": true}, "Link": {"url": "https://example.com"}, "Contact": {"email": "a@example.com"}, "Phone": {"phone_number": "+1 555"}, "Files": {"files": [{"name": "spec.pdf", "external": {"url": "https://example.com/spec.pdf"}}]}"#
            )
            #expect(full.status == 200, "\(full.text)")
            let properties = try #require(full.json["properties"] as? [String: Any])
            #expect((properties["Estimate"] as? [String: Any])?["number"] as? Double == 3)
            #expect(
                ((properties["Priority"] as? [String: Any])?["select"] as? [String: Any])?["name"] as? String == "High"
            )
            #expect(((properties["Tags"] as? [String: Any])?["multi_select"] as? [[String: Any]])?.count == 2)
            #expect((properties["Done"] as? [String: Any])?["checkbox"] as? Bool == true)
            #expect((full.json["parent"] as? [String: Any])?["data_source_id"] as? String == dataSource)
            for (name, estimate, tag) in [("Beta", 5, "ui"), ("Gamma", 1, "bug"), ("Delta", 8, "ui"), ("Eps", 2, "ui")]
            {
                let made = try await Self.page(
                    client,
                    world,
                    dataSource,
                    Self.title(name)
                        + #", "Estimate": {"number": \#(estimate)}, "Tags": {"multi_select": [{"name": "\#(tag)"}]}"#
                )
                #expect(made.status == 200, "\(made.text)")
            }
            // The option made on first use is in the schema now.
            let source = try await client.call(
                .get,
                "/v1/data_sources/\(dataSource)",
                token: world.token,
                version: Self.new
            )
            let tags = ((source.json["properties"] as? [String: Any])?["Tags"] as? [String: Any])?["multi_select"]
            #expect(((tags as? [String: Any])?["options"] as? [[String: Any]])?.count == 3)

            let filter =
                #"{"or": [{"and": [{"property": "Tags", "multi_select": {"contains": "ui"}}, {"property": "Estimate", "number": {"greater_than": 2}}]}, {"property": "Notes", "rich_text": {"contains": "LOGIN"}}]}"#
            let first = try await client.call(
                .post,
                "/v1/data_sources/\(dataSource)/query?filter_properties=Estimate&filter_properties=title",
                token: world.token,
                version: Self.new,
                body:
                    #"{"filter": \#(filter), "sorts": [{"property": "Estimate", "direction": "descending"}], "page_size": 2}"#
            )
            #expect(first.status == 200, "\(first.text)")
            #expect(Self.names(first) == ["Delta", "Beta"])
            #expect(first.json["has_more"] as? Bool == true)
            #expect(
                Set((first.results.first?["properties"] as? [String: Any])?.keys ?? [:].keys) == ["Name", "Estimate"]
            )
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await client.call(
                .post,
                "/v1/data_sources/\(dataSource)/query",
                token: world.token,
                version: Self.new,
                body:
                    #"{"filter": \#(filter), "sorts": [{"property": "Estimate", "direction": "descending"}], "page_size": 2, "start_cursor": "\#(cursor)"}"#
            )
            #expect(Self.names(second) == ["Alpha"])
            #expect(second.json["has_more"] as? Bool == false)

            // Trashed pages leave the query; restored ones come back.
            let alpha = try #require(full.json["id"] as? String)
            let trashed = try await client.call(
                .patch,
                "/v1/pages/\(alpha)",
                token: world.token,
                version: Self.new,
                body: #"{"in_trash": true}"#
            )
            #expect(trashed.json["in_trash"] as? Bool == true)
            let without = try await client.call(
                .post,
                "/v1/data_sources/\(dataSource)/query",
                token: world.token,
                version: Self.new,
                body: "{}"
            )
            #expect(!Self.names(without).contains("Alpha"))
            #expect(Self.names(without).count == 4)
            _ = try await client.call(
                .patch,
                "/v1/pages/\(alpha)",
                token: world.token,
                version: Self.new,
                body: #"{"in_trash": false, "properties": {"Estimate": {"number": 40}}}"#
            )
            let top = try await client.call(
                .post,
                "/v1/data_sources/\(dataSource)/query",
                token: world.token,
                version: Self.new,
                body: #"{"sorts": [{"property": "Estimate", "direction": "descending"}], "page_size": 1}"#
            )
            #expect(Self.names(top) == ["Alpha"])

            // The title as paginated property items.
            let items = try await client.call(
                .get,
                "/v1/pages/\(alpha)/properties/title?page_size=1",
                token: world.token,
                version: Self.new
            )
            #expect(items.status == 200, "\(items.text)")
            #expect(items.json["object"] as? String == "list")
            #expect(items.results.count == 1)
        }
    }

    @Test func invalidValuesAreRefusedNamingThePropertyAndWriteNothing() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let dataSource = try await Self.makeDataSource(client, world)
            let cases: [(String, String)] = [
                (#""Estimate": {"select": {"name": "x"}}"#, "Estimate"),
                (#""Nope": {"number": 1}"#, "Nope"),
                (#""Status": {"status": {"name": "Someday"}}"#, "Status"),
                (#""Owner": {"people": [{"id": "\#(UUID().uuidString.lowercased())"}]}"#, "Could not find user"),
            ]
            for (properties, named) in cases {
                let result = try await Self.page(client, world, dataSource, Self.title("Bad") + ", " + properties)
                #expect(result.status == 400, "\(properties)")
                #expect(result.code == "validation_error")
                #expect(result.message?.contains(named) == true, "\(result.message ?? "")")
            }
            let badFilter = try await client.call(
                .post,
                "/v1/data_sources/\(dataSource)/query",
                token: world.token,
                version: Self.new,
                body: #"{"filter": {"property": "Priority", "status": {"equals": "High"}}}"#
            )
            #expect(badFilter.status == 400)
            #expect(badFilter.code == "validation_error")
            let all = try await client.call(
                .post,
                "/v1/data_sources/\(dataSource)/query",
                token: world.token,
                version: Self.new,
                body: "{}"
            )
            #expect(all.results.isEmpty)
        }
    }

    @Test func capabilitiesSharingAndWorkspacesRefuseDataSourceCalls() async throws {
        let world = try await TestWorld.make()
        let (reader, readerToken) = try await world.otherIntegration(
            capabilities: Capabilities(content: [.readContent], userInfo: .none)
        )
        _ = try await world.admin.share(
            integrationID: reader.id,
            target: .database(world.sharedDatabase.id),
            remove: false
        )
        let elsewhere = try await world.admin.createWorkspace(name: "Elsewhere", plan: .free)
        let foreign = try await world.admin.createDatabase(workspaceID: elsewhere.id, title: "Theirs")
        try await world.test(.router) { client in
            let dataSource = try await Self.makeDataSource(client, world)
            let read = try await client.call(
                .post,
                "/v1/data_sources/\(dataSource)/query",
                token: readerToken,
                version: Self.new,
                body: "{}"
            )
            #expect(read.status == 200)
            let insert = try await Self.page(client, world, dataSource, Self.title("x"))
            #expect(insert.status == 200)
            let refused = try await client.call(
                .post,
                "/v1/pages",
                token: readerToken,
                version: Self.new,
                body: #"{"parent": {"data_source_id": "\#(dataSource)"}, "properties": {}}"#
            )
            #expect(refused.status == 403)
            let update = try await client.call(
                .patch,
                "/v1/data_sources/\(dataSource)",
                token: readerToken,
                version: Self.new,
                body: #"{"title": [{"text": {"content": "Mine"}}]}"#
            )
            #expect(update.status == 403)
            let unshared = try await client.call(
                .get,
                "/v1/data_sources/\(world.unsharedDatabase.id)",
                token: world.token,
                version: Self.new
            )
            #expect(unshared.status == 403)
            #expect(unshared.code == "restricted_resource")
            for id in [foreign.id, UUID().uuidString.lowercased()] {
                let missing = try await client.call(
                    .get,
                    "/v1/data_sources/\(id)",
                    token: world.token,
                    version: Self.new
                )
                #expect(missing.status == 404)
                #expect(missing.code == "object_not_found")
            }
        }
    }

    @Test func bothVersionsAnswerFromTheSameStoredData() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let database = world.sharedDatabase.id
            let patched = try await client.call(
                .patch,
                "/v1/data_sources/\(database)",
                token: world.token,
                version: Self.new,
                body: #"{"properties": {"Points": {"number": {}}}}"#
            )
            #expect(patched.status == 200, "\(patched.text)")
            let created = try await client.call(
                .post,
                "/v1/pages",
                token: world.token,
                version: Self.old,
                body:
                    #"{"parent": {"database_id": "\#(database)"}, "properties": {"Name": {"title": [{"text": {"content": "Old client"}}]}, "Points": {"number": 7}}}"#
            )
            #expect(created.status == 200, "\(created.text)")
            #expect((created.json["parent"] as? [String: Any])?["database_id"] as? String == database)

            let oldDatabase = try await client.call(
                .get,
                "/v1/databases/\(database)",
                token: world.token,
                version: Self.old
            )
            #expect((oldDatabase.json["properties"] as? [String: Any])?["Points"] != nil)
            let newDatabase = try await client.call(
                .get,
                "/v1/databases/\(database)",
                token: world.token,
                version: Self.new
            )
            #expect((newDatabase.json["data_sources"] as? [[String: Any]])?.first?["id"] as? String == database)

            let body = #"{"filter": {"property": "Points", "number": {"equals": 7}}}"#
            let oldQuery = try await client.call(
                .post,
                "/v1/databases/\(database)/query",
                token: world.token,
                version: Self.old,
                body: body
            )
            let newQuery = try await client.call(
                .post,
                "/v1/data_sources/\(database)/query",
                token: world.token,
                version: Self.new,
                body: body
            )
            #expect(Self.names(oldQuery) == ["Old client"])
            #expect(Self.names(newQuery) == ["Old client"])
            // The seed's page, written before properties existed, is queried by its title.
            let seeded = try await client.call(
                .post,
                "/v1/data_sources/\(database)/query",
                token: world.token,
                version: Self.new,
                body: #"{"filter": {"property": "Name", "title": {"contains": "tests"}}}"#
            )
            #expect(Self.names(seeded) == ["Write tests"])
        }
    }

    @Test func databasesAreCreatedUnderSharedPagesWithTheirFirstDataSource() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let page = world.sharedPage.id
            let created = try await client.call(
                .post,
                "/v1/databases",
                token: world.token,
                version: Self.new,
                body:
                    #"{"parent": {"type": "page_id", "page_id": "\#(page)"}, "title": [{"text": {"content": "Bugs"}}], "initial_data_source": {"properties": {"Title": {"title": {}}, "Severity": {"select": {}}}}}"#
            )
            #expect(created.status == 200, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let sources = try #require(created.json["data_sources"] as? [[String: Any]])
            #expect(sources.count == 1)
            let old = try await client.call(.get, "/v1/databases/\(id)", token: world.token, version: Self.old)
            #expect(old.status == 200)
            #expect((old.json["properties"] as? [String: Any])?["Severity"] != nil)
            let templates = try await client.call(
                .get,
                "/v1/data_sources/\(id)/templates",
                token: world.token,
                version: Self.new
            )
            #expect(templates.status == 200)
            let oldCreate = try await client.call(
                .post,
                "/v1/databases",
                token: world.token,
                version: Self.old,
                body:
                    #"{"parent": {"page_id": "\#(page)"}, "properties": {"Name": {"title": {}}, "Done": {"checkbox": {}}}}"#
            )
            #expect(oldCreate.status == 200, "\(oldCreate.text)")
            #expect((oldCreate.json["properties"] as? [String: Any])?["Done"] != nil)
        }
    }

    @Test func peopleValuesShowEmailsOnlyWithTheCapability() async throws {
        let world = try await TestWorld.make()
        let (quiet, quietToken) = try await world.otherIntegration(
            capabilities: Capabilities(content: [.readContent], userInfo: .withoutEmail)
        )
        _ = try await world.admin.share(
            integrationID: quiet.id,
            target: .database(world.sharedDatabase.id),
            remove: false
        )
        try await world.test(.router) { client in
            let dataSource = try await Self.makeDataSource(client, world)
            let made = try await Self.page(
                client,
                world,
                dataSource,
                Self.title("Mine") + #", "Owner": {"people": [{"id": "\#(world.owner.id)"}]}"#
            )
            let id = try #require(made.json["id"] as? String)
            #expect(made.text.contains(world.owner.email))
            let hidden = try await client.call(.get, "/v1/pages/\(id)", token: quietToken, version: Self.new)
            #expect(hidden.status == 200)
            #expect(hidden.text.contains(world.owner.id))
            #expect(!hidden.text.contains(world.owner.email))
            // Queries keep rendered pages: one integration's rendering never reaches another.
            for (token, showsEmail) in [(world.token, true), (quietToken, false), (world.token, true)] {
                let listed = try await Self.query(client, token, dataSource, "{}")
                #expect(listed.status == 200)
                #expect(listed.text.contains(world.owner.id))
                #expect(listed.text.contains(world.owner.email) == showsEmail)
            }
        }
    }

    @Test func pagesCreatedWhileAClientPagesThroughNeitherShiftNorRepeatItsPages() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let dataSource = try await Self.makeDataSource(client, world)
            for index in 0..<7 { _ = try await Self.page(client, world, dataSource, Self.title("Old \(index)")) }
            func query(_ body: String) async throws -> APIResult {
                try await Self.query(client, world.token, dataSource, body)
            }
            let before = Self.names(try await query("{}"))
            #expect(before.count == 7)
            // Newest first, two at a time, a page created before each next request (a few
            // milliseconds after the first: times are kept to the millisecond).
            var seen: [String] = []
            var cursor: String?
            var created = 0
            repeat {
                let body = cursor.map { #"{"page_size": 2, "start_cursor": "\#($0)"}"# } ?? #"{"page_size": 2}"#
                let page = try await query(body)
                #expect(page.status == 200, "\(page.text)")
                seen += Self.names(page)
                cursor = page.json["next_cursor"] as? String
                try await Task.sleep(for: .milliseconds(3))
                _ = try await Self.page(client, world, dataSource, Self.title("New \(created)"))
                created += 1
            } while cursor != nil && created < 10
            #expect(seen == before)
            // A new query sees them all.
            let all = try await query("{}")
            #expect(Self.names(all).count == 7 + created)
        }
    }

    @Test func aLaterPageReadsRelativeDatesAsOfItsFirstPage() async throws {
        let clock = TestClock(.system)
        let world = try await TestWorld.make(clock: clock)
        try await world.test(.router) { client in
            let dataSource = try await Self.makeDataSource(client, world)
            let today = String(ISODate.format(milliseconds: clock.now().epochMilliseconds).prefix(10))
            for name in ["A", "B"] {
                let made = try await Self.page(
                    client,
                    world,
                    dataSource,
                    Self.title(name) + #", "Due": {"date": {"start": "\#(today)"}}"#
                )
                #expect(made.status == 200, "\(made.text)")
            }
            let pastWeek = #""filter": {"property": "Due", "date": {"past_week": {}}}, "page_size": 1"#
            let first = try await Self.query(client, world.token, dataSource, "{\(pastWeek)}")
            #expect(Self.names(first).count == 1)
            let cursor = try #require(first.json["next_cursor"] as? String)
            // Eight days on, the dates are no longer in the past week, but the second page is read
            // as of the first.
            clock.advance(by: .seconds(8 * 86_400))
            let second = try await Self.query(
                client,
                world.token,
                dataSource,
                #"{\#(pastWeek), "start_cursor": "\#(cursor)"}"#
            )
            #expect(second.status == 200, "\(second.text)")
            #expect(Set(Self.names(first) + Self.names(second)) == ["A", "B"])
            #expect(try await Self.query(client, world.token, dataSource, "{\(pastWeek)}").results.isEmpty)
        }
    }

    @Test func theTrashIsQueriedWithInTrashAndEveryChangeShowsInTheNextQuery() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let dataSource = try await Self.makeDataSource(client, world)
            var ids: [String: String] = [:]
            for name in ["A", "B", "C"] {
                let made = try await Self.page(
                    client,
                    world,
                    dataSource,
                    Self.title(name) + #", "Estimate": {"number": 1}"#
                )
                ids[name] = try #require(made.json["id"] as? String)
            }
            func query(_ body: String) async throws -> APIResult {
                try await Self.query(client, world.token, dataSource, body)
            }
            let sorted = #""sorts": [{"property": "Name", "direction": "ascending"}]"#
            #expect(Self.names(try await query("{\(sorted)}")) == ["A", "B", "C"])
            let trashed = try await client.call(
                .patch,
                "/v1/pages/\(ids["B"]!)",
                token: world.token,
                version: Self.new,
                body: #"{"in_trash": true}"#
            )
            #expect(trashed.status == 200)
            #expect(Self.names(try await query("{\(sorted)}")) == ["A", "C"])
            #expect(Self.names(try await query(#"{"in_trash": true, \#(sorted)}"#)) == ["B"])
            #expect(Self.names(try await query(#"{"archived": true}"#)) == ["B"])
            #expect(try await query(#"{"in_trash": true}"#).results.first?["in_trash"] as? Bool == true)
            #expect(try await query(#"{"result_type": "data_source"}"#).results.isEmpty)
            #expect(Self.names(try await query(#"{"result_type": "page", \#(sorted)}"#)) == ["A", "C"])
            // A page changed after a query is answered as it is now.
            let edited = try await client.call(
                .patch,
                "/v1/pages/\(ids["A"]!)",
                token: world.token,
                version: Self.new,
                body: #"{"properties": {"Estimate": {"number": 5}}}"#
            )
            #expect(edited.status == 200)
            let after = try await query("{\(sorted)}")
            let estimate = (after.results.first?["properties"] as? [String: Any])?["Estimate"] as? [String: Any]
            #expect(estimate?["number"] as? Double == 5)
            for body in [#"{"in_trash": "yes"}"#, #"{"result_type": "block"}"#] {
                let refused = try await query(body)
                #expect(refused.status == 400)
                #expect(refused.code == "validation_error")
            }
        }
    }
}

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

/// Two-way relations (`dual_property`) over HTTP: the synced property on the related data source,
/// and values mirrored there.
@Suite(.timeLimit(.minutes(2))) struct TwoWayRelationTests {
    static let new = DataSourceTests.new

    static func relation(_ property: APIResult, _ name: String) -> [String: Any]? {
        ((property.json["properties"] as? [String: Any])?[name] as? [String: Any])?["relation"] as? [String: Any]
    }

    static func related(_ page: APIResult, _ name: String) -> [String]? {
        let property = (page.json["properties"] as? [String: Any])?[name] as? [String: Any]
        return (property?["relation"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
    }

    /// A second data source, "Projects" (a title only), in the world's shared database; its id.
    static func makeProjects(_ client: some TestClientProtocol, _ world: TestWorld) async throws -> String {
        let created = try await client.call(
            .post,
            "/v1/data_sources",
            token: world.token,
            version: new,
            body:
                #"{"parent": {"database_id": "\#(world.sharedDatabase.id)"}, "title": [{"text": {"content": "Projects"}}], "properties": {"Name": {"title": {}}}}"#
        )
        return try #require(created.json["id"] as? String)
    }

    @Test func aTwoWayRelationHasASyncedPropertyWhoseValuesMirrorItsOwn() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let sprint = try await DataSourceTests.makeDataSource(client, world)
            let projects = try await Self.makeProjects(client, world)
            let paired = try await client.call(
                .patch,
                "/v1/data_sources/\(sprint)",
                token: world.token,
                version: Self.new,
                body:
                    #"{"properties": {"Project": {"relation": {"data_source_id": "\#(projects)", "dual_property": {}}}}}"#
            )
            #expect(paired.status == 200, "\(paired.text)")
            let dual = Self.relation(paired, "Project")?["dual_property"] as? [String: Any]
            #expect(dual?["synced_property_name"] as? String == "Related to Sprint (Project)")
            let syncedID = try #require(dual?["synced_property_id"] as? String)

            let other = try await client.call(
                .get,
                "/v1/data_sources/\(projects)",
                token: world.token,
                version: Self.new
            )
            let back = try #require(Self.relation(other, "Related to Sprint (Project)"))
            #expect(back["data_source_id"] as? String == sprint)
            #expect((back["dual_property"] as? [String: Any])?["synced_property_name"] as? String == "Project")
            let backProperty = (other.json["properties"] as? [String: Any])?["Related to Sprint (Project)"]
            #expect((backProperty as? [String: Any])?["id"] as? String == syncedID)

            // A page that lists another is listed by it.
            let project = try await DataSourceTests.page(client, world, projects, DataSourceTests.title("Launch"))
            let projectID = try #require(project.json["id"] as? String)
            let task = try await DataSourceTests.page(
                client,
                world,
                sprint,
                DataSourceTests.title("Write") + #", "Project": {"relation": [{"id": "\#(projectID)"}]}"#
            )
            #expect(task.status == 200, "\(task.text)")
            let taskID = try #require(task.json["id"] as? String)
            let projectPath = "/v1/pages/\(projectID)"
            var reread = try await client.call(.get, projectPath, token: world.token, version: Self.new)
            #expect(Self.related(reread, "Related to Sprint (Project)") == [taskID])
            // The mirrored value is indexed: a query on the related data source finds it.
            let found = try await DataSourceTests.query(
                client,
                world.token,
                projects,
                #"{"filter": {"property": "Related to Sprint (Project)", "relation": {"contains": "\#(taskID)"}}}"#
            )
            #expect(DataSourceTests.names(found) == ["Launch"])

            // And from the other side: the project unlists the task, the task no longer lists it.
            let unlinked = try await client.call(
                .patch,
                projectPath,
                token: world.token,
                version: Self.new,
                body: #"{"properties": {"Related to Sprint (Project)": {"relation": []}}}"#
            )
            #expect(unlinked.status == 200)
            let taskAfter = try await client.call(.get, "/v1/pages/\(taskID)", token: world.token, version: Self.new)
            #expect(Self.related(taskAfter, "Project") == [])

            // Removing one side removes the other.
            let removed = try await client.call(
                .patch,
                "/v1/data_sources/\(sprint)",
                token: world.token,
                version: Self.new,
                body: #"{"properties": {"Project": null}}"#
            )
            #expect(removed.status == 200)
            reread = try await client.call(.get, "/v1/data_sources/\(projects)", token: world.token, version: Self.new)
            #expect((reread.json["properties"] as? [String: Any])?.keys.sorted() == ["Name"])
        }
    }

    @Test func aOneWayRelationMadeTwoWayMirrorsTheValuesPagesHoldAlready() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let sprint = try await DataSourceTests.makeDataSource(client, world)
            let projects = try await Self.makeProjects(client, world)
            func relate(_ kind: String) async throws -> APIResult {
                try await client.call(
                    .patch,
                    "/v1/data_sources/\(sprint)",
                    token: world.token,
                    version: Self.new,
                    body:
                        #"{"properties": {"Project": {"relation": {"data_source_id": "\#(projects)", "type": "\#(kind)", "\#(kind)": {}}}}}"#
                )
            }
            #expect(try await relate("single_property").status == 200)
            let project = try await DataSourceTests.page(client, world, projects, DataSourceTests.title("Launch"))
            let projectID = try #require(project.json["id"] as? String)
            let task = try await DataSourceTests.page(
                client,
                world,
                sprint,
                DataSourceTests.title("Write") + #", "Project": {"relation": [{"id": "\#(projectID)"}]}"#
            )
            let taskID = try #require(task.json["id"] as? String)
            #expect(try await relate("dual_property").status == 200)
            let reread = try await client.call(.get, "/v1/pages/\(projectID)", token: world.token, version: Self.new)
            #expect(Self.related(reread, "Related to Sprint (Project)") == [taskID])
        }
    }

    /// A pair made by an integration that sees both sides gives no way in to one that sees only
    /// its own: a new pair to the same data source is checked like any other.
    @Test func anExistingPairOpensNoWayToADataSourceTheIntegrationCannotSee() async throws {
        let world = try await TestWorld.make()
        let (insider, insiderToken) = try await world.otherIntegration(capabilities: .all)
        for database in [world.sharedDatabase.id, world.unsharedDatabase.id] {
            _ = try await world.admin.share(integrationID: insider.id, target: .database(database), remove: false)
        }
        try await world.test(.router) { client in
            let sprint = try await DataSourceTests.makeDataSource(client, world)
            let hidden = world.unsharedDatabase.id
            let paired = try await client.call(
                .patch,
                "/v1/data_sources/\(sprint)",
                token: insiderToken,
                version: Self.new,
                body:
                    #"{"properties": {"Private": {"relation": {"data_source_id": "\#(hidden)", "dual_property": {}}}}}"#
            )
            #expect(paired.status == 200, "\(paired.text)")
            let before = try #require(try await world.store.dataSource(id: hidden)).schema
            let sneaky = try await client.call(
                .patch,
                "/v1/data_sources/\(sprint)",
                token: world.token,
                version: Self.new,
                body:
                    #"{"properties": {"Sneaky": {"relation": {"data_source_id": "\#(hidden)", "dual_property": {"synced_property_name": "Injected"}}}}}"#
            )
            #expect(sneaky.status == 400, "\(sneaky.text)")
            #expect(try await world.store.dataSource(id: hidden)?.schema == before)
            // Renaming the pair it has is no new pair: allowed, and the other side follows.
            let renamed = try await client.call(
                .patch,
                "/v1/data_sources/\(sprint)",
                token: world.token,
                version: Self.new,
                body: #"{"properties": {"Private": {"name": "Secret"}}}"#
            )
            #expect(renamed.status == 200, "\(renamed.text)")
            let synced = try #require(try await world.store.dataSource(id: hidden)).schema.properties.last
            #expect(synced?.relation?.syncedPropertyName == "Secret")
        }
    }

    @Test func theRelatedDataSourceMustBeOneTheIntegrationCanSee() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let sprint = try await DataSourceTests.makeDataSource(client, world)
            for target in [world.unsharedDatabase.id, UUID().uuidString.lowercased(), "not-an-id"] {
                for kind in ["single_property", "dual_property"] {
                    let refused = try await client.call(
                        .patch,
                        "/v1/data_sources/\(sprint)",
                        token: world.token,
                        version: Self.new,
                        body:
                            #"{"properties": {"Blocked": {"relation": {"data_source_id": "\#(target)", "type": "\#(kind)", "\#(kind)": {}}}}}"#
                    )
                    #expect(refused.status == 400, "\(kind): \(refused.text)")
                    #expect(refused.code == "validation_error")
                    #expect(refused.message?.contains("Could not find data source with ID: \(target)") == true)
                }
            }
            // Before 2025-09-03 a relation names a database: one not shared is refused the same way.
            let legacy = try await client.call(
                .patch,
                "/v1/databases/\(world.sharedDatabase.id)",
                token: world.token,
                version: DataSourceTests.old,
                body: #"{"properties": {"Blocked": {"relation": {"database_id": "\#(world.unsharedDatabase.id)"}}}}"#
            )
            #expect(legacy.status == 400, "\(legacy.text)")
            #expect(legacy.code == "validation_error")
            // A hidden database reads as one that does not exist (and its data source goes unnamed).
            let absent = UUID().uuidString.lowercased()
            var messages: [String] = []
            for database in [world.unsharedDatabase.id, absent] {
                let refused = try await client.call(
                    .patch,
                    "/v1/databases/\(world.sharedDatabase.id)",
                    token: world.token,
                    version: DataSourceTests.old,
                    body:
                        #"{"properties": {"Blocked": {"relation": {"database_id": "\#(database)", "dual_property": {}}}}}"#
                )
                messages.append((refused.message ?? "").replacingOccurrences(of: database, with: "ID"))
            }
            #expect(messages[0] == messages[1], "\(messages)")
            let unchanged = try await client.call(
                .get,
                "/v1/data_sources/\(sprint)",
                token: world.token,
                version: Self.new
            )
            #expect((unchanged.json["properties"] as? [String: Any])?["Blocked"] == nil)
            let hidden = try await client.call(
                .get,
                "/v1/data_sources/\(world.unsharedDatabase.id)",
                token: world.token,
                version: Self.new
            )
            #expect(hidden.status == 403)
            let stored = try #require(try await world.store.dataSource(id: world.unsharedDatabase.id))
            #expect(stored.schema.properties.map(\.type) == [.title])

            // A relation stored already is left as it is: changing another property still works.
            var sprintRecord = try #require(try await world.store.dataSource(id: sprint))
            var kept = PropertyDefinition(id: "kept", name: "Kept", type: .relation)
            kept.relation = RelationConfig(dataSourceId: world.unsharedDatabase.id)
            sprintRecord.schema.properties.append(kept)
            try await world.store.updateDataSource(sprintRecord, reindex: false)
            let other = try await client.call(
                .patch,
                "/v1/data_sources/\(sprint)",
                token: world.token,
                version: Self.new,
                body: #"{"properties": {"Size": {"number": {}}}}"#
            )
            #expect(other.status == 200, "\(other.text)")
        }
    }
}

import Foundation
import Testing

@testable import GatehouseClient

/// The SDK speaks the official clients' current version by default and still reads the
/// database-era shapes when a caller pins 2022-06-28.
@Suite struct VersionShapeTests {
    @Test func theDefaultVersionIsTheOneTheOfficialClientsSend() async throws {
        #expect(ClientConfiguration.defaultNotionVersion == "2025-09-03")
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        _ = try await makeClient(mock).me()
        #expect(mock.calls.first?.headers["Notion-Version"] == "2025-09-03")
        let pinned = MockTransport()
        pinned.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        _ = try await makeClient(pinned, notionVersion: "2022-06-28").me()
        #expect(pinned.calls.first?.headers["Notion-Version"] == "2022-06-28")
    }

    @Test func aDatabaseListsItsDataSourcesAt2025AndCarriesItsSchemaAt2022() async throws {
        let current = MockTransport()
        current.respond(to: "GET", path: "/v1/databases/\(Fixture.databaseID)", json: Fixture.database2025)
        let database = try await makeClient(current).database(id: Fixture.databaseID)
        #expect(database.title == "Tasks")
        #expect(database.dataSources == [DataSourceReference(id: Fixture.dataSourceID, name: "Tasks")])
        #expect(database.properties.isEmpty)
        #expect(database.parent == .page(Fixture.pageID))
        #expect(database.icon?["emoji"] == "✅")
        #expect(!database.inTrash && !database.archived)

        let old = MockTransport()
        old.respond(to: "GET", path: "/v1/databases/\(Fixture.databaseID)", json: Fixture.database2022)
        let legacy = try await makeClient(old, notionVersion: "2022-06-28").database(id: Fixture.databaseID)
        #expect(legacy.title == "Tasks")
        #expect(legacy.dataSources.isEmpty)
        #expect(legacy.properties["Status"]?.id == "%3AUPp")
        #expect(legacy.properties["Status"]?.type == "status")
        #expect(legacy.properties["Tags"]?.configuration["options"]?[0]?["name"] == "sdk")
        #expect(old.calls.first?.headers["Notion-Version"] == "2022-06-28")
    }

    @Test func aRowsParentIsItsDataSourceAt2025AndItsDatabaseAt2022() async throws {
        let current = MockTransport()
        current.respond(to: "GET", path: "/v1/pages/\(Fixture.pageID)", json: Fixture.row2025)
        let row = try await makeClient(current).page(id: Fixture.pageID)
        #expect(row.parent == .dataSource(Fixture.dataSourceID, databaseID: Fixture.databaseID))
        #expect(row.dataSourceID == Fixture.dataSourceID)
        #expect(row.databaseID == Fixture.databaseID)

        let old = MockTransport()
        old.respond(to: "GET", path: "/v1/pages/\(Fixture.pageID)", json: Fixture.row2022)
        let legacy = try await makeClient(old, notionVersion: "2022-06-28").page(id: Fixture.pageID)
        #expect(legacy.parent == .database(Fixture.databaseID))
        #expect(legacy.dataSourceID == nil)
        #expect(legacy.databaseID == Fixture.databaseID)
        for page in [row, legacy] {
            #expect(page.title == "Ship the SDK")
            #expect(page.properties["Status"]?.value["name"] == "Done")
            #expect(page.properties["Due"]?.value["start"] == "2026-12-05")
            #expect(page.properties["Tags"]?.id == "Q%5Cgz")
            #expect(page.createdBy == PartialUser(id: Fixture.userID))
            #expect(page.lastEditedTime == "2026-12-01T09:05:00.000Z")
        }
    }

    @Test func searchFindsPagesAndDataSourcesAt2025AndDatabasesAt2022() async throws {
        let current = MockTransport()
        current.respond(
            to: "POST",
            path: "/v1/search",
            json: Fixture.list([Fixture.dataSource, Fixture.row2025], type: "page_or_data_source")
        )
        let found = try await makeClient(current).search(query: "Tasks", filter: .dataSource, pageSize: 10)
        guard case .dataSource(let source) = found.results.first, case .page(let page) = found.results.last else {
            Issue.record("expected a data source and a page, got \(found.results)")
            return
        }
        #expect(source.title == "Tasks")
        #expect(source.databaseID == Fixture.databaseID)
        #expect(page.dataSourceID == Fixture.dataSourceID)
        #expect(
            try sentBody(current.calls[0])
                == ["query": "Tasks", "filter": ["property": "object", "value": "data_source"], "page_size": 10]
        )

        let old = MockTransport()
        old.respond(
            to: "POST",
            path: "/v1/search",
            json: Fixture.list([Fixture.database2022, Fixture.row2022], type: "page_or_database")
        )
        let legacy = try await makeClient(old, notionVersion: "2022-06-28").search(filter: .database)
        guard case .database(let database) = legacy.results.first else {
            Issue.record("expected a database, got \(legacy.results)")
            return
        }
        #expect(database.properties.count == 4)
        #expect(try sentBody(old.calls[0]) == ["filter": ["property": "object", "value": "database"]])
    }

    @Test func anOldStyleTrashFlagFillsBothTrashMembers() throws {
        let page = try JSONDecoder().decode(Page.self, from: Data(#"{"object":"page","id":"p1","archived":true}"#.utf8))
        #expect(page.archived && page.inTrash)
        let block = try JSONDecoder().decode(Block.self, from: Data(#"{"id":"b1","in_trash":true}"#.utf8))
        #expect(block.archived && block.inTrash)
        #expect(block.type == "unsupported")
    }
}

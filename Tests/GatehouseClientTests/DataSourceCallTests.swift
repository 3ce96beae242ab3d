import Foundation
import Testing

@testable import GatehouseClient

@Suite struct DataSourceCallTests {
    @Test func creatingADataSourceSendsItsDatabaseSchemaAndTitle() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/v1/data_sources", json: Fixture.dataSource)
        let source = try await makeClient(mock).createDataSource(
            inDatabase: Fixture.databaseID,
            title: [.text("Tasks")],
            properties: ["Name": ["title": [:]], "Tags": ["multi_select": ["options": [["name": "sdk"]]]]]
        )
        #expect(source.id == Fixture.dataSourceID)
        let call = try #require(mock.calls.first)
        #expect(call.method == "POST")
        #expect(call.path == "/v1/data_sources")
        #expect(call.headers["Notion-Version"] == "2025-09-03")
        #expect(
            try sentBody(call) == [
                "parent": ["type": "database_id", "database_id": .string(Fixture.databaseID)],
                "title": [["type": "text", "text": ["content": "Tasks"]]],
                "properties": ["Name": ["title": [:]], "Tags": ["multi_select": ["options": [["name": "sdk"]]]]],
            ]
        )
    }

    @Test func aDataSourceDecodesItsSchemaParentsAndAuthors() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/data_sources/\(Fixture.dataSourceID)", json: Fixture.dataSource)
        let source = try await makeClient(mock).dataSource(id: Fixture.dataSourceID)
        #expect(source.title == "Tasks")
        #expect(source.titleRichText.first?.annotations?.color == "default")
        #expect(source.parent == .database(Fixture.databaseID))
        #expect(source.databaseParent == .page(Fixture.pageID))
        #expect(source.properties.count == 4)
        let status = try #require(source.properties["Status"])
        #expect(status.id == "%3AUPp")
        #expect(status.name == "Status")
        #expect(status.type == "status")
        #expect(status.configuration["options"]?[1]?["name"] == "Done")
        #expect(source.properties["Name"]?.configuration == [:])
        #expect(source.createdBy?.id == Fixture.userID)
        #expect(source.createdTime == "2026-11-30T10:00:00.000Z")
        #expect(!source.inTrash)
        #expect(mock.calls.map(\.method) == ["GET"])
    }

    @Test func updatingADataSourceRenamesRemovesPropertiesAndTrashes() async throws {
        let mock = MockTransport()
        mock.respond(to: "PATCH", path: "/v1/data_sources/\(Fixture.dataSourceID)", json: Fixture.dataSource)
        _ = try await makeClient(mock).updateDataSource(
            id: Fixture.dataSourceID,
            title: [.text("Backlog")],
            properties: ["Tags": nil, "Status": ["name": "State"]],
            inTrash: false
        )
        let call = try #require(mock.calls.first)
        #expect(call.method == "PATCH")
        #expect(
            try sentBody(call) == [
                "title": [["type": "text", "text": ["content": "Backlog"]]],
                "properties": ["Tags": nil, "Status": ["name": "State"]],
                "in_trash": false,
            ]
        )
        _ = try await makeClient(mock).updateDataSource(id: Fixture.dataSourceID)
        #expect(try sentBody(mock.calls[1]) == [:], "nothing asked, nothing sent")
    }

    @Test func aQuerySendsFilterSortsPagingAndFilterPropertiesAndReadsRows() async throws {
        let mock = MockTransport()
        let path = "/v1/data_sources/\(Fixture.dataSourceID)/query"
        mock.respond(
            to: "POST",
            path: path,
            json: Fixture.list([Fixture.row2025], type: "page_or_data_source", next: "c2")
        )
        let filter: JSONValue = [
            "and": [
                ["property": "Status", "status": ["equals": "Done"]],
                ["timestamp": "created_time", "created_time": ["past_week": [:]]],
            ]
        ]
        let rows = try await makeClient(mock).queryDataSource(
            id: Fixture.dataSourceID,
            filter: filter,
            sorts: [.property("Due", .descending), .timestamp(.createdTime)],
            startCursor: "c1",
            pageSize: 50,
            filterProperties: ["title", "%3AUPp"]
        )
        #expect(rows.results.map(\.title) == ["Ship the SDK"])
        #expect(rows.results.first?.dataSourceID == Fixture.dataSourceID)
        #expect(rows.nextCursor == "c2")
        #expect(rows.hasMore)
        let call = try #require(mock.calls.first)
        #expect(call.path == path)
        #expect(encodedQuery(call) == "filter_properties=title&filter_properties=%3AUPp")
        #expect(
            try sentBody(call) == [
                "filter": filter,
                "sorts": [
                    ["property": "Due", "direction": "descending"],
                    ["timestamp": "created_time", "direction": "ascending"],
                ],
                "start_cursor": "c1",
                "page_size": 50,
            ]
        )
    }

    @Test func aQueryIsReadOnlySoAServerErrorIsRetried() async throws {
        let mock = MockTransport()
        let path = "/v1/data_sources/\(Fixture.dataSourceID)/query"
        mock.respond(to: "POST", path: path, status: 502, json: errorJSON(502, "bad_gateway"))
        mock.respond(to: "POST", path: path, json: Fixture.list([], type: "page_or_data_source"))
        let sleeps = Sleeps()
        let rows = try await makeClient(mock, sleeps: sleeps).queryDataSource(id: Fixture.dataSourceID)
        #expect(rows.results.isEmpty)
        #expect(mock.calls.count == 2)
        #expect(sleeps.all.count == 1)
        #expect(try sentBody(mock.calls[0]) == [:])
    }

    @Test func templatesAreListedByNameWithPaging() async throws {
        let mock = MockTransport()
        let path = "/v1/data_sources/\(Fixture.dataSourceID)/templates"
        mock.respond(
            to: "GET",
            path: path,
            json:
                #"{"templates":[{"id":"t1","name":"Bug report","is_default":true}],"has_more":false,"next_cursor":null}"#
        )
        let templates = try await makeClient(mock).dataSourceTemplates(
            id: Fixture.dataSourceID,
            name: "Bug",
            pageSize: 5
        )
        #expect(templates.templates == [DataSourceTemplate(id: "t1", name: "Bug report", isDefault: true)])
        #expect(!templates.hasMore)
        #expect(mock.calls.first?.query == "name=Bug&page_size=5")
        #expect(mock.calls.first?.body == nil)
    }

    @Test func anUnsharedDataSourceIsObjectNotFound() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/data_sources/\(Fixture.dataSourceID)",
            status: 404,
            json: errorJSON(404, "object_not_found", "Could not find data_source")
        )
        let error = try await #require(throws: NotionError.self) {
            try await makeClient(mock).dataSource(id: Fixture.dataSourceID)
        }
        #expect(error.code == .objectNotFound)
        #expect(error.status == 404)
        #expect(mock.calls.count == 1, "a 404 is not retried")
        await #expect(throws: NotionError.self) { try await makeClient(mock).dataSource(id: "a/../b") }
    }
}

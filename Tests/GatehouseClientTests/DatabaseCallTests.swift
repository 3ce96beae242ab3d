import Foundation
import Testing

@testable import GatehouseClient

@Suite struct DatabaseCallTests {
    @Test func creatingADatabaseSendsItsInitialDataSource() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/v1/databases", json: Fixture.database2025)
        let database = try await makeClient(mock).createDatabase(
            under: .page(Fixture.pageID),
            title: [.text("Tasks")],
            properties: ["Name": ["title": [:]], "Done": ["checkbox": [:]]],
            isInline: true,
            icon: ["type": "emoji", "emoji": "✅"]
        )
        #expect(database.dataSources.map(\.id) == [Fixture.dataSourceID])
        let call = try #require(mock.calls.first)
        #expect(call.method == "POST")
        #expect(call.path == "/v1/databases")
        #expect(
            try sentBody(call) == [
                "parent": ["type": "page_id", "page_id": .string(Fixture.pageID)],
                "title": [["type": "text", "text": ["content": "Tasks"]]],
                "initial_data_source": ["properties": ["Name": ["title": [:]], "Done": ["checkbox": [:]]]],
                "is_inline": true,
                "icon": ["type": "emoji", "emoji": "✅"],
            ]
        )
    }

    @Test func updatingADatabaseSendsOnlyWhatIsAsked() async throws {
        let mock = MockTransport()
        mock.respond(to: "PATCH", path: "/v1/databases/\(Fixture.databaseID)", json: Fixture.database2025)
        _ = try await makeClient(mock).updateDatabase(
            id: Fixture.databaseID,
            title: [.text("Done", annotations: RichText.Annotations(bold: true))],
            isLocked: true,
            inTrash: false
        )
        #expect(
            try sentBody(try #require(mock.calls.first)) == [
                "title": [
                    [
                        "type": "text", "text": ["content": "Done"],
                        "annotations": [
                            "bold": true, "italic": false, "strikethrough": false, "underline": false, "code": false,
                            "color": "default",
                        ],
                    ]
                ],
                "is_locked": true,
                "in_trash": false,
            ]
        )
    }

    @Test func aDatabaseQueryAt2022SendsFilterAndSorts() async throws {
        let mock = MockTransport()
        let path = "/v1/databases/\(Fixture.databaseID)/query"
        mock.respond(to: "POST", path: path, json: Fixture.list([Fixture.row2022], type: "page_or_database"))
        let rows = try await makeClient(mock, notionVersion: "2022-06-28").queryDatabase(
            id: Fixture.databaseID,
            filter: ["property": "Tags", "multi_select": ["contains": "sdk"]],
            sorts: [.timestamp(.lastEditedTime, .descending)]
        )
        #expect(rows.results.first?.databaseID == Fixture.databaseID)
        #expect(rows.results.first?.parent == .database(Fixture.databaseID))
        let call = try #require(mock.calls.first)
        #expect(call.headers["Notion-Version"] == "2022-06-28")
        #expect(
            try sentBody(call) == [
                "filter": ["property": "Tags", "multi_select": ["contains": "sdk"]],
                "sorts": [["timestamp": "last_edited_time", "direction": "descending"]],
            ]
        )
    }
}

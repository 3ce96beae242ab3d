import Foundation
import Testing

@testable import GatehouseClient

@Suite struct PageCallTests {
    @Test func aRowIsCreatedInADataSourceWithTypedPropertyValues() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/v1/pages", json: Fixture.row2025)
        let page = try await makeClient(mock).createPage(
            in: .dataSource(Fixture.dataSourceID),
            properties: [
                "Name": .title("Ship the SDK"),
                "Status": .status("Done"),
                "Due": .date(start: "2026-12-05"),
                "Tags": .multiSelect(["sdk"]),
                "Estimate": .number(3),
                "Done": .checkbox(true),
                "Owner": .people([Fixture.userID]),
                "Blocked by": .relation([]),
                "Link": .url(nil),
            ]
        )
        #expect(page.title == "Ship the SDK")
        #expect(page.dataSourceID == Fixture.dataSourceID)
        let call = try #require(mock.calls.first)
        #expect(call.method == "POST")
        #expect(call.path == "/v1/pages")
        #expect(
            try sentBody(call) == [
                "parent": ["type": "data_source_id", "data_source_id": .string(Fixture.dataSourceID)],
                "properties": [
                    "Name": ["type": "title", "title": [["type": "text", "text": ["content": "Ship the SDK"]]]],
                    "Status": ["type": "status", "status": ["name": "Done"]],
                    "Due": ["type": "date", "date": ["start": "2026-12-05"]],
                    "Tags": ["type": "multi_select", "multi_select": [["name": "sdk"]]],
                    "Estimate": ["type": "number", "number": 3],
                    "Done": ["type": "checkbox", "checkbox": true],
                    "Owner": ["type": "people", "people": [["id": .string(Fixture.userID)]]],
                    "Blocked by": ["type": "relation", "relation": []],
                    "Link": ["type": "url", "url": nil],
                ],
            ]
        )
    }

    @Test func aPageUnderAPageIsCreatedWithItsContent() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "POST",
            path: "/v1/pages",
            json: #"""
                {"object":"page","id":"p2","parent":{"type":"page_id","page_id":"\#(Fixture.pageID)"},"in_trash":false,
                 "properties":{"title":{"id":"title","type":"title","title":[\#(Fixture.richText("Notes"))]}}}
                """#
        )
        let page = try await makeClient(mock).createPage(
            in: .page(Fixture.pageID),
            properties: ["title": .title("Notes")],
            children: [.heading2("Agenda"), .toggle("Details", children: [.paragraph("Nested")])]
        )
        #expect(page.parent == .page(Fixture.pageID))
        #expect(page.title == "Notes")
        #expect(page.databaseID == nil)
        let body = try sentBody(try #require(mock.calls.first))
        #expect(body["parent"] == ["type": "page_id", "page_id": .string(Fixture.pageID)])
        #expect(
            body["children"] == [
                [
                    "object": "block", "type": "heading_2",
                    "heading_2": ["rich_text": [["type": "text", "text": ["content": "Agenda"]]]],
                ],
                [
                    "object": "block", "type": "toggle",
                    "toggle": [
                        "rich_text": [["type": "text", "text": ["content": "Details"]]],
                        "children": [
                            [
                                "object": "block", "type": "paragraph",
                                "paragraph": ["rich_text": [["type": "text", "text": ["content": "Nested"]]]],
                            ]
                        ],
                    ],
                ],
            ]
        )
    }

    @Test func updatingAPageSendsOnlyTheNamedPropertiesAndTheTrashFlag() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "PATCH",
            path: "/v1/pages/\(Fixture.pageID)",
            json: Fixture.row(parent: #"{"type":"workspace","workspace":true}"#, trashed: true)
        )
        let page = try await makeClient(mock).updatePage(
            id: Fixture.pageID,
            properties: ["Status": .status("Done"), "Due": .date(start: "2026-12-05", end: "2026-12-06")],
            inTrash: true
        )
        #expect(page.inTrash)
        #expect(page.parent == .workspace)
        let call = try #require(mock.calls.first)
        #expect(call.method == "PATCH")
        #expect(
            try sentBody(call) == [
                "properties": [
                    "Status": ["type": "status", "status": ["name": "Done"]],
                    "Due": ["type": "date", "date": ["start": "2026-12-05", "end": "2026-12-06"]],
                ],
                "in_trash": true,
            ]
        )
        _ = try await makeClient(mock).updatePage(id: Fixture.pageID, properties: [:], inTrash: false)
        #expect(try sentBody(mock.calls[1]) == ["in_trash": false], "restoring sends no properties")
    }

    @Test func retrievingAPageCanKeepOnlySomeProperties() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/pages/\(Fixture.pageID)", json: Fixture.row2025)
        _ = try await makeClient(mock).page(id: Fixture.pageID, filterProperties: ["title", "Q%5Cgz"])
        #expect(encodedQuery(try #require(mock.calls.first)) == "filter_properties=title&filter_properties=Q%5Cgz")
    }

    @Test func aSingleValuedPropertyItemIsOneResult() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/pages/\(Fixture.pageID)/properties/M;Bw",
            json: #"{"object":"property_item","id":"M%3BBw","type":"number","number":3,"request_id":"r-p"}"#
        )
        let items = try await makeClient(mock).pageProperty(pageID: Fixture.pageID, propertyID: "M%3BBw")
        #expect(items.results.count == 1)
        #expect(items.results.first?.value.intValue == 3)
        #expect(items.results.first?.id == "M%3BBw")
        #expect(!items.hasMore)
        #expect(items.property == nil)
        let call = try #require(mock.calls.first)
        #expect(
            encodedPath(call) == "/v1/pages/\(Fixture.pageID)/properties/M%3BBw",
            "the id is encoded once, not twice"
        )
    }

    @Test func aTitlePropertyItemIsPagedWithACursor() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/pages/\(Fixture.pageID)/properties/title",
            json: #"""
                {"object":"list","results":[
                  {"object":"property_item","id":"title","type":"title","title":\#(Fixture.richText("Ship "))},
                  {"object":"property_item","id":"title","type":"title","title":\#(Fixture.richText("the SDK"))}],
                 "next_cursor":"c9","has_more":true,"type":"property_item",
                 "property_item":{"id":"title","next_url":"https://api.notion.com/v1/pages/x/properties/title?start_cursor=c9","type":"title","title":{}},
                 "request_id":"r-t"}
                """#
        )
        let items = try await makeClient(mock).pageProperty(
            pageID: Fixture.pageID,
            propertyID: "title",
            startCursor: "c8",
            pageSize: 2
        )
        #expect(items.plainText == "Ship the SDK")
        #expect(items.nextCursor == "c9")
        #expect(items.hasMore)
        #expect(items.property?.type == "title")
        #expect(mock.calls.first?.query == "start_cursor=c8&page_size=2")
    }

    @Test func aPropertyIDCannotLeaveItsPathSegment() async throws {
        let mock = MockTransport()
        let error = await #expect(throws: NotionError.self) {
            try await makeClient(mock).pageProperty(pageID: Fixture.pageID, propertyID: "%2F..%2Fx")
        }
        #expect(error?.code == .objectNotFound, "sent encoded, it reaches no other route")
        #expect(encodedPath(try #require(mock.calls.first)) == "/v1/pages/\(Fixture.pageID)/properties/%2F%2E%2E%2Fx")
        await #expect(throws: NotionError.self) {
            try await makeClient(mock).pageProperty(pageID: Fixture.pageID, propertyID: "")
        }
        #expect(mock.calls.count == 1)
    }

    @Test func anInvalidPropertyValueIsAValidationErrorWithTheAPIsMessage() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "POST",
            path: "/v1/pages",
            status: 400,
            json: errorJSON(400, "validation_error", "Status is expected to be status.")
        )
        let error = try await #require(throws: NotionError.self) {
            try await makeClient(mock).createPage(
                in: .dataSource(Fixture.dataSourceID),
                properties: ["Status": .number(1)]
            )
        }
        #expect(error.code == .validationError)
        #expect(error.status == 400)
        #expect(error.message == "Status is expected to be status.")
        #expect(mock.calls.count == 1)
    }
}

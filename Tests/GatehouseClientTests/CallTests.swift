import Foundation
import Testing

@testable import GatehouseClient

@Suite struct CallTests {
    @Test func callsSendTheHeadersAndDecodeTypedModels() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        mock.respond(
            to: "POST",
            path: "/v1/search",
            json: #"""
                {"object":"list","results":[
                  {"object":"database","id":"d1","title":[{"plain_text":"Tasks"}]},
                  {"object":"page","id":"p1","archived":false,"properties":{"Name":{"type":"title","title":[{"plain_text":"Write"},{"plain_text":" tests"}]}},"parent":{"type":"database_id","database_id":"d1"}}
                ],"next_cursor":null,"has_more":false}
                """#
        )
        let client = makeClient(mock)
        let me = try await client.me()
        #expect(me.bot?.owner?.type == "user")
        #expect(me.bot?.owner?.userName == "Ada")
        #expect(me.bot?.workspaceID == "w1")
        let found = try await client.search(query: "t")
        #expect(found.results == [try #require(found.results.first), try #require(found.results.last)])
        guard case .database(let database) = found.results[0], case .page(let page) = found.results[1] else {
            Issue.record("expected a database and a page")
            return
        }
        #expect(database.title == "Tasks")
        #expect(page.title == "Write tests")
        #expect(page.databaseID == "d1")
        let calls = mock.calls
        #expect(calls.map(\.path) == ["/v1/users/me", "/v1/search"])
        #expect(calls[0].headers["Notion-Version"] == "2025-09-03")
        #expect(calls[0].authorization == "Bearer [REDACTED]")
        #expect(calls[1].headers["Content-Type"] == "application/json")
        #expect(String(decoding: calls[1].body ?? Data(), as: UTF8.self) == #"{"query":"t"}"#)
    }

    @Test func errorsAreTypedWithStatusCodeMessageAndRequestID() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/databases/d9",
            status: 404,
            json: errorJSON(404, "object_not_found", "Could not find database")
        )
        let client = makeClient(mock)
        let error = try await #require(throws: NotionError.self) { try await client.database(id: "d9") }
        #expect(error.status == 404)
        #expect(error.code == .objectNotFound)
        #expect(error.message == "Could not find database")
        #expect(error.requestID == "req-404")
        await #expect(throws: NotionError.self) { try await client.database(id: "../users") }
        #expect(mock.calls.count == 1)
    }
}

import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `/mcp` through the router: the 401 that starts an MCP client's discovery, the protected
/// resource metadata, and tools that act with the caller's own token under `/v1`'s rules.
@Suite(.timeLimit(.minutes(1))) struct MCPEndpointTests {
    static let metadataURL = "http://gatehouse.test/.well-known/oauth-protected-resource/mcp"

    @Test func withoutAValidTokenTheAnswerNamesTheResourceMetadata() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let missing = try await client.mcp(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, token: nil)
            #expect(missing.status == 401)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer resource_metadata=\"\(Self.metadataURL)\"")
            #expect(missing.code == "unauthorized")
            let wrong = try await client.mcp(
                #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
                token: "secret_" + String(repeating: "x", count: 43)
            )
            #expect(wrong.status == 401)
            #expect(
                wrong.headers[.wwwAuthenticate]
                    == "Bearer resource_metadata=\"\(Self.metadataURL)\", error=\"invalid_token\""
            )
            // Not a bearer credential at all: no error code (RFC 6750 §3.1).
            let basic = try await client.execute(
                uri: "/mcp",
                method: .post,
                headers: [.authorization: "Basic YTpi", .contentType: "application/json"],
                body: ByteBuffer(string: "{}")
            ) { APIResult($0) }
            #expect(basic.status == 401)
            #expect(basic.headers[.wwwAuthenticate] == "Bearer resource_metadata=\"\(Self.metadataURL)\"")
            // At the path form, the MCP endpoint's; at the root, the deployment's (RFC 9728 §3.3).
            for (path, resource) in [
                ("/.well-known/oauth-protected-resource/mcp", "http://gatehouse.test/mcp"),
                ("/.well-known/oauth-protected-resource", "http://gatehouse.test"),
            ] {
                let metadata = try await client.call(.get, path, token: nil, version: nil)
                #expect(metadata.status == 200)
                #expect(metadata.json["resource"] as? String == resource)
                #expect(metadata.json["authorization_servers"] as? [String] == ["http://gatehouse.test"])
                #expect(metadata.json["request_id"] == nil)
                #expect((metadata.json["scopes_supported"] as? [String])?.contains("read_content") == true)
            }
        }
    }

    @Test func toolsSeeWhatTheTokenMayAndNothingElse() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let opened = try await client.mcp(
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
                token: world.token
            )
            #expect(opened.status == 200)
            #expect(opened.headers[HTTPField.Name("Mcp-Session-Id")!] == nil)
            #expect((opened.json["result"] as? [String: Any])?["protocolVersion"] as? String == "2025-06-18")

            let listed = try await client.mcp(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, token: world.token)
            let tools = ((listed.json["result"] as? [String: Any])?["tools"] as? [[String: Any]]) ?? []
            #expect(tools.compactMap { $0["name"] as? String }.contains("notion-fetch"))
            #expect(tools.count == 16)

            let page = try await client.tool("notion-fetch", ["id": world.sharedPage.id], token: world.token)
            #expect(page.isError == false)
            #expect(page.structured?["id"] as? String == world.sharedPage.id)
            #expect(page.structured?["children"] is [Any])

            let hidden = try await client.tool("notion-fetch", ["id": world.unsharedPage.id], token: world.token)
            #expect(hidden.isError == true)
            #expect(hidden.structured?["code"] as? String == "restricted_resource")

            // An id that is not a UUID never reaches a path.
            let traversal = try await client.tool("notion-fetch", ["id": "../users"], token: world.token)
            #expect(traversal.isError == true)
            #expect(traversal.text.contains("should be a UUID"))
            let unknown = try await client.tool("notion-teleport", [:], token: world.token)
            #expect(unknown.isError == true)

            // A write lands in the store, as the integration's bot.
            let created = try await client.tool(
                "notion-create-page",
                [
                    "parent": ["page_id": world.sharedPage.id],
                    "properties": ["title": ["title": [["text": ["content": "Filed by an agent"]]]]],
                ],
                token: world.token
            )
            #expect(created.isError == false, "\(created.text)")
            let id = try #require(created.structured?["id"] as? String)
            let stored = try await world.store.page(id: id)
            #expect(stored?.createdBy == world.integration.botID)

            // A database under that page, a property added to its data source, the page moved
            // into the data source.
            let database = try await client.tool(
                "notion-create-database",
                [
                    "parent": ["page_id": world.sharedPage.id],
                    "title": [["text": ["content": "Agent's table"]]],
                    "initial_data_source": ["properties": ["Name": ["title": [String: Any]()]]],
                ],
                token: world.token
            )
            #expect(database.isError == false, "\(database.text)")
            let sources = database.structured?["data_sources"] as? [[String: Any]] ?? []
            let source = try #require(sources.first?["id"] as? String)
            let changed = try await client.tool(
                "notion-update-data-source",
                ["data_source_id": source, "properties": ["Done": ["checkbox": [String: Any]()]]],
                token: world.token
            )
            #expect(changed.isError == false, "\(changed.text)")
            #expect((changed.structured?["properties"] as? [String: Any])?["Done"] != nil)
            let moved = try await client.tool(
                "notion-move-page",
                ["page_id": id, "parent": ["data_source_id": source]],
                token: world.token
            )
            #expect(moved.isError == false, "\(moved.text)")
            #expect((moved.structured?["parent"] as? [String: Any])?["data_source_id"] as? String == source)
        }
    }

    @Test func everyMessageAndEachAPICallOfAToolCountsAgainstThePlan() async throws {
        let world = try await TestWorld.make()
        let tight = RatePlans(overrides: [.enterprise: RatePlan(requestsPerSecond: 0.001, burst: 3, dailyQuota: nil)])
        try await world.test(.router, plans: tight) { client in
            // The message and the API call inside: two requests of the integration.
            let first = try await client.tool("notion-get-self", [:], token: world.token)
            #expect(first.isError == false)
            // The third request is the message; the call inside it is refused, and the model
            // reads why.
            let second = try await client.tool("notion-get-self", [:], token: world.token)
            #expect(second.isError == true)
            #expect(second.structured?["code"] as? String == "rate_limited")
            // The fourth is refused at the door, as /v1 refuses it.
            let third = try await client.mcp(#"{"jsonrpc":"2.0","id":9,"method":"tools/list"}"#, token: world.token)
            #expect(third.status == 429)
            #expect(third.headers[.retryAfter] != nil)
            #expect(third.code == "rate_limited")
        }
    }

    @Test func aMessageTheSDKCouldMisreadIsRefusedAtOnce() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            // Each of these once left a request waiting forever, or running with no one waiting.
            for body in [
                #"{"jsonrpc":"2.0","id":1,"method":"ping","result":{}}"#,
                #"{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"notion-get-self"}}"#,
                #"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
                #"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                #"{"jsonrpc":"2.0","id":1e16,"method":"ping"}"#,
                #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
                #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
                #"{"jsonrpc":"2.0","id":1}"#,
                #"{"jsonrpc":"2.0","result":{}}"#,
                #"{"jsonrpc":"2.0","id":1,"method":7}"#,
                #""ping""#,
            ] {
                let refused = try await client.mcp(body, token: world.token)
                #expect(refused.status == 400, "\(body)")
                #expect((refused.json["error"] as? [String: Any])?["message"] is String, "\(body)")
            }
            let notification = try await client.mcp(
                #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                token: world.token
            )
            #expect(notification.status == 202)
            let response = try await client.mcp(#"{"jsonrpc":"2.0","id":"x","result":{}}"#, token: world.token)
            #expect(response.status == 202)
            let ping = try await client.mcp(#"{"jsonrpc":"2.0","id":"p-1","method":"ping"}"#, token: world.token)
            #expect(ping.status == 200)
            #expect(ping.json["id"] as? String == "p-1")
            // A key given twice is read once, the same way by every part.
            let twice = try await client.mcp(#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#, token: world.token)
            #expect(twice.status == 200)
        }
    }

    @Test func argumentsNeverSteerACallToAnotherPathOrParameter() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            for id in [
                "../users", "../../../v1/users/me?page_size=1&x=1234", String(repeating: "a", count: 31) + "/../",
            ] {
                let refused = try await client.tool("notion-get-block-children", ["block_id": id], token: world.token)
                #expect(refused.isError == true)
                #expect(refused.text.contains("should be a UUID"), "\(id)")
            }
            // A cursor carrying another parameter stays one (bad) cursor.
            let smuggled = try await client.tool(
                "notion-get-block-children",
                ["block_id": world.sharedPage.id, "start_cursor": "x&page_size=1"],
                token: world.token
            )
            #expect(smuggled.isError == true)
            #expect(smuggled.structured?["code"] as? String == "validation_error")
            #expect(smuggled.text.contains("start_cursor"))
            // Routed as /mcp in the metrics, not as the last API call a tool made.
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("route=\"/mcp\""))
        }
    }

    @Test func aRevokedTokenIsRefusedAtTheNextMessage() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let before = try await client.tool("notion-get-self", [:], token: world.token)
            #expect(before.isError == false)
            _ = try await world.admin.revokeTokens(integrationID: world.integration.id)
            let after = try await client.mcp(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, token: world.token)
            #expect(after.status == 401)
        }
    }

    @Test func aBrowserOnAnotherOriginIsRefusedAndThereIsNoStream() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let body = #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#
            let foreign = try await client.mcp(body, token: world.token, origin: "https://evil.example")
            #expect(foreign.status == 403)
            let own = try await client.mcp(body, token: world.token, origin: "http://gatehouse.test")
            #expect(own.status == 200)
            let stream = try await client.call(.get, "/mcp", token: world.token, version: nil)
            #expect(stream.status == 405)
            #expect(stream.headers[.allow] == "POST")
            let end = try await client.call(.delete, "/mcp", token: world.token, version: nil)
            #expect(end.status == 405)
            let garbage = try await client.mcp("{not json", token: world.token)
            #expect(garbage.status == 400)
        }
    }
}

/// A tool result, as the tests read it.
struct ToolResult: @unchecked Sendable {
    let isError: Bool?
    let text: String
    let structured: [String: Any]?
}

extension TestClientProtocol {
    /// Posts one JSON-RPC message to `/mcp` as an MCP client does.
    func mcp(_ body: String, token: String?, origin: String? = nil) async throws -> APIResult {
        var headers: HTTPFields = [
            .contentType: "application/json", .accept: "application/json, text/event-stream",
        ]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let origin { headers[.origin] = origin }
        return try await execute(uri: "/mcp", method: .post, headers: headers, body: ByteBuffer(string: body)) {
            APIResult($0)
        }
    }

    /// Calls the tool `name` with `arguments`; the result's first text and structured content.
    func tool(_ name: String, _ arguments: [String: Any], token: String) async throws -> ToolResult {
        let message: [String: Any] = [
            "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": name, "arguments": arguments],
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
        let answer = try await mcp(body, token: token)
        let result = answer.json["result"] as? [String: Any] ?? [:]
        let content = result["content"] as? [[String: Any]] ?? []
        return ToolResult(
            isError: result["isError"] as? Bool,
            text: content.first?["text"] as? String ?? answer.text,
            structured: result["structuredContent"] as? [String: Any]
        )
    }
}

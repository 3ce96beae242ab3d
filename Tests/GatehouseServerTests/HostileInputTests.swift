import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import GatehouseServer

/// Hostile headers and bodies over real HTTP on loopback: every one is answered with the error
/// object (never a 500, never an empty body), and the server keeps serving the valid key after.
/// Bytes an HTTP client library refuses to send (non-UTF-8, control characters, broken request
/// lines) are sent over a raw socket by `compat/test_hostile_http.py`.
@Suite(.timeLimit(.minutes(1))) struct HostileInputTests {
    static let notionVersion = HTTPField.Name("Notion-Version")!

    /// A request's headers beyond a valid Notion-Version, and the status and code it must get.
    struct HeaderCase: Sendable {
        var name: String
        var headers: HTTPFields
        var status: Int
        var code: String
    }

    static func headerCases(token: String) -> [HeaderCase] {
        [
            HeaderCase(
                name: "oversized Authorization (32 KiB)",
                headers: HTTPFields([
                    HTTPField(name: .authorization, value: "Bearer " + String(repeating: "A", count: 32 * 1024)),
                    HTTPField(name: notionVersion, value: "2022-06-28"),
                ]),
                status: 401,
                code: "unauthorized"
            ),
            HeaderCase(
                name: "two Authorization headers",
                headers: HTTPFields([
                    HTTPField(name: .authorization, value: "Bearer \(token)"),
                    HTTPField(name: .authorization, value: "Bearer \(token)"),
                    HTTPField(name: notionVersion, value: "2022-06-28"),
                ]),
                status: 401,
                code: "unauthorized"
            ),
            HeaderCase(
                name: "two Notion-Version headers",
                headers: HTTPFields([
                    HTTPField(name: .authorization, value: "Bearer \(token)"),
                    HTTPField(name: notionVersion, value: "2022-06-28"),
                    HTTPField(name: notionVersion, value: "2022-06-28"),
                ]),
                status: 400,
                code: "validation_error"
            ),
            HeaderCase(
                name: "oversized Notion-Version (16 KiB)",
                headers: HTTPFields([
                    HTTPField(name: .authorization, value: "Bearer \(token)"),
                    HTTPField(name: notionVersion, value: String(repeating: "2022-06-28", count: 1_600)),
                ]),
                status: 400,
                code: "validation_error"
            ),
        ]
    }

    @Test func hostileHeadersGetTheErrorObject() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            for item in Self.headerCases(token: world.token) {
                try await client.execute(uri: "/v1/users/me", method: .get, headers: item.headers) { response in
                    let error = Self.errorBody(response.body)
                    #expect(Int(response.status.code) == item.status, "\(item.name)")
                    #expect(error?.object == "error", "\(item.name)")
                    #expect(error?.code == item.code, "\(item.name)")
                    #expect(error?.requestID != nil, "\(item.name)")
                }
            }
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
        }
    }

    @Test func hostileBodiesGetTheErrorObjectAndLeaveTheStoreAsItWas() async throws {
        let world = try await TestWorld.make()
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let cases: [(name: String, body: ByteBuffer, status: Int)] = [
            ("truncated JSON", ByteBuffer(string: #"{"query": "ab"#), 400),
            ("deeply nested JSON", ByteBuffer(string: deep), 400),
            ("deeply nested object", ByteBuffer(string: String(repeating: #"{"a":"#, count: 50_000)), 400),
            ("non-UTF-8 body", ByteBuffer(bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]), 400),
            ("a JSON array instead of an object", ByteBuffer(string: "[1, 2, 3]"), 400),
            ("a body over the 512 KiB limit", ByteBuffer(repeating: UInt8(ascii: " "), count: 600 * 1024), 413),
        ]
        try await world.test(.live) { client in
            let before = try await client.call(.post, "/v1/search", token: world.token, body: "{}")
            #expect(before.status == 200)
            for item in cases {
                for path in ["/v1/search", "/v1/pages"] {
                    var headers: HTTPFields = [
                        .authorization: "Bearer \(world.token)", .contentType: "application/json",
                    ]
                    headers[Self.notionVersion] = "2022-06-28"
                    try await client.execute(uri: path, method: .post, headers: headers, body: item.body) { response in
                        let error = Self.errorBody(response.body)
                        #expect(Int(response.status.code) == item.status, "\(item.name) to \(path)")
                        #expect(error?.object == "error", "\(item.name) to \(path)")
                        #expect(error?.requestID != nil, "\(item.name) to \(path)")
                    }
                }
            }
            let after = try await client.call(.post, "/v1/search", token: world.token, body: "{}")
            #expect(after.status == 200)
            #expect(after.results.count == before.results.count)
        }
    }

    /// The body as the API's error object, or nil when it is not one.
    static func errorBody(_ body: ByteBuffer) -> APIErrorBody? {
        try? JSONDecoder().decode(APIErrorBody.self, from: Data(body.readableBytesView))
    }
}

import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import GatehouseServer

@Suite struct SingleFieldTests {
    @Test func aHeaderThatMayAppearOnceIsAbsentOneOrRepeated() {
        var fields: HTTPFields = [.contentType: "text/plain"]
        #expect(fields.single(.authorization) == .absent)
        fields.append(HTTPField(name: HTTPField.Name("AUTHORIZATION")!, value: "Bearer a"))
        #expect(fields.single(.authorization) == .one("Bearer a"))
        fields.append(HTTPField(name: .authorization, value: "Bearer b"))
        #expect(fields.single(.authorization) == .repeated)
        #expect(fields.first(.authorization) == "Bearer a")
        #expect(fields.first(.userAgent) == nil)
    }

    @Test func theUserAgentIsKeptWholeUpTo200CharactersAndCutBeyond() {
        func agent(_ value: String) -> String? {
            Request(
                head: HTTPRequest(
                    method: .get,
                    scheme: "http",
                    authority: "h",
                    path: "/",
                    headerFields: [.userAgent: value]
                ),
                body: .init(buffer: ByteBuffer())
            ).clippedUserAgent
        }
        #expect(agent("curl/8.0") == "curl/8.0")
        #expect(agent(String(repeating: "a", count: 200)) == String(repeating: "a", count: 200))
        #expect(agent(String(repeating: "é", count: 150)) == String(repeating: "é", count: 150))
        #expect(agent(String(repeating: "b", count: 201)) == String(repeating: "b", count: 200))
        #expect(agent(String(repeating: "é", count: 250)) == String(repeating: "é", count: 200))
    }
}

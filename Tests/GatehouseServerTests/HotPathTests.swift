import Foundation
import GatehouseCore
import Testing

@testable import GatehouseServer

@Suite struct RequestIDTests {
    @Test func requestIDsAreLowercaseVersion4UUIDs() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = UUIDv4.string()
            let parsed = UUID(uuidString: id)
            #expect(parsed != nil)
            #expect(id == id.lowercased())
            let bytes = parsed.map { withUnsafeBytes(of: $0.uuid) { Array($0) } } ?? []
            #expect(bytes.count == 16 && bytes[6] >> 4 == 4)  // version 4
            #expect(bytes.count == 16 && bytes[8] >> 6 == 0b10)  // RFC 9562 variant
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}

@Suite struct BotUserBodiesTests {
    static let principal = Principal(
        tokenID: "t1",
        tokenKind: .internalKey,
        expiresAt: nil,
        integrationID: "i1",
        integrationName: "Robot \"R2\"",
        integrationKind: .internal,
        botID: "b1",
        capabilities: Capabilities(content: [.readContent], userInfo: .none),
        workspaceID: "w1",
        workspaceName: "Acme",
        workspaceIcon: nil,
        plan: .free
    )

    @Test func aCachedBodyIsTheBotUserClosedWithTheRequestID() throws {
        let bodies = BotUserBodies()
        let first = bodies.body(for: Self.principal)
        #expect(bodies.body(for: Self.principal) == first)
        let whole =
            JSONResponse.openObject(NotionObjects.bot(of: Self.principal)) + Array(",\"request_id\":\"r\"}".utf8)
        var expected = NotionObjects.bot(of: Self.principal)
        if case .object(var members) = expected {
            members.append(("request_id", "r"))
            expected = .object(members)
        }
        #expect(whole == expected.serializedBytes())
        let parsed = try JSONSerialization.jsonObject(with: Data(whole)) as? [String: Any]
        #expect(parsed?["name"] as? String == "Robot \"R2\"")
    }

    @Test func aChangedPrincipalGetsANewBody() throws {
        let bodies = BotUserBodies()
        _ = bodies.body(for: Self.principal)
        var renamed = Self.principal
        renamed.integrationName = "Renamed"
        let body = bodies.body(for: renamed)
        let parsed = try JSONSerialization.jsonObject(with: Data(body + Array("}".utf8))) as? [String: Any]
        #expect(parsed?["name"] as? String == "Renamed")
    }
}

import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
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

@Suite struct BotUserBodyTests {
    static let principal = named("Robot \"R2\"")

    static func named(_ name: String) -> Principal {
        Principal(
            tokenID: "t1",
            tokenKind: .internalKey,
            expiresAt: nil,
            integrationID: "i1",
            integrationName: name,
            integrationKind: .internal,
            botID: "b1",
            capabilities: Capabilities(content: [.readContent], userInfo: .none),
            workspaceID: "w1",
            workspaceName: "Acme",
            workspaceIcon: nil,
            plan: .free
        )
    }

    @Test func theBodyIsTheBotUserClosedWithTheRequestID() throws {
        let body = Self.principal.botBody(orMake: UsersController.serializedBot)
        let whole = body + Array(",\"request_id\":\"r\"}".utf8)
        var expected = NotionObjects.bot(of: Self.principal)
        if case .object(var members) = expected {
            members.append(("request_id", "r"))
            expected = .object(members)
        }
        #expect(whole == expected.serializedBytes())
        let parsed = try JSONSerialization.jsonObject(with: Data(whole)) as? [String: Any]
        #expect(parsed?["name"] as? String == "Robot \"R2\"")
    }

    @Test func theBodyIsMadeOncePerPrincipalAndSharedByItsCopies() {
        let principal = Self.named("Robot")
        var made = 0
        let make = { (principal: Principal) -> [UInt8] in
            made += 1
            return UsersController.serializedBot(of: principal)
        }
        let first = principal.botBody(orMake: make)
        let copy = principal
        #expect(copy.botBody(orMake: make) == first)
        #expect(principal.botBody(orMake: make) == first)
        #expect(made == 1)
        // An equal principal read from the store again is another object: it makes its own.
        let readAgain = Self.named("Robot")
        #expect(readAgain.botBody(orMake: make) == first)
        #expect(made == 2)
    }

    @Test func aChangedPrincipalGetsANewBody() throws {
        let before = Self.principal.botBody(orMake: UsersController.serializedBot)
        let body = Self.named("Renamed").botBody(orMake: UsersController.serializedBot)
        #expect(body != before)
        let parsed = try JSONSerialization.jsonObject(with: Data(body + Array("}".utf8))) as? [String: Any]
        #expect(parsed?["name"] as? String == "Renamed")
    }

    /// First calls racing on one principal: whichever body is stored first, every caller gets
    /// that one, never its own losing copy (each call of `make` here returns different bytes).
    @Test func concurrentFirstCallsAllGetTheStoredBody() async {
        for _ in 0..<50 {
            let principal = Self.named("Robot")
            let calls = Counter()
            let bodies = await withTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        principal.botBody { _ in
                            [UInt8(truncatingIfNeeded: calls.next())]
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(bodies.count == 8)
            #expect(Set(bodies).count == 1)
            #expect(principal.botBody { _ in [] } == bodies[0])
        }
    }

    /// Numbers its calls, from any thread.
    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func next() -> Int { count.wrappingAdd(1, ordering: .relaxed).newValue }
    }
}

@Suite struct UsageRecorderTests {
    @Test func aFlushWritesEachTokensUseAndTheDailyCountsPerStatusClass() async throws {
        let world = try await TestWorld.make()
        let (other, _) = try await world.otherIntegration(capabilities: .all)
        let mine = try #require(try await world.store.tokens(integrationID: world.integration.id).first)
        let theirs = try #require(try await world.store.tokens(integrationID: other.id).first)
        let address = try SocketAddress(ipAddress: "10.1.2.3", port: 443)
        let today = Date(timeIntervalSince1970: 20_000 * 86_400 + 3_600)
        let yesterday = today.addingTimeInterval(-86_400)
        let recorder = UsageRecorder()
        recorder.record(
            tokenID: mine.id,
            integrationID: world.integration.id,
            status: 200,
            at: yesterday,
            address: nil,
            userAgent: "old"
        )
        for status in [200, 201, 404, 429, 429, 503] {
            recorder.record(
                tokenID: mine.id,
                integrationID: world.integration.id,
                status: status,
                at: today,
                address: address,
                userAgent: "probe/1"
            )
        }
        recorder.record(
            tokenID: theirs.id,
            integrationID: other.id,
            status: 304,
            at: today,
            address: nil,
            userAgent: nil
        )
        try await recorder.flush(to: world.store)

        let days = try await world.store.dailyUsage(integrationIDs: [world.integration.id, other.id], sinceDay: 0)
        let counts = Dictionary(
            uniqueKeysWithValues: days.map {
                ("\($0.integrationID == other.id ? "other" : "mine") \($0.day) \($0.status)", $0.count)
            }
        )
        #expect(
            counts == [
                "mine 20000 2xx": 2, "mine 20000 4xx": 1, "mine 20000 429": 2, "mine 20000 5xx": 1,
                "mine 19999 2xx": 1, "other 20000 3xx": 1,
            ]
        )
        let record = try #require(try await world.store.token(id: mine.id))
        #expect(record.useCount == 7)
        #expect(record.lastUsedAgent == "probe/1")
        #expect(record.lastUsedIP == "10.1.2.3")
        #expect(try await world.store.token(id: theirs.id)?.useCount == 1)

        // A second flush writes only what came after the first.
        try await recorder.flush(to: world.store)
        #expect(try await world.store.token(id: mine.id)?.useCount == 7)
        await world.store.shutdown()
    }
}

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

@Suite struct BearerSchemeTests {
    @Test func theTokenFollowsTheBearerSchemeInAnyCaseAndAfterAnySpaces() {
        #expect(Authenticator.bearerToken(in: "Bearer abc") == "abc")
        #expect(Authenticator.bearerToken(in: "bEaReR    abc") == "abc")
        #expect(Authenticator.bearerToken(in: "BEARER a b") == "a b")
        #expect(Authenticator.bearerToken(in: "Bearer ") == nil)
        #expect(Authenticator.bearerToken(in: "Bearer    ") == nil)
        #expect(Authenticator.bearerToken(in: "Bearerabc") == nil)
        #expect(Authenticator.bearerToken(in: "Basic abc") == nil)
        #expect(Authenticator.bearerToken(in: "Bear") == nil)
        #expect(Authenticator.bearerToken(in: "Bearér abc") == nil)
    }
}

@Suite struct ClientCredentialsTests {
    static func basic(_ pair: String, scheme: String = "Basic ") -> String {
        scheme + Data(pair.utf8).base64EncodedString()
    }

    static func errorCode(_ authorization: [String], _ parameters: [String: String] = [:]) -> String? {
        do {
            _ = try OAuthService.credentials(authorization: authorization, parameters: parameters)
            return nil
        } catch {
            return error.error
        }
    }

    @Test func basicCredentialsAreReadInAnyCaseAndFormDecoded() throws {
        let plain = try OAuthService.credentials(authorization: [Self.basic("app:ncs_secret")], parameters: [:])
        #expect(plain.clientID == "app" && plain.secret == "ncs_secret" && plain.viaBasic)
        let loose = try OAuthService.credentials(
            authorization: [Self.basic("a%3Ab:s%20t", scheme: "bAsIc   ")],
            parameters: [:]
        )
        #expect(loose.clientID == "a:b" && loose.secret == "s t")
        let noSecret = try OAuthService.credentials(authorization: [Self.basic("public-app:")], parameters: [:])
        #expect(noSecret.clientID == "public-app" && noSecret.secret == nil)
        let body = try OAuthService.credentials(
            authorization: [],
            parameters: ["client_id": "app", "client_secret": "s"]
        )
        #expect(body.clientID == "app" && body.secret == "s" && !body.viaBasic)
    }

    @Test func theFirstColonSplitsTheBytesAndSpacesInTheBase64AreIgnored() throws {
        // A combining mark after the colon forms one character with it; the split is on bytes.
        let marked = try OAuthService.credentials(authorization: [Self.basic("app:\u{301}s")], parameters: [:])
        #expect(marked.clientID == "app" && marked.secret == "\u{301}s")
        let twoColons = try OAuthService.credentials(authorization: [Self.basic("app:s:t")], parameters: [:])
        #expect(twoColons.clientID == "app" && twoColons.secret == "s:t")
        let encoded = Data("app:secret".utf8).base64EncodedString()
        let spaced = "Basic " + encoded.prefix(4) + " " + encoded.dropFirst(4) + " "
        let folded = try OAuthService.credentials(authorization: [spaced], parameters: [:])
        #expect(folded.clientID == "app" && folded.secret == "secret")
    }

    @Test func malformedOrAmbiguousClientCredentialsAreRefused() {
        #expect(Self.errorCode(["Basic"]) == "invalid_client")
        #expect(Self.errorCode(["Basic "]) == "invalid_client")
        #expect(Self.errorCode(["Basic !!!notbase64"]) == "invalid_client")
        #expect(Self.errorCode(["Basicx " + Data("a:b".utf8).base64EncodedString()]) == "invalid_client")
        #expect(Self.errorCode(["Basic " + Data([0x61, 0x3A, 0xFF, 0xFE]).base64EncodedString()]) == "invalid_client")
        #expect(Self.errorCode(["Basic " + Data("no-colon".utf8).base64EncodedString()]) == "invalid_client")
        // A bad escape in the secret refuses the client rather than reading as no secret.
        #expect(Self.errorCode([Self.basic("public-app:%zz")]) == "invalid_client")
        #expect(Self.errorCode([Self.basic("%zz:secret")]) == "invalid_client")
        #expect(Self.errorCode(["Bearer secret_x"]) == "invalid_client")
        #expect(Self.errorCode([Self.basic("a:b"), Self.basic("c:d")]) == "invalid_request")
        #expect(Self.errorCode([Self.basic("a:b")], ["client_id": "a"]) == "invalid_request")
        #expect(Self.errorCode([], [:]) == "invalid_client")
    }
}

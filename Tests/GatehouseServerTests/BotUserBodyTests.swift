import Foundation
import GatehouseCore
import GatehouseStore
import Hummingbird
import Synchronization
import Testing

@testable import GatehouseServer

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

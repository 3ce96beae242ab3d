import Foundation
import GatehouseCore
import GatehouseStore
import Hummingbird
import Testing

@testable import GatehouseServer

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

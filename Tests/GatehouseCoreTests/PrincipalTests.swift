import Foundation
import Testing

@testable import GatehouseCore

@Suite struct PrincipalTests {
    static func make(name: String = "Robot", plan: Plan = .team) -> Principal {
        Principal(
            tokenID: "t1",
            tokenKind: .oauthAccess,
            expiresAt: Date(timeIntervalSince1970: 1_000),
            integrationID: "i1",
            integrationName: name,
            integrationKind: .public,
            botID: "b1",
            capabilities: Capabilities(content: [.readContent], userInfo: .none),
            workspaceID: "w1",
            workspaceName: "Acme",
            workspaceIcon: nil,
            plan: plan,
            owner: .user(id: "u1", name: "Ada", email: "ada@acme.test"),
            installedFrom: "app1",
            issuedAt: Date(timeIntervalSince1970: 10)
        )
    }

    @Test func aPrincipalKeepsEveryFieldItWasBuiltWith() {
        let principal = Self.make()
        #expect(principal.integrationName == "Robot" && principal.plan == .team)
        #expect(principal.installedFrom == "app1" && principal.issuedAt == Date(timeIntervalSince1970: 10))
        #expect(principal.owner == .user(id: "u1", name: "Ada", email: "ada@acme.test"))
        #expect(principal.expiresAt == Date(timeIntervalSince1970: 1_000) && principal.tokenKind == .oauthAccess)
    }

    @Test func principalsCompareByTheirFields() {
        let principal = Self.make()
        let copy = principal
        #expect(copy == principal)
        #expect(Self.make() == Self.make())
        #expect(Self.make() != Self.make(name: "Other"))
        #expect(Self.make() != Self.make(plan: .free))
    }
}

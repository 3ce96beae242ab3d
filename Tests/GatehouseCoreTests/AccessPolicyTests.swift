import Testing

@testable import GatehouseCore

func makePrincipal(
    workspaceID: String = "w1",
    integrationID: String = "i1",
    content: Capabilities.Content = [.readContent]
) -> Principal {
    Principal(
        tokenID: "t1",
        tokenKind: .internalKey,
        expiresAt: nil,
        integrationID: integrationID,
        integrationName: "Demo",
        integrationKind: .internal,
        botID: "b1",
        capabilities: Capabilities(content: content, userInfo: .none),
        workspaceID: workspaceID,
        workspaceName: "W",
        workspaceIcon: nil,
        plan: .free
    )
}

@Suite struct AccessPolicyTests {
    let policy = AccessPolicy()

    @Test func aShareOfADatabaseCoversItsPages() {
        let decision = policy.decide(
            workspaceID: "w1",
            resourceWorkspaceID: "w1",
            lineage: ["page", "database"],
            shares: ["database"]
        )
        #expect(decision == .allowed)
    }

    @Test func anUnsharedResourceOfTheSameWorkspaceIsRestricted() {
        let decision = policy.decide(workspaceID: "w1", resourceWorkspaceID: "w1", lineage: ["page"], shares: ["other"])
        #expect(decision == .notShared)
        #expect(policy.error(for: decision, kind: "page", id: "p", principal: makePrincipal()) == .notShared)
    }

    @Test func anotherWorkspacesResourceIsNotFoundEvenIfShared() {
        let decision = policy.decide(workspaceID: "w1", resourceWorkspaceID: "w2", lineage: ["page"], shares: ["page"])
        #expect(decision == .notFound)
        let error = policy.error(for: decision, kind: "page", id: "p", principal: makePrincipal())
        #expect(error?.status == 404)
        #expect(error?.code == "object_not_found")
        #expect(error?.additionalData["integration_id"] == "b1")
    }

    @Test func aMissingResourceIsNotFound() {
        #expect(policy.decide(workspaceID: "w1", resourceWorkspaceID: nil, lineage: ["x"], shares: ["x"]) == .notFound)
    }

    @Test func notionModeAnswers404ForUnsharedResources() {
        let notion = AccessPolicy(unsharedResponse: .notFound)
        let error = notion.error(for: .notShared, kind: "database", id: "d", principal: makePrincipal())
        #expect(error?.status == 404)
        #expect(error?.message.contains("Could not find database with ID: d") == true)
    }

    @Test func missingCapabilitiesAreRestricted() throws {
        let reader = makePrincipal(content: [.readContent])
        try policy.require(.readContent, of: reader)
        #expect(throws: APIError.missingCapability) { try policy.require(.insertContent, of: reader) }
        #expect(throws: APIError.missingCapability) { try policy.require([.readContent, .updateContent], of: reader) }
    }
}

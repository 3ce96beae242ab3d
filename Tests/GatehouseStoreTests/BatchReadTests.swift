import Foundation
import GatehouseCore
import GatehouseTestSupport
import Testing

@testable import GatehouseStore

/// Reads of many integrations' tokens and shares at once (what listings use instead of one query
/// per integration) answer what the one-integration reads answer.
@Suite(.timeLimit(.minutes(1))) struct BatchReadTests {
    @Test(arguments: StoreEngine.available)
    func tokensAndSharesOfManyIntegrationsMatchTheirOneByOneReads(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, first, _, _) = try await Fixtures.seed(store)
        let second = Fixtures.integration(in: workspace)
        try await store.createIntegration(second, token: Fixtures.token(for: second).1)
        _ = try await store.addToken(Fixtures.token(for: second).1)
        let unused = Fixtures.integration(in: workspace)
        try await store.createIntegration(unused, token: Fixtures.token(for: unused).1)
        let database = DatabaseRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "Tasks",
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        try await store.createDatabase(database)
        try await store.setShare(
            integrationID: second.id,
            resourceID: database.id,
            resourceType: "database",
            remove: false,
            at: Fixtures.now
        )

        let asked = [first.id, second.id]
        let tokens = try await store.tokens(integrationIDs: asked)
        let shares = try await store.shares(integrationIDs: asked)
        for id in asked {
            #expect(tokens[id] ?? [] == (try await store.tokens(integrationID: id)))
            #expect(shares[id] ?? [] == (try await store.shares(integrationID: id)))
        }
        #expect(tokens[second.id]?.count == 2)
        #expect(tokens[unused.id] == nil, "an integration not asked for")
        #expect(shares[second.id] == [database.id])
        #expect(try await store.tokens(integrationIDs: []).isEmpty)
        #expect(try await store.shares(integrationIDs: []).isEmpty)
        await store.shutdown()
    }
}

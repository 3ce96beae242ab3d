import Foundation
import GatehouseCore
import Testing

@testable import GatehouseStore

@Suite(.timeLimit(.minutes(1))) struct UsageStoreTests {
    /// Counts add up across flushes (and nodes); the last use only moves forward.
    @Test(arguments: StoreEngine.available)
    func usageCountsAddUpAndLastUseOnlyMovesForward(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, _, _, token) = try await Fixtures.seed(store)
        let later = Date(epochMilliseconds: 1_900_000_000_000)
        let earlier = later.addingTimeInterval(-60)
        try await store.recordUsage([
            TokenUsage(tokenID: token.id, count: 3, lastUsedAt: later, lastUsedIP: "10.0.0.2", lastUsedAgent: "b/2")
        ])
        try await store.recordUsage([
            TokenUsage(tokenID: token.id, count: 2, lastUsedAt: earlier, lastUsedIP: "10.0.0.1", lastUsedAgent: "a/1")
        ])
        let stored = try #require(try await store.token(id: token.id))
        #expect(stored.useCount == 5)
        #expect(stored.lastUsedAt == later)
        #expect(stored.lastUsedIP == "10.0.0.2")
        #expect(stored.lastUsedAgent == "b/2")
        await store.shutdown()
    }
}

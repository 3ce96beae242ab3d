import Foundation
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

@Suite(.timeLimit(.minutes(1))) struct SharedRateLimitStoreTests {
    /// Forty requests at one instant from four store handles (as from four nodes): exactly the
    /// burst is admitted, because each admission is one atomic statement.
    @Test(arguments: StoreEngine.available)
    func concurrentAdmissionsNeverExceedTheBurst(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        var handles: [SQLStore] = []
        for _ in 0..<4 { handles.append(try await engine.open(sqlitePath: path)) }
        let stores = handles
        let key = "integration-\(Fixtures.id())"
        let plan = RatePlan(requestsPerSecond: 1, burst: 5, dailyQuota: nil)
        let now = RateLimitInstant(Date())
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await stores[index % 4].admit(key: key, rule: plan.rule, permits: 1, now: now).admitted
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 5)
        for store in stores { await store.shutdown() }
    }

    @Test(arguments: StoreEngine.available)
    func theDailyQuotaIsCountedInTheStoreAndResetsWithTheDay(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let key = "integration-\(Fixtures.id())"
        let plan = RatePlan(requestsPerSecond: 1_000, burst: 1_000, dailyQuota: 3)
        let today = RateLimitInstant(Date(timeIntervalSince1970: 1_800_057_500))
        let tomorrow = RateLimitInstant(Date(timeIntervalSince1970: 1_800_057_700))
        func admit(_ instant: RateLimitInstant) async throws -> (admitted: Bool, state: RateLimitState) {
            try await store.admit(key: key, rule: plan.rule, permits: 1, now: instant)
        }
        for expected in 1...3 { #expect(try await admit(today).state.usedToday == expected) }
        let refused = try await admit(today)
        #expect(!refused.admitted)
        #expect(plan.outcome(admitted: false, state: refused.state, at: today).refusal == .dailyQuota)
        let next = try await admit(tomorrow)
        #expect(next.admitted)
        #expect(next.state.usedToday == 1)
        await store.shutdown()
    }
}

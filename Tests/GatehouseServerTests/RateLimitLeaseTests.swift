import Foundation
import GatehouseCore
import GatehouseStore
import Testing

@testable import GatehouseServer

@Suite(.timeLimit(.minutes(1))) struct RateLimitLeaseTests {
    static func store() async throws -> SQLStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).sqlite").path
        return try await SQLStore.open(.sqlite(path: path), logger: TestWorld.quietLogger)
    }

    /// The permits the store has handed out for `key` today.
    static func used(_ store: SQLStore, _ key: String) async throws -> Int {
        try await store.admit(
            key: key,
            now: RateLimitInstant(Date()),
            emissionInterval: 1,
            tolerance: -1,
            dailyQuota: nil,
            permits: 1
        ).state.usedToday
    }

    @Test func theSeedsPlansStayExactOneUpsertPerRequest() {
        for plan in Plan.allCases { #expect(SharedRateLimiter.leaseSize(RatePlans()[plan]) == 1) }
        #expect(SharedRateLimiter.leaseSize(RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)) == 256)
    }

    @Test func aFastPlanLeasesBatchesSoMostRequestsCostNoStoreWrite() async throws {
        let store = try await Self.store()
        let limiter = SharedRateLimiter(store: store, clock: SystemClock())
        let plan = RatePlan(requestsPerSecond: 1_000, burst: 1_000, dailyQuota: nil)
        var admitted = 0
        for _ in 0..<100 where await limiter.check(key: "fast", plan: plan).isAllowed { admitted += 1 }
        #expect(admitted == 100)
        let used = try await Self.used(store, "fast")
        // Leases of 50: two upserts for 100 requests (a few more if a lease lapsed under load).
        #expect(used >= 100 && used <= 200)
        await store.shutdown()
    }

    @Test func leasingNeverAdmitsMoreThanTheLimit() async throws {
        let store = try await Self.store()
        let limiters = [
            SharedRateLimiter(store: store, clock: SystemClock()),
            SharedRateLimiter(store: store, clock: SystemClock()),
        ]
        let plan = RatePlan(requestsPerSecond: 100, burst: 12, dailyQuota: nil)  // leases of 3
        #expect(SharedRateLimiter.leaseSize(plan) == 3)
        let start = ContinuousClock.now
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<60 {
                group.addTask { await limiters[index % 2].check(key: "tight", plan: plan).isAllowed }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        // GCRA: over a window of t seconds at most burst + rate × t pass (a slow machine makes t,
        // and so the bound, larger; never the other way).
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #expect(admitted <= plan.burst + Int((plan.requestsPerSecond * seconds).rounded(.up)))
        #expect(admitted >= 1)
        await store.shutdown()
    }
}

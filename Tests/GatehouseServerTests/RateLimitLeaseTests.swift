import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Testing

@testable import GatehouseServer

@Suite(.timeLimit(.minutes(1))) struct RateLimitLeaseTests {
    static func store() async throws -> SQLStore {
        try await SQLStore.open(.sqlite(path: Scratch.path(".sqlite")), logger: TestWorld.quietLogger)
    }

    /// The permits the store has handed out for `key` today.
    static func used(_ store: SQLStore, _ key: String) async throws -> Int {
        // A rule that admits nothing: the store only reports the state.
        let nothing = RateLimitRule(requestsPerSecond: 1, burst: 1, dailyQuota: 0)
        return try await store.admit(key: key, rule: nothing, permits: 1, now: RateLimitInstant(Date())).state.usedToday
    }

    /// As ``used(_:_:)``, once it is above `floor` (a lease taken in the background has landed),
    /// or after 5 seconds.
    static func used(_ store: SQLStore, _ key: String, onceAbove floor: Int) async throws -> Int {
        var used = try await Self.used(store, key)
        for _ in 0..<500 where used <= floor {
            try await Task.sleep(for: .milliseconds(10))
            used = try await Self.used(store, key)
        }
        return used
    }

    /// A little more than half of a lease's lifetime, in milliseconds: twice this is past it.
    static let pastHalfALifetime = Int(SharedRateLimiter.leaseLifetime / 2_000_000) + 5

    @Test func theSeedsPlansStayExactOneUpsertPerRequest() {
        for plan in Plan.allCases { #expect(SharedRateLimiter.leaseSize(RatePlans()[plan]) == 1) }
        #expect(SharedRateLimiter.leaseSize(RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)) == 500)
        #expect(
            SharedRateLimiter.leaseSize(RatePlan(requestsPerSecond: 100_000, burst: 100_000, dailyQuota: nil)) == 5_000
        )
        #expect(
            SharedRateLimiter.leaseSize(RatePlan(requestsPerSecond: 1_000_000, burst: 1_000_000, dailyQuota: nil))
                == 8_192
        )
    }

    @Test func aFastPlanLeasesBatchesSoMostRequestsCostNoStoreWrite() async throws {
        let store = try await Self.store()
        let limiter = SharedRateLimiter(store: store, clock: TestClock(frozenAt: Date()))
        let plan = RatePlan(requestsPerSecond: 1_000, burst: 1_000, dailyQuota: nil)
        var admitted = 0
        for _ in 0..<100 where await limiter.check(key: "fast", plan: plan).isAllowed { admitted += 1 }
        #expect(admitted == 100)
        // Leases of 50, the next one taken in the background when 25 are left (after the 25th
        // and the 75th request): three upserts for 100 requests, once the last has landed.
        #expect(try await Self.used(store, "fast", onceAbove: 149) == 150)
        await store.shutdown()
    }

    @Test func memoryDecidesWithoutTheStoreOnlyWhileALeaseHoldsPermits() async throws {
        let store = try await Self.store()
        let limiter = SharedRateLimiter(store: store, clock: TestClock(frozenAt: Date()))
        // A slow plan is exact: every request asks the store.
        #expect(limiter.decidedFromMemory(key: "slow", plan: RatePlans()[.free]) == nil)
        let plan = RatePlan(requestsPerSecond: 1_000, burst: 1_000, dailyQuota: nil)  // leases of 50
        // No lease yet: memory cannot decide, and starts the refill that `check` then waits for.
        #expect(limiter.decidedFromMemory(key: "fast", plan: plan) == nil)
        #expect(await limiter.check(key: "fast", plan: plan).isAllowed)
        #expect(try await Self.used(store, "fast", onceAbove: 0) == 50)  // one lease
        var decided = 0
        for _ in 0..<20 where limiter.decidedFromMemory(key: "fast", plan: plan)?.isAllowed == true { decided += 1 }
        #expect(decided == 20)
        // Twenty more from the lease (29 of its 50 left, above the half that takes the next one
        // ahead): no upsert.
        #expect(try await Self.used(store, "fast") == 50)
        await store.shutdown()
    }

    @Test func concurrentRequestsThatFindTheLeaseEmptyShareOneRefill() async throws {
        let store = try await Self.store()
        // A stopped clock: no lease lapses however slowly a loaded machine runs the requests.
        let limiter = SharedRateLimiter(store: store, clock: TestClock(frozenAt: Date()))
        let plan = RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)  // leases of 500
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 { group.addTask { await limiter.check(key: "crowd", plan: plan).isAllowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 64)
        // One lease of 500 serves all 64; without the single flight each request that found the
        // lease empty would have leased its own 500.
        #expect(try await Self.used(store, "crowd") == 500)
        await store.shutdown()
    }

    @Test func theNextLeaseIsTakenWhileHalfOfTheCurrentOneIsLeft() async throws {
        let store = try await Self.store()
        let limiter = SharedRateLimiter(store: store, clock: TestClock(frozenAt: Date()))
        let plan = RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)  // leases of 500
        var admitted = 0
        for _ in 0..<249 where await limiter.check(key: "steady", plan: plan).isAllowed { admitted += 1 }
        #expect(try await Self.used(store, "steady") == 500)  // 251 left: no second lease yet
        if await limiter.check(key: "steady", plan: plan).isAllowed { admitted += 1 }
        // 250 left: the next batch is leased in the background, before anyone has to wait for it.
        #expect(admitted == 250)
        #expect(try await Self.used(store, "steady", onceAbove: 500) == 1_000)
        // Both batches are spent before a third is needed: 1,000 - 250 = 750 more requests, and
        // the next early lease comes only when 500 of them are left.
        for _ in 0..<200 where await limiter.check(key: "steady", plan: plan).isAllowed { admitted += 1 }
        #expect(admitted == 450)
        #expect(try await Self.used(store, "steady") == 1_000)
        await store.shutdown()
    }

    @Test func aLeaseBeingSpentIsRenewedBeforeItLapsesByWhatWasSpent() async throws {
        let store = try await Self.store()
        let clock = TestClock(frozenAt: Date())
        let limiter = SharedRateLimiter(store: store, clock: clock)
        let plan = RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)  // leases of 500, 250 ms
        var admitted = 0
        for _ in 0..<99 where await limiter.check(key: "busy", plan: plan).isAllowed { admitted += 1 }
        #expect(try await Self.used(store, "busy") == 500)
        // Half of its life gone and 99 spent (more than an eighth): the next request renews it
        // in the background with 100 permits, so the store is charged what is being used.
        clock.advance(by: .milliseconds(Self.pastHalfALifetime))
        if await limiter.check(key: "busy", plan: plan).isAllowed { admitted += 1 }
        #expect(try await Self.used(store, "busy", onceAbove: 500) == 600)
        // Past the first lease's lifetime the renewed one still serves, with no store round trip.
        clock.advance(by: .milliseconds(Self.pastHalfALifetime))
        for _ in 0..<100 where await limiter.check(key: "busy", plan: plan).isAllowed { admitted += 1 }
        #expect(admitted == 200)
        #expect(try await Self.used(store, "busy") == 600)
        await store.shutdown()
    }

    @Test func aLeaseHardlySpentIsNotRenewedAndLapses() async throws {
        let store = try await Self.store()
        let clock = TestClock(frozenAt: Date())
        let limiter = SharedRateLimiter(store: store, clock: clock)
        let plan = RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)  // leases of 500, 250 ms
        for _ in 0..<10 { #expect(await limiter.check(key: "quiet", plan: plan).isAllowed) }
        clock.advance(by: .milliseconds(Self.pastHalfALifetime))
        #expect(await limiter.check(key: "quiet", plan: plan).isAllowed)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await Self.used(store, "quiet") == 500)  // 11 spent of 500: no renewal
        // Lapsed: the next request waits for a new lease of its own.
        clock.advance(by: .milliseconds(Self.pastHalfALifetime))
        #expect(await limiter.check(key: "quiet", plan: plan).isAllowed)
        #expect(try await Self.used(store, "quiet") == 1_000)
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

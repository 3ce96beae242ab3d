import GatehouseCore
import GatehouseStore
import Synchronization

/// Rate limits shared by every process and node on one store.
///
/// An admission is one atomic upsert in the store (`Store.admit`), so the limit holds for the
/// cluster, not per node; with the seed's plans that is at most a few writes per second per
/// integration. A refusal costs no I/O: the last state this node saw proves it (the stored TAT
/// and the day's count only grow, so a stale state can only under-refuse).
///
/// If the store cannot be reached, limits fall back to this node's memory (exact per node), so
/// authenticated traffic keeps flowing through a database outage.
final class SharedRateLimiter: Sendable {
    private let store: any Store
    private let clock: any WallClock
    private let known = Mutex<[String: RateLimitState]>([:])
    private let fallback: RateLimiter

    init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
        self.fallback = RateLimiter(clock: clock)
    }

    func check(key: String, plan: RatePlan) async -> RateLimitOutcome {
        let now = RateLimitInstant(clock.now())
        if let state = known.withLock({ $0[key] }), plan.provenRefusal(of: state, at: now) {
            return plan.outcome(admitted: false, state: state, at: now)
        }
        let gcra = plan.gcra
        let result: (admitted: Bool, state: RateLimitState)
        do {
            result = try await store.admit(
                key: key,
                now: now,
                emissionInterval: gcra.emissionInterval,
                tolerance: gcra.tolerance,
                dailyQuota: plan.dailyQuota
            )
        } catch {
            return fallback.check(key: key, plan: plan)
        }
        known.withLock { $0[key] = result.state }
        return plan.outcome(admitted: result.admitted, state: result.state, at: now)
    }
}

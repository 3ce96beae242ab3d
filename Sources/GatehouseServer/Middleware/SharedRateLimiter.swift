import GatehouseCore
import GatehouseStore
import Synchronization

/// Rate limits shared by every process and node on one store.
///
/// An admission is one atomic upsert in the store (`Store.admit`), so the limit holds for the
/// cluster, not per node. With the seed's plans (at most 5 requests per second) every admission
/// is its own upsert and the limit is exact. A plan fast enough that per-request writes would
/// cost throughput (more than 20 requests per second) leases a batch of permits per upsert —
/// 50 ms of its rate, at most 256 and at most a quarter of its burst and daily quota — and spends them from
/// memory; a lease unused after 50 ms is dropped, so a node can only under-admit, never over-admit.
///
/// A refusal costs no I/O: the last state this node saw proves it (the stored TAT and the day's
/// count only grow, so a stale state can only under-refuse). If the store cannot be reached,
/// limits fall back to this node's memory (exact per node), so authenticated traffic keeps
/// flowing through a database outage.
final class SharedRateLimiter: Sendable {
    private let store: any Store
    private let clock: any WallClock
    private let known = Mutex<[String: RateLimitState]>([:])
    private let leases = Mutex<[String: Lease]>([:])
    private let fallback: RateLimiter

    /// Permits admitted by the store and not yet spent by this node.
    private struct Lease {
        var remaining: Int
        /// Instant (nanoseconds) after which the permits are dropped.
        var expires: Int64
        var state: RateLimitState
    }

    /// How long a lease may be spent.
    static let leaseLifetime: Int64 = 50_000_000

    init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
        self.fallback = RateLimiter(clock: clock)
    }

    /// Permits to lease per store round trip under `plan`: 1 (exact) for slow plans.
    static func leaseSize(_ plan: RatePlan) -> Int {
        guard plan.requestsPerSecond > 20 else { return 1 }
        // A quarter of the burst and of the daily quota at most: the store admits a key's first
        // batch without a check (it is an insert), so a batch must always fit both.
        return max(1, min(256, plan.burst / 4, Int(plan.requestsPerSecond * 0.05), (plan.dailyQuota ?? Int.max) / 4))
    }

    func check(key: String, plan: RatePlan) async -> RateLimitOutcome {
        let now = RateLimitInstant(clock.now())
        if let leased = leases.withLock({ leases -> RateLimitState? in
            guard var lease = leases[key], lease.remaining > 0, lease.expires > now.nanoseconds else { return nil }
            lease.remaining -= 1
            leases[key] = lease
            return lease.state
        }) {
            return plan.outcome(admitted: true, state: leased, at: now)
        }
        if let state = known.withLock({ $0[key] }), plan.provenRefusal(of: state, at: now) {
            return plan.outcome(admitted: false, state: state, at: now)
        }
        var permits = Self.leaseSize(plan)
        var result = try? await admit(key: key, plan: plan, now: now, permits: permits)
        if permits > 1, result?.admitted == false {
            // Near the limit a whole batch may not fit where one request does.
            permits = 1
            result = try? await admit(key: key, plan: plan, now: now, permits: 1)
        }
        guard let result else { return fallback.check(key: key, plan: plan) }
        known.withLock { $0[key] = result.state }
        if result.admitted, permits > 1 {
            leases.withLock {
                $0[key] = Lease(
                    remaining: permits - 1,
                    expires: now.nanoseconds + Self.leaseLifetime,
                    state: result.state
                )
            }
        }
        return plan.outcome(admitted: result.admitted, state: result.state, at: now)
    }

    private func admit(
        key: String,
        plan: RatePlan,
        now: RateLimitInstant,
        permits: Int
    ) async throws -> (admitted: Bool, state: RateLimitState) {
        let gcra = plan.gcra
        return try await store.admit(
            key: key,
            now: now,
            emissionInterval: gcra.emissionInterval,
            tolerance: gcra.tolerance,
            dailyQuota: plan.dailyQuota,
            permits: permits
        )
    }
}

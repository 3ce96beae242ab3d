import GatehouseCore
import GatehouseStore
import Synchronization

/// Rate limits shared by every process and node on one store.
///
/// An admission is one atomic upsert in the store (`Store.admit`), so the limit holds for the
/// cluster, not per node. With the seed's plans (at most 5 requests per second) every admission
/// is its own upsert and the limit is exact. A plan fast enough that per-request writes would
/// cost throughput (more than 20 requests per second) leases a batch of permits per upsert —
/// 50 ms of its rate, at most 8,192 and at most a quarter of its burst and daily quota — and
/// spends them from memory for up to 250 ms. The store counts a permit when it leases it, so
/// every admission is counted once, for the cluster; a lease unused after 250 ms is dropped
/// (counted, never spent: a node can under-admit). A permit spent later than it was counted can
/// let a short burst exceed the plan's by the permits a node holds, never more than a batch and
/// the one leased ahead. The lifetime and the cap set how often a busy key writes to the store:
/// at 40,000 requests per second on one key a node leases about every 125 ms (renewing the
/// ageing lease), where 1,024 permits lasted 25 ms (docs/performance.md).
/// The next batch is leased in the background when half of the current one is left, and a lease
/// half-way through its life that is being spent (an eighth of a batch or more) is renewed with
/// as many permits as it has spent — otherwise a key busy enough to matter but spending less than
/// a batch per lifetime would find its lease lapsed and wait for the store every 250 ms. So
/// requests rarely wait for the store; one refill per key is in flight at a time, and requests
/// that do find the lease empty wait for it instead of each making its own upsert (which would
/// serialize on the row's lock).
///
/// A refusal costs no I/O: the last state this node saw proves it (the stored TAT and the day's
/// count only grow, so a stale state can only under-refuse). If the store cannot be reached,
/// limits fall back to this node's memory (exact per node), so authenticated traffic keeps
/// flowing through a database outage.
final class SharedRateLimiter: Sendable {
    private let store: any Store
    private let clock: any WallClock
    private let keys = Mutex<[Key: KeyState]>([:])
    private let fallback: RateLimiter

    /// A limited subject (an integration) within a scope (its plan): kept apart so that the
    /// request path makes no string for the store's key, `name:scope`.
    private struct Key: Hashable {
        var name: String
        var scope: String

        var storeKey: String { scope.isEmpty ? name : name + ":" + scope }
    }

    /// What this node knows of one key.
    private struct KeyState {
        /// The last state the store reported.
        var known: RateLimitState?
        /// Permits admitted by the store and not yet spent by this node.
        var lease: Lease?
        /// The refill in flight, which requests finding the lease empty wait for.
        var refill: Task<Admission?, Never>?
    }

    private struct Lease {
        var remaining: Int
        /// Instant (nanoseconds) after which the permits are dropped.
        var expires: Int64
        var state: RateLimitState
        /// Permits spent from this lease; renewing it ahead leases as many again.
        var spent = 0

        /// Whether half of the lease's life is gone while it is being spent: time to renew it.
        func isAgeing(at now: Int64, batch: Int) -> Bool {
            now >= expires - SharedRateLimiter.leaseLifetime / 2 && spent >= max(1, batch / 8)
        }
    }

    private typealias Admission = (admitted: Bool, state: RateLimitState)

    /// What a look at a key's memory decided.
    private enum LocalDecision {
        case decided(admitted: Bool, state: RateLimitState)
        case wait(Task<Admission?, Never>)
    }

    /// How long a lease may be spent.
    static let leaseLifetime: Int64 = 250_000_000

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
        return max(1, min(8_192, plan.burst / 4, Int(plan.requestsPerSecond * 0.05), (plan.dailyQuota ?? Int.max) / 4))
    }

    /// As ``check(key:scope:plan:)`` when this node's memory decides (a leased permit, a proven
    /// refusal), without suspending; `nil` when the store must be asked. A refill it finds
    /// needed is started at once, for the ``check(key:scope:plan:)`` that follows to wait for.
    func decidedFromMemory(key name: String, scope: String = "", plan: RatePlan) -> RateLimitOutcome? {
        let permits = Self.leaseSize(plan)
        guard permits > 1 else { return nil }
        let now = RateLimitInstant(clock.now())
        guard
            case .decided(let admitted, let state) = decideLocally(
                key: Key(name: name, scope: scope),
                plan: plan,
                permits: permits,
                now: now
            )
        else { return nil }
        return plan.outcome(admitted: admitted, state: state, at: now)
    }

    /// Admits or refuses one request of `key` (in `scope`, if given) under `plan`.
    func check(key name: String, scope: String = "", plan: RatePlan) async -> RateLimitOutcome {
        let key = Key(name: name, scope: scope)
        let permits = Self.leaseSize(plan)
        guard permits > 1 else { return await checkExactly(key: key, plan: plan) }
        // Each round either decides from memory or waits for one refill; a waiter can find the
        // new lease already spent by others, so it tries again, and after a few rounds asks for
        // a single permit of its own.
        for _ in 0..<4 {
            let now = RateLimitInstant(clock.now())
            switch decideLocally(key: key, plan: plan, permits: permits, now: now) {
            case .decided(let admitted, let state):
                return plan.outcome(admitted: admitted, state: state, at: now)
            case .wait(let refill):
                guard let admission = await refill.value else {
                    return fallback.check(key: key.storeKey, plan: plan)
                }
                if !admission.admitted {
                    return plan.outcome(admitted: false, state: admission.state, at: RateLimitInstant(clock.now()))
                }
            }
        }
        return await checkExactly(key: key, plan: plan)
    }

    /// Spends a leased permit, proves a refusal, or returns the refill to wait for (starting
    /// one if none is in flight).
    private func decideLocally(key: Key, plan: RatePlan, permits: Int, now: RateLimitInstant) -> LocalDecision {
        return keys.withLock { keys in
            decide(&keys[key, default: KeyState()])
        }
        func decide(_ entry: inout KeyState) -> LocalDecision {
            if let lease = entry.lease, lease.remaining > 0, lease.expires > now.nanoseconds {
                entry.lease?.remaining -= 1
                entry.lease?.spent += 1
                // Half of the batch left, or half of its life gone while it is being spent: lease
                // the next permits now, so that requests do not stall on the store (slow to
                // answer on a busy machine) when this lease runs out or lapses.
                if entry.refill == nil {
                    var ahead = 0
                    if lease.remaining - 1 == permits / 2 {
                        ahead = permits
                    } else if lease.isAgeing(at: now.nanoseconds, batch: permits) {
                        // Never more than a batch: the store admits a first batch unchecked.
                        ahead = min(lease.spent + 1, permits)
                    }
                    if ahead > 0 {
                        entry.refill = Task {
                            await self.refill(key: key, plan: plan, permits: ahead, now: now, ahead: true)
                        }
                    }
                }
                return .decided(admitted: true, state: lease.state)
            }
            entry.lease = nil
            if let state = entry.known, plan.provenRefusal(of: state, at: now) {
                return .decided(admitted: false, state: state)
            }
            if let refill = entry.refill { return .wait(refill) }
            let refill = Task { await self.refill(key: key, plan: plan, permits: permits, now: now, ahead: false) }
            entry.refill = refill
            return .wait(refill)
        }
    }

    /// Leases `permits` from the store and adds them to the lease. A refill for requests that
    /// found the lease empty falls back to one permit near the limit; a refill `ahead` of need
    /// does not.
    ///
    /// Permits left from the previous batch join the new one and live as long: spending a
    /// permit later than the store counted it can only under-admit.
    private func refill(key: Key, plan: RatePlan, permits: Int, now: RateLimitInstant, ahead: Bool) async -> Admission?
    {
        var leased = permits
        var admission = try? await admit(key: key, plan: plan, now: now, permits: permits)
        if admission?.admitted == false, !ahead {
            // Near the limit a whole batch may not fit where one request does.
            leased = 1
            admission = try? await admit(key: key, plan: plan, now: now, permits: 1)
        }
        keys.withLock { keys in
            keys[key]?.refill = nil
            guard let admission else { return }
            keys[key]?.known = admission.state
            guard admission.admitted else { return }
            var lease = Lease(remaining: leased, expires: now.nanoseconds + Self.leaseLifetime, state: admission.state)
            if let left = keys[key]?.lease, left.expires > RateLimitInstant(clock.now()).nanoseconds {
                lease.remaining += left.remaining
            }
            keys[key]?.lease = lease
        }
        return admission
    }

    /// One upsert for this request alone (slow plans, and waiters that lost every round).
    private func checkExactly(key: Key, plan: RatePlan) async -> RateLimitOutcome {
        let now = RateLimitInstant(clock.now())
        if let state = keys.withLock({ $0[key]?.known }), plan.provenRefusal(of: state, at: now) {
            return plan.outcome(admitted: false, state: state, at: now)
        }
        guard let admission = try? await admit(key: key, plan: plan, now: now, permits: 1) else {
            return fallback.check(key: key.storeKey, plan: plan)
        }
        keys.withLock { $0[key, default: KeyState()].known = admission.state }
        return plan.outcome(admitted: admission.admitted, state: admission.state, at: now)
    }

    private func admit(
        key: Key,
        plan: RatePlan,
        now: RateLimitInstant,
        permits: Int
    ) async throws -> Admission {
        try await store.admit(key: key.storeKey, rule: plan.rule, permits: permits, now: now)
    }
}

import Foundation
import Synchronization

/// Per-key (per-integration) limits in memory: a GCRA for the rate and a counter for the UTC day.
///
/// The single-process limiter (also used for failed authentications per IP): one locked
/// dictionary access per request, no I/O.
///
/// Memory stays bounded whatever the keys (a client can bring any number of addresses): past
/// ``capacity`` keys, the keys that remember nothing are forgotten — a GCRA that has caught up
/// with the present, and no count of today's requests that a daily quota needs. Forgetting such a
/// key changes no decision. The sweep runs again only once the table has doubled, so its cost
/// per request stays constant.
public final class RateLimiter: Sendable {
    /// A key's state, and whether its plan counts the day's requests.
    struct Entry {
        var state = RateLimitState()
        var countsToday = false
    }

    struct Table {
        var entries: [String: Entry] = [:]
        var sweepAbove: Int
    }

    private let table: Mutex<Table>
    private let clock: any WallClock
    /// How many keys the table holds before it forgets those that remember nothing.
    public let capacity: Int

    public init(clock: any WallClock = SystemClock(), capacity: Int = 10_000) {
        self.clock = clock
        self.capacity = capacity
        self.table = Mutex(Table(sweepAbove: capacity))
    }

    /// Checks one request for `key` under `plan`, counting it if admitted.
    public func check(key: String, plan: RatePlan) -> RateLimitOutcome {
        let now = RateLimitInstant(clock.now())
        return table.withLock { table in
            // Changed in place: the key is hashed once. A refused request stores only the day's
            // reset, which the next request would make anyway.
            let outcome = Self.admit(&table.entries[key, default: Entry()], plan: plan, at: now)
            if table.entries.count > table.sweepAbove { table.sweep(at: now, capacity: capacity) }
            return outcome
        }
    }

    private static func admit(_ entry: inout Entry, plan: RatePlan, at now: RateLimitInstant) -> RateLimitOutcome {
        if plan.dailyQuota != nil { entry.countsToday = true }
        if entry.state.day != now.day {
            entry.state.day = now.day
            entry.state.usedToday = 0
        }
        guard let admitted = plan.rule.admit(state: entry.state, at: now) else {
            return plan.outcome(admitted: false, state: entry.state, at: now)
        }
        entry.state = admitted
        return plan.outcome(admitted: true, state: entry.state, at: now)
    }

    /// Whether a request for `key` would be admitted now, without counting it (for allowances
    /// that only failures consume, such as sign-in attempts).
    public func peek(key: String, plan: RatePlan) -> RateLimitOutcome {
        let now = RateLimitInstant(clock.now())
        return table.withLock { table in
            var state = table.entries[key]?.state ?? RateLimitState()
            if state.day != now.day {
                state.day = now.day
                state.usedToday = 0
            }
            return plan.outcome(admitted: !plan.provenRefusal(of: state, at: now), state: state, at: now)
        }
    }

    /// Gives back one request that ``check(key:plan:)`` counted: for allowances that only failures
    /// consume but that are taken before the outcome is known (a sign-in is counted before its
    /// password is checked, and refunded when it was right).
    public func refund(key: String, plan: RatePlan) {
        let now = RateLimitInstant(clock.now())
        table.withLock { table in
            guard let state = table.entries[key]?.state else { return }
            table.entries[key]?.state = plan.rule.refund(state: state, at: now)
        }
    }

    /// How many keys the limiter remembers.
    public var keyCount: Int { table.withLock { $0.entries.count } }
}

extension RateLimiter.Table {
    /// Forgets the keys whose state a fresh one would equal in every decision from `now` on.
    mutating func sweep(at now: RateLimitInstant, capacity: Int) {
        entries = entries.filter { _, entry in
            entry.state.tat > now.nanoseconds || (entry.countsToday && entry.state.day == now.day)
        }
        sweepAbove = max(capacity, entries.count * 2)
    }
}

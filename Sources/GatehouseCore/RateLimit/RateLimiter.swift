import Foundation
import Synchronization

/// Why a request was refused.
public enum RateLimitReason: String, Sendable {
    /// Faster than the plan's sustained rate plus its burst.
    case rate
    /// The plan's requests for the current UTC day are used up.
    case dailyQuota = "daily_quota"
    /// Too many failed authentications from one client address.
    case failedAuthentication = "failed_authentication"
}

/// The outcome of one rate-limit check, with what the response headers report.
public struct RateLimitOutcome: Sendable, Equatable {
    /// `nil` when admitted.
    public var refusal: RateLimitReason?
    /// Whole seconds to wait before a retry is admitted: never 0, never early. 0 when admitted.
    public var retryAfterSeconds: Int
    /// The plan's burst, and how many more requests would be admitted right now.
    public var burst: Int
    public var burstRemaining: Int
    /// Seconds until the burst is fully available again.
    public var burstResetSeconds: Int
    /// Seconds over which a full burst refills (`burst / rate`, rounded up).
    public var burstWindowSeconds: Int
    /// The daily quota (`nil`: unlimited), what is left of it, and seconds to 00:00 UTC.
    public var dailyQuota: Int?
    public var dailyRemaining: Int?
    public var dailyResetSeconds: Int

    public var isAllowed: Bool { refusal == nil }
}

/// What is remembered per key: the GCRA's theoretical arrival time and the UTC day's count.
public struct RateLimitState: Sendable, Equatable {
    /// Nanoseconds since 1970.
    public var tat: Int64
    /// Days since 1970 (UTC).
    public var day: Int64
    public var usedToday: Int

    public init(tat: Int64 = 0, day: Int64 = 0, usedToday: Int = 0) {
        self.tat = tat
        self.day = day
        self.usedToday = usedToday
    }
}

/// One instant as the limiter sees it.
public struct RateLimitInstant: Sendable {
    public let nanoseconds: Int64
    public let day: Int64
    public let secondsToMidnight: Int

    public init(_ date: Date) {
        nanoseconds = Int64((date.timeIntervalSince1970 * 1e9).rounded(.down))
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        day = second / 86_400
        secondsToMidnight = Int((day + 1) * 86_400 - second)
    }
}

extension RatePlan {
    /// The plan's rate as a GCRA.
    public var gcra: GCRA { GCRA(requestsPerSecond: requestsPerSecond, burst: burst) }

    /// Whether `state` (read at any time up to `now`) already proves a request at `now` must be
    /// refused. A stale state can only under-count, so a refusal proven from it is always right.
    public func provenRefusal(of state: RateLimitState, at now: RateLimitInstant) -> Bool {
        if let quota = dailyQuota, state.day == now.day, state.usedToday >= quota { return true }
        if case .limited = gcra.decide(now: now.nanoseconds, tat: state.tat).0 { return true }
        return false
    }

    /// The outcome to report once a request at `now` was admitted or refused, given the state
    /// after the decision.
    public func outcome(admitted: Bool, state: RateLimitState, at now: RateLimitInstant) -> RateLimitOutcome {
        let interval = gcra.emissionInterval
        let tolerance = gcra.tolerance
        let usedToday = state.day == now.day ? state.usedToday : 0
        var outcome = RateLimitOutcome(
            refusal: nil,
            retryAfterSeconds: 0,
            burst: burst,
            burstRemaining: 0,
            burstResetSeconds: 0,
            burstWindowSeconds: Int((Double(burst) / requestsPerSecond).rounded(.up)),
            dailyQuota: dailyQuota,
            dailyRemaining: dailyQuota.map { max(0, $0 - usedToday) },
            dailyResetSeconds: now.secondsToMidnight
        )
        let debt = max(0, state.tat - now.nanoseconds)
        outcome.burstResetSeconds = RateLimiter.wholeSeconds(debt)
        if admitted {
            outcome.burstRemaining = Int(max(0, tolerance - debt) / interval)
        } else if let quota = dailyQuota, usedToday >= quota {
            outcome.refusal = .dailyQuota
            outcome.retryAfterSeconds = max(1, now.secondsToMidnight)
        } else {
            outcome.refusal = .rate
            outcome.retryAfterSeconds = max(1, RateLimiter.wholeSeconds(debt + interval - tolerance))
        }
        return outcome
    }
}

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
        guard !plan.provenRefusal(of: entry.state, at: now) else {
            return plan.outcome(admitted: false, state: entry.state, at: now)
        }
        entry.state.tat = max(entry.state.tat, now.nanoseconds) + plan.gcra.emissionInterval
        entry.state.usedToday += 1
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
            guard var entry = table.entries[key] else { return }
            entry.state.tat = max(now.nanoseconds, entry.state.tat - plan.gcra.emissionInterval)
            if entry.state.day == now.day, entry.state.usedToday > 0 { entry.state.usedToday -= 1 }
            table.entries[key] = entry
        }
    }

    /// How many keys the limiter remembers.
    public var keyCount: Int { table.withLock { $0.entries.count } }

    /// Nanoseconds rounded up to whole seconds, so a wait is never reported short.
    public static func wholeSeconds(_ nanoseconds: Int64) -> Int {
        nanoseconds <= 0 ? 0 : Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }
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

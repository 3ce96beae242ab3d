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
public final class RateLimiter: Sendable {
    private let states = Mutex<[String: RateLimitState]>([:])
    private let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    /// Checks one request for `key` under `plan`, counting it if admitted.
    public func check(key: String, plan: RatePlan) -> RateLimitOutcome {
        let now = RateLimitInstant(clock.now())
        return states.withLock { states in
            // Changed in place: the key is hashed once. A refused request stores only the day's
            // reset, which the next request would make anyway.
            Self.admit(&states[key, default: RateLimitState()], plan: plan, at: now)
        }
    }

    private static func admit(
        _ state: inout RateLimitState,
        plan: RatePlan,
        at now: RateLimitInstant
    )
        -> RateLimitOutcome
    {
        if state.day != now.day {
            state.day = now.day
            state.usedToday = 0
        }
        guard !plan.provenRefusal(of: state, at: now) else {
            return plan.outcome(admitted: false, state: state, at: now)
        }
        state.tat = max(state.tat, now.nanoseconds) + plan.gcra.emissionInterval
        state.usedToday += 1
        return plan.outcome(admitted: true, state: state, at: now)
    }

    /// Whether a request for `key` would be admitted now, without counting it (for allowances
    /// that only failures consume, such as sign-in attempts).
    public func peek(key: String, plan: RatePlan) -> RateLimitOutcome {
        let now = RateLimitInstant(clock.now())
        return states.withLock { states in
            var state = states[key] ?? RateLimitState()
            if state.day != now.day {
                state.day = now.day
                state.usedToday = 0
            }
            return plan.outcome(admitted: !plan.provenRefusal(of: state, at: now), state: state, at: now)
        }
    }

    /// Nanoseconds rounded up to whole seconds, so a wait is never reported short.
    public static func wholeSeconds(_ nanoseconds: Int64) -> Int {
        nanoseconds <= 0 ? 0 : Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }
}

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

/// Per-key (per-integration) limits in memory: a GCRA for the rate and a counter for the UTC day.
///
/// This is the single-node hot path: one locked dictionary access per request, no I/O.
public final class RateLimiter: Sendable {
    private struct KeyState {
        var tat: Int64 = 0
        var day: Int64 = 0
        var usedToday = 0
    }

    private let states = Mutex<[String: KeyState]>([:])
    private let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    /// Checks one request for `key` under `plan`, counting it if admitted.
    public func check(key: String, plan: RatePlan) -> RateLimitOutcome {
        let now = clock.now()
        let nanos = Int64((now.timeIntervalSince1970 * 1e9).rounded(.down))
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let day = second / 86_400
        let dailyResetSeconds = Int((day + 1) * 86_400 - second)
        let gcra = GCRA(requestsPerSecond: plan.requestsPerSecond, burst: plan.burst)
        let window = Int((Double(plan.burst) / plan.requestsPerSecond).rounded(.up))

        return states.withLock { states in
            var state = states[key] ?? KeyState()
            if state.day != day {
                state.day = day
                state.usedToday = 0
            }
            var outcome = RateLimitOutcome(
                refusal: nil,
                retryAfterSeconds: 0,
                burst: plan.burst,
                burstRemaining: 0,
                burstResetSeconds: 0,
                burstWindowSeconds: window,
                dailyQuota: plan.dailyQuota,
                dailyRemaining: plan.dailyQuota.map { max(0, $0 - state.usedToday) },
                dailyResetSeconds: dailyResetSeconds
            )
            if let quota = plan.dailyQuota, state.usedToday >= quota {
                outcome.refusal = .dailyQuota
                outcome.retryAfterSeconds = max(1, dailyResetSeconds)
                states[key] = state
                return outcome
            }
            let (decision, newTAT) = gcra.decide(now: nanos, tat: state.tat)
            switch decision {
            case .allowed(let remaining, let resetAfter):
                state.tat = newTAT
                state.usedToday += 1
                outcome.burstRemaining = remaining
                outcome.burstResetSeconds = Self.wholeSeconds(resetAfter)
                outcome.dailyRemaining = plan.dailyQuota.map { max(0, $0 - state.usedToday) }
            case .limited(let retryAfter):
                outcome.refusal = .rate
                outcome.retryAfterSeconds = max(1, Self.wholeSeconds(retryAfter))
                outcome.burstResetSeconds = Self.wholeSeconds(state.tat - nanos)
            }
            states[key] = state
            return outcome
        }
    }

    /// Nanoseconds rounded up to whole seconds, so a wait is never reported short.
    static func wholeSeconds(_ nanoseconds: Int64) -> Int {
        nanoseconds <= 0 ? 0 : Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }
}

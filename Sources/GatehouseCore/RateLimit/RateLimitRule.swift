import Foundation

/// The rate-limit arithmetic, in one place: the generic cell rate algorithm (GCRA) for the rate
/// and a count per UTC day for the quota. The in-memory ``RateLimiter`` and the store's shared
/// upsert (`SQLStore.admit`, which states the same formulas in SQL and is tested to agree with
/// ``admit(_:state:at:)`` on random sequences) both decide with it.
///
/// A key's whole state is the theoretical arrival time (TAT) of its next request and the day's
/// count. With emission interval `T = 1 / rate` and tolerance `τ = burst × T`, `n` requests at
/// `t` are admitted when `max(TAT, t) + n·T − t ≤ τ` and the day's count plus `n` stays within the
/// quota; then `TAT = max(TAT, t) + n·T`. Over any window `W` at most `rate × W + burst` requests
/// are admitted, and a client that sends exactly every `T` is never refused.
public struct RateLimitRule: Sendable, Equatable {
    /// Nanoseconds between requests at the sustained rate (`T`).
    public let emissionInterval: Int64
    /// Nanoseconds of credit (`τ = burst × T`).
    public let tolerance: Int64
    /// Requests per UTC day; `nil` for unlimited.
    public let dailyQuota: Int?

    public init(requestsPerSecond: Double, burst: Int, dailyQuota: Int?) {
        let interval = Int64((1e9 / requestsPerSecond).rounded(.up))
        self.emissionInterval = max(1, interval)
        self.tolerance = Int64(max(1, burst)) * self.emissionInterval
        self.dailyQuota = dailyQuota
    }

    /// The state after admitting `permits` requests at `now`, or `nil` if they do not all fit
    /// (a refusal changes nothing).
    public func admit(_ permits: Int = 1, state: RateLimitState, at now: RateLimitInstant) -> RateLimitState? {
        let count = Int64(max(1, permits))
        let start = max(state.tat, now.nanoseconds)
        let tat = start + emissionInterval * count
        let used = Int64(state.day == now.day ? state.usedToday : 0) + count
        guard tat - now.nanoseconds <= tolerance, used <= quotaLimit else { return nil }
        return RateLimitState(tat: tat, day: now.day, usedToday: Int(used))
    }

    /// The state after giving back one admitted request: for allowances that only failures
    /// consume but that are counted before the outcome is known.
    public func refund(state: RateLimitState, at now: RateLimitInstant) -> RateLimitState {
        var state = state
        state.tat = max(now.nanoseconds, state.tat - emissionInterval)
        if state.day == now.day, state.usedToday > 0 { state.usedToday -= 1 }
        return state
    }

    /// Whether `permits` requests at once could ever be admitted, whatever the state: a key
    /// never seen is admitted exactly when this holds.
    public func canEverAdmit(_ permits: Int) -> Bool {
        let count = Int64(max(1, permits))
        return emissionInterval * count <= tolerance && count <= quotaLimit
    }

    /// The quota as the bound on the day's count (a large number for an unlimited day).
    public var quotaLimit: Int64 { Int64(dailyQuota ?? Int.max / 2) }

    /// Nanoseconds from `now` until one request would fit the rate (0 if it fits now).
    public func waitForRate(state: RateLimitState, at now: RateLimitInstant) -> Int64 {
        max(0, max(state.tat, now.nanoseconds) + emissionInterval - now.nanoseconds - tolerance)
    }
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
    /// The plan's limits as the rule that decides them.
    public var rule: RateLimitRule {
        RateLimitRule(requestsPerSecond: requestsPerSecond, burst: burst, dailyQuota: dailyQuota)
    }

    /// Whether `state` (read at any time up to `now`) already proves a request at `now` must be
    /// refused. A stale state can only under-count, so a refusal proven from it is always right.
    public func provenRefusal(of state: RateLimitState, at now: RateLimitInstant) -> Bool {
        rule.admit(state: state, at: now) == nil
    }
}

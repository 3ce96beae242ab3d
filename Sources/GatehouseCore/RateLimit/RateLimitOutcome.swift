/// Why a request was refused.
public enum RateLimitReason: String, Sendable {
    /// Faster than the plan's sustained rate plus its burst.
    case rate
    /// The plan's requests for the current UTC day are used up.
    case dailyQuota = "daily_quota"
    /// Too many failed authentications from one client address.
    case failedAuthentication = "failed_authentication"
    /// Too many OAuth clients registered from one client address.
    case clientRegistration = "client_registration"
}

/// The outcome of one rate-limit check, with what the response headers report.
public struct RateLimitOutcome: Sendable, Equatable {
    /// `nil` when admitted.
    public var refusal: RateLimitReason?
    /// Whole seconds to wait before a retry is admitted (`Retry-After`): never 0, never early.
    /// 0 when admitted.
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

    /// Nanoseconds rounded up to whole seconds, so a wait is never reported short.
    public static func wholeSeconds(_ nanoseconds: Int64) -> Int {
        nanoseconds <= 0 ? 0 : Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }
}

extension RatePlan {
    /// The outcome to report once a request at `now` was admitted or refused, given the state
    /// after the decision: what is left, when it refills, and for a refusal its reason and
    /// `Retry-After`.
    public func outcome(admitted: Bool, state: RateLimitState, at now: RateLimitInstant) -> RateLimitOutcome {
        let rule = self.rule
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
        outcome.burstResetSeconds = RateLimitOutcome.wholeSeconds(debt)
        if admitted {
            outcome.burstRemaining = Int(max(0, rule.tolerance - debt) / rule.emissionInterval)
        } else if let quota = dailyQuota, usedToday >= quota {
            outcome.refusal = .dailyQuota
            outcome.retryAfterSeconds = max(1, now.secondsToMidnight)
        } else {
            outcome.refusal = .rate
            outcome.retryAfterSeconds = max(1, RateLimitOutcome.wholeSeconds(rule.waitForRate(state: state, at: now)))
        }
        return outcome
    }
}

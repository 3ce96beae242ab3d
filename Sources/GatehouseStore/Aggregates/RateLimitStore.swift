import Foundation
import GatehouseCore

/// Rate-limit state shared by every process and node.
public protocol RateLimitStore: Sendable {
    /// Admits `permits` requests for `key` at once if the GCRA (`emissionInterval`, `tolerance`, in
    /// nanoseconds) and the daily quota allow all of them, in one atomic statement, so every
    /// process and node sharing the store shares the limit. Returns whether they were admitted and
    /// the state after.
    func admit(
        key: String,
        now: RateLimitInstant,
        emissionInterval: Int64,
        tolerance: Int64,
        dailyQuota: Int?,
        permits: Int
    ) async throws -> (admitted: Bool, state: RateLimitState)
}

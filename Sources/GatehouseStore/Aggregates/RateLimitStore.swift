import Foundation
import GatehouseCore

/// Rate-limit state shared by every process and node.
public protocol RateLimitStore: Sendable {
    /// Admits `permits` requests for `key` at once if `rule` allows all of them, in one atomic
    /// statement, so every process and node sharing the store shares the limit. Returns whether
    /// they were admitted and the state after; decides exactly as ``RateLimitRule/admit(_:state:at:)``.
    func admit(
        key: String,
        rule: RateLimitRule,
        permits: Int,
        now: RateLimitInstant
    ) async throws -> (admitted: Bool, state: RateLimitState)
}

import Foundation
import GatehouseCore

/// How much each token and integration is used: counters written in batches.
public protocol UsageStore: Sendable {
    /// Adds the usage seen since the last flush to each token's counters and last-use fields.
    func recordUsage(_ usage: [TokenUsage]) async throws
    /// Adds per-integration, per-day, per-status request counts.
    func recordDailyUsage(_ usage: [DailyUsage]) async throws
    /// The counts of these integrations from `sinceDay` (days since 1970-01-01 UTC) on.
    func dailyUsage(integrationIDs: [String], sinceDay: Int64) async throws -> [DailyUsage]
}

/// What one process saw of a token's use since its last flush.
public struct TokenUsage: Sendable, Equatable {
    public var tokenID: String
    public var count: Int
    public var lastUsedAt: Date
    public var lastUsedIP: String?
    public var lastUsedAgent: String?

    public init(tokenID: String, count: Int, lastUsedAt: Date, lastUsedIP: String?, lastUsedAgent: String?) {
        self.tokenID = tokenID
        self.count = count
        self.lastUsedAt = lastUsedAt
        self.lastUsedIP = lastUsedIP
        self.lastUsedAgent = lastUsedAgent
    }
}

/// Requests of one integration on one UTC day with one kind of answer.
public struct DailyUsage: Sendable, Equatable, Hashable {
    public var integrationID: String
    /// Days since 1970-01-01 UTC.
    public var day: Int64
    /// `2xx`, `3xx`, `4xx`, `429` (rate limited, counted apart) or `5xx`.
    public var status: String
    public var count: Int

    public init(integrationID: String, day: Int64, status: String, count: Int) {
        self.integrationID = integrationID
        self.day = day
        self.status = status
        self.count = count
    }

    /// The status bucket of an HTTP status code: `2xx`, …, `5xx`, and `429` apart.
    public static func bucket(_ status: Int) -> String {
        let kept = statusClass(status)
        return kept == 429 ? "429" : "\(kept / 100)xx"
    }

    /// The bucket as a number — one code of the class (100, …, 500), or 429 — for counting on the
    /// request path without building a string.
    public static func statusClass(_ status: Int) -> Int {
        status == 429 ? 429 : min(max(status / 100, 1), 5) * 100
    }

    /// Days since 1970-01-01 UTC of `date`.
    public static func day(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }
}

import Foundation
import GatehouseCore
import SQLKit

/// ``RateLimitStore``: the shared GCRA and daily counter.
extension SQLStore {
    public func admit(
        key: String,
        now: RateLimitInstant,
        emissionInterval: Int64,
        tolerance: Int64,
        dailyQuota: Int?,
        permits: Int
    ) async throws -> (admitted: Bool, state: RateLimitState) {
        let quota = Int64(dailyQuota ?? Int.max / 2)
        let instant = now.nanoseconds
        let count = Int64(max(1, permits))
        let increment = emissionInterval * count
        return try await write { database in
            // CASE rather than GREATEST/max, which the two engines spell differently.
            let row = try await database.raw(
                """
                INSERT INTO rate_limits (key, tat, day, used)
                VALUES (\(bind: key), \(bind: instant + increment), \(bind: now.day), \(bind: count))
                ON CONFLICT (key) DO UPDATE SET
                    tat = (CASE WHEN rate_limits.tat > \(bind: instant) THEN rate_limits.tat ELSE \(bind: instant) END) + \(bind: increment),
                    used = (CASE WHEN rate_limits.day = \(bind: now.day) THEN rate_limits.used ELSE 0 END) + \(bind: count),
                    day = \(bind: now.day)
                WHERE (CASE WHEN rate_limits.tat > \(bind: instant) THEN rate_limits.tat ELSE \(bind: instant) END) + \(bind: increment) - \(bind: instant) <= \(bind: tolerance)
                  AND (CASE WHEN rate_limits.day = \(bind: now.day) THEN rate_limits.used ELSE 0 END) + \(bind: count) <= \(bind: quota)
                RETURNING tat, day, used
                """
            ).first()
            if let row { return (true, try Self.rateLimitState(row)) }
            guard
                let current = try await database.raw(
                    "SELECT tat, day, used FROM rate_limits WHERE key = \(bind: key)"
                ).first()
            else { throw StoreError(.notFound, "rate limit state vanished for \(key)") }
            return (false, try Self.rateLimitState(current))
        }
    }

    static func rateLimitState(_ row: any SQLRow) throws -> RateLimitState {
        RateLimitState(
            tat: try row.decode(column: "tat", as: Int64.self),
            day: try row.decode(column: "day", as: Int64.self),
            usedToday: Int(try row.decode(column: "used", as: Int64.self))
        )
    }
}

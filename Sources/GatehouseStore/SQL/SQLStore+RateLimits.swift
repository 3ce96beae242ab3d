import Foundation
import GatehouseCore
import SQLKit

/// ``RateLimitStore``: the shared GCRA and daily counter.
extension SQLStore {
    /// ``RateLimitRule/admit(_:state:at:)`` as one upsert. Each SQL fragment below is the rule's
    /// formula of the same name (`CASE` rather than `GREATEST`, which the two engines spell
    /// differently); `RateLimitRuleAgreementTests` runs both on random sequences.
    public func admit(
        key: String,
        rule: RateLimitRule,
        permits: Int,
        now: RateLimitInstant
    ) async throws -> (admitted: Bool, state: RateLimitState) {
        let count = Int64(max(1, permits))
        let instant = now.nanoseconds
        let increment = rule.emissionInterval * count
        return try await write { database in
            guard rule.canEverAdmit(permits) else {
                // A key never seen would be inserted unchecked: refuse what no state admits.
                let current = try await database.raw(
                    "SELECT tat, day, used FROM rate_limits WHERE key = \(bind: key)"
                ).first()
                return (false, try current.map(Self.rateLimitState) ?? RateLimitState())
            }
            // start = max(tat, now); tat' = start + n·T; used' = (same day ? used : 0) + n
            let start: SQLQueryString =
                "(CASE WHEN rate_limits.tat > \(bind: instant) THEN rate_limits.tat ELSE \(bind: instant) END)"
            let used: SQLQueryString =
                "((CASE WHEN rate_limits.day = \(bind: now.day) THEN rate_limits.used ELSE 0 END) + \(bind: count))"
            let tat: SQLQueryString = start + " + \(bind: increment)"
            let row = try await database.raw(
                """
                INSERT INTO rate_limits (key, tat, day, used)
                VALUES (\(bind: key), \(bind: instant + increment), \(bind: now.day), \(bind: count))
                ON CONFLICT (key) DO UPDATE SET tat = \(tat), used = \(used), day = \(bind: now.day)
                WHERE \(tat) - \(bind: instant) <= \(bind: rule.tolerance) AND \(used) <= \(bind: rule.quotaLimit)
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

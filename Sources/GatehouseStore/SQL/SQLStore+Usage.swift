import Foundation
import GatehouseCore
import SQLKit

/// ``UsageStore``: per-token and per-day usage counters.
extension SQLStore {
    public func recordUsage(_ usage: [TokenUsage]) async throws {
        // One statement per chunk of 32 tokens: row locks are held only while that statement runs.
        // (One transaction for the batch held them for a round trip per token, and a revocation of
        // one of those tokens waited behind it: about 1 s for 200 tokens under load.)
        for start in stride(from: 0, to: usage.count, by: 32) {
            let rows: [SQLQueryString] = usage[start..<min(start + 32, usage.count)].map { entry in
                "SELECT \(bind: entry.tokenID) AS id, \(bind: Int64(entry.count)) AS cnt, \(bind: entry.lastUsedAt.epochMilliseconds) AS at, \(bind: entry.lastUsedIP ?? "") AS ip, \(bind: entry.lastUsedAgent ?? "") AS agent"
            }
            let newer: SQLQueryString = "(tokens.last_used_at IS NULL OR tokens.last_used_at <= u.at)"
            let statement: SQLQueryString =
                """
                UPDATE tokens SET use_count = tokens.use_count + u.cnt,
                    last_used_ip = CASE WHEN \(newer) THEN NULLIF(u.ip, '') ELSE tokens.last_used_ip END,
                    last_used_agent = CASE WHEN \(newer) THEN NULLIF(u.agent, '') ELSE tokens.last_used_agent END,
                    last_used_at = CASE WHEN \(newer) THEN u.at ELSE tokens.last_used_at END
                FROM (
                """ + rows.joined(separator: " UNION ALL ") + ") AS u WHERE tokens.id = u.id"
            try await read { database in try await database.raw(statement).run() }
        }
    }

    public func recordDailyUsage(_ usage: [DailyUsage]) async throws {
        for entry in usage where entry.count > 0 {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO usage_daily (integration_id, day, status, count)
                    VALUES (\(bind: entry.integrationID), \(bind: entry.day), \(bind: entry.status), \(bind: Int64(entry.count)))
                    ON CONFLICT (integration_id, day, status) DO UPDATE SET count = usage_daily.count + excluded.count
                    """
                ).run()
            }
        }
    }

    public func dailyUsage(integrationIDs: [String], sinceDay: Int64) async throws -> [DailyUsage] {
        guard !integrationIDs.isEmpty else { return [] }
        return try await read { database in
            try await database.raw(
                """
                SELECT * FROM usage_daily WHERE day >= \(bind: sinceDay)
                  AND integration_id IN (\(binds: integrationIDs)) ORDER BY day, status
                """
            ).all().map { row in
                DailyUsage(
                    integrationID: try row.decode(column: "integration_id", as: String.self),
                    day: try row.decode(column: "day", as: Int64.self),
                    status: try row.decode(column: "status", as: String.self),
                    count: Int(try row.decode(column: "count", as: Int64.self))
                )
            }
        }
    }
}

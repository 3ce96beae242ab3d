import Foundation
import GatehouseCore
import SQLKit

/// ``ChangeFeedStore``: the change feed.
extension SQLStore {
    public func listenForChanges(_ onNotification: @escaping @Sendable () -> Void) async {
        await engine.listenForChanges(onNotification)
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [StoreChange] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM changes WHERE seq > \(bind: sequence) ORDER BY seq LIMIT \(bind: limit)"
            ).all().map { row in
                StoreChange(
                    sequence: try row.decode(column: "seq", as: Int64.self),
                    kind: try Self.enumValue(row, "kind"),
                    workspaceID: try row.decode(column: "workspace_id", as: String?.self),
                    integrationID: try row.decode(column: "integration_id", as: String?.self),
                    tokenDigest: try row.decode(column: "token_hash", as: String?.self).flatMap(TokenDigest.init(hex:))
                )
            }
        }
    }

    public func latestChangeSequence() async throws -> Int64 {
        try await read { database in
            try await database.raw("SELECT MAX(seq) AS latest FROM changes").first()?
                .decode(column: "latest", as: Int64?.self) ?? 0
        }
    }

    public func pruneChanges(before time: Date) async throws {
        try await write { database in
            try await database.raw("DELETE FROM changes WHERE created_at < \(bind: time.epochMilliseconds)").run()
        }
    }
}

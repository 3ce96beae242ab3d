import Foundation
import GatehouseCore
import SQLKit

extension SQLStore {
    /// Replaces the scopes of an integration and of its installations (a public integration's
    /// scopes are what its installations can hold); every node evicts their cached principals.
    /// Returns the changes made (none when the integration does not exist).
    public func setScopes(_ scopes: Scopes, integrationID: String, at time: Date) async throws -> [StoreChange] {
        try await transaction { database in
            let rows = try await database.raw(
                """
                UPDATE integrations SET scopes = \(bind: scopes.spaceSeparated)
                WHERE id = \(bind: integrationID) OR installed_from = \(bind: integrationID)
                RETURNING id, workspace_id
                """
            ).all()
            var changes: [StoreChange] = []
            for row in rows {
                let change = StoreChange(
                    sequence: 0,
                    kind: .integrationChanged,
                    workspaceID: try row.decode(column: "workspace_id", as: String.self),
                    integrationID: try row.decode(column: "id", as: String.self)
                )
                try await self.recordChange(
                    database,
                    change.kind,
                    workspaceID: change.workspaceID,
                    integrationID: change.integrationID,
                    at: time
                )
                changes.append(change)
            }
            return changes
        }
    }

    /// Adds a token to an existing integration (a verifier key); `false` if the integration does
    /// not exist.
    public func addToken(_ token: TokenRecord) async throws -> Bool {
        try await transaction { database in
            guard
                try await database.raw(
                    "UPDATE integrations SET name = name WHERE id = \(bind: token.integrationID) RETURNING id"
                ).first() != nil
            else { return false }
            try await Self.insertToken(token, into: database)
            return true
        }
    }

    static func scopes(_ row: any SQLRow) throws -> Scopes {
        (try? Scopes(parsing: try row.decode(column: "scopes", as: String?.self) ?? "")) ?? Scopes()
    }
}

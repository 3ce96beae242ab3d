import Foundation
import GatehouseCore
import SQLKit

/// ``IntegrationStore``, continued: the controls a deployment puts on integrations and keys
/// (scopes, an integration's own rate limit, a key's expiry and number of uses, verifier keys).
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

    /// Sets or clears an integration's own rate limit (replacing its plan's); every node evicts
    /// its cached principals. The changes made (none if the integration does not exist).
    public func setRateLimit(_ limit: RatePlan?, integrationID: String, at time: Date) async throws -> [StoreChange] {
        try await transaction { database in
            guard
                let row = try await database.raw(
                    """
                    UPDATE integrations SET rate_limit = \(bind: limit?.compactDescription)
                    WHERE id = \(bind: integrationID) RETURNING workspace_id
                    """
                ).first()
            else { return [] }
            let change = StoreChange(
                sequence: 0,
                kind: .integrationChanged,
                workspaceID: try row.decode(column: "workspace_id", as: String.self),
                integrationID: integrationID
            )
            try await self.recordChange(
                database,
                change.kind,
                workspaceID: change.workspaceID,
                integrationID: integrationID,
                at: time
            )
            return [change]
        }
    }

    /// Sets a live token's expiry and number of uses (`nil`: none), as chosen when it was made;
    /// every node evicts it. The token as it now is, or `nil` if there is no live token `tokenID`.
    public func setTokenLimits(
        tokenID: String,
        expiresAt: Date?,
        maxUses: Int?,
        at time: Date
    ) async throws -> TokenRecord? {
        try await transaction { database in
            guard
                let row = try await database.raw(
                    """
                    UPDATE tokens SET expires_at = \(bind: expiresAt?.epochMilliseconds),
                        max_uses = \(bind: maxUses.map(Int64.init))
                    WHERE id = \(bind: tokenID) AND revoked_at IS NULL RETURNING *
                    """
                ).first()
            else { return nil }
            let token = try Self.token(row)
            try await self.recordChange(
                database,
                .tokenRevoked,
                workspaceID: nil,
                integrationID: token.integrationID,
                tokenDigest: token.digest,
                at: time
            )
            return token
        }
    }

    /// Counts one use of a usage-limited token, for the whole cluster: `true` while it had uses
    /// left, `false` once all are spent (nothing is counted then).
    public func consumeUse(tokenID: String) async throws -> Bool {
        try await write { database in
            try await database.raw(
                """
                UPDATE tokens SET uses = uses + 1
                WHERE id = \(bind: tokenID) AND (max_uses IS NULL OR uses < max_uses) RETURNING uses
                """
            ).first() != nil
        }
    }

    static func rateLimitOverride(_ row: any SQLRow) throws -> RatePlan? {
        try row.decode(column: "rate_limit", as: String?.self).flatMap(RatePlan.init(compact:))
    }

    static func scopes(_ row: any SQLRow) throws -> Scopes {
        (try? Scopes(parsing: try row.decode(column: "scopes", as: String?.self) ?? "")) ?? Scopes()
    }
}

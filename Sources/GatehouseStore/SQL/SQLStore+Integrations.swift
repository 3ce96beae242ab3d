import Foundation
import GatehouseCore
import SQLKit

/// ``IntegrationStore``: integrations, their credentials and the principals they act as.
extension SQLStore {
    public func createIntegration(_ integration: Integration, token: TokenRecord?) async throws {
        try await mapUnique("integration \(integration.id)") {
            try await transaction { database in
                try await Self.insertIntegration(integration, into: database)
                if let token { try await Self.insertToken(token, into: database) }
            }
        }
    }

    static func insertIntegration(_ integration: Integration, into database: any SQLDatabase) async throws {
        let client = integration.oauthClient
        let installation = integration.installation
        try await database.raw(
            """
            INSERT INTO integrations (id, workspace_id, name, kind, capabilities, bot_id, created_at,
                client_id, redirect_uris, expiring_tokens, confidential, registered_from, installed_from, owner_user_id, owner_type, scopes, rate_limit)
            VALUES (\(bind: integration.id), \(bind: integration.workspaceID), \(bind: integration.name), \(bind: integration.kind.rawValue), \(bind: integration.capabilities.names(joinedBy: ",")), \(bind: integration.botID), \(bind: integration.createdAt.epochMilliseconds),
                \(bind: client?.clientID), \(bind: client?.redirectURIs.joined(separator: "\n")), \(bind: client?.expiringTokens == true ? 1 : 0), \(bind: client?.confidential == false ? 0 : 1), \(bind: client?.registeredFrom),
                \(bind: installation?.appID), \(bind: installation?.ownerUserID), \(bind: installation?.owner.rawValue), \(bind: integration.scopes.spaceSeparated), \(bind: integration.rateLimitOverride?.compactDescription))
            """
        ).run()
    }

    static func insertToken(_ token: TokenRecord, into database: any SQLDatabase) async throws {
        try await insertTokens([token], into: database)
    }

    /// Inserts `tokens` in one statement.
    static func insertTokens(_ tokens: [TokenRecord], into database: any SQLDatabase) async throws {
        guard !tokens.isEmpty else { return }
        let rows = tokens.map { token -> SQLQueryString in
            """
            (\(bind: token.id), \(bind: token.integrationID), \(bind: token.kind.rawValue), \(bind: token.digest.hex), \(bind: token.displayHint), \(bind: token.createdAt.epochMilliseconds), \(bind: token.expiresAt?.epochMilliseconds), \(bind: token.revokedAt?.epochMilliseconds), \(bind: token.rotatedFromID), \(bind: token.grantID), \(bind: token.grantExpiresAt?.epochMilliseconds), \(bind: token.maxUses.map(Int64.init)))
            """
        }
        try await database.raw(
            "INSERT INTO tokens (id, integration_id, kind, hash, display_hint, created_at, expires_at, revoked_at, rotated_from, grant_id, grant_expires_at, max_uses) VALUES "
                + rows.joined(separator: ", ")
        ).run()
    }

    public func integration(id: String) async throws -> Integration? {
        try await read { database in
            try await database.raw("SELECT * FROM integrations WHERE id = \(bind: id)").first().map(Self.integration)
        }
    }

    public func integration(botID: String) async throws -> Integration? {
        try await read { database in
            try await database.raw("SELECT * FROM integrations WHERE bot_id = \(bind: botID)").first()
                .map(Self.integration)
        }
    }

    public func integration(clientID: String) async throws -> Integration? {
        try await read { database in
            try await database.raw("SELECT * FROM integrations WHERE client_id = \(bind: clientID)").first()
                .map(Self.integration)
        }
    }

    public func integrations(workspaceID: String) async throws -> [Integration] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM integrations WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            ).all().map(Self.integration)
        }
    }

    public func unclaimedRegisteredClients(createdBefore time: Date, limit: Int) async throws -> [Integration] {
        try await read { database in
            try await database.raw(
                """
                SELECT * FROM integrations a WHERE a.registered_from IS NOT NULL
                    AND a.created_at < \(bind: time.epochMilliseconds)
                    AND NOT EXISTS (SELECT 1 FROM integrations i WHERE i.installed_from = a.id)
                ORDER BY a.created_at, a.id LIMIT \(bind: limit)
                """
            ).all().map(Self.integration)
        }
    }

    public func deleteIntegration(id: String, at time: Date, onlyIfUninstalled: Bool) async throws -> Bool {
        try await transaction { database in
            // Rows locked first, as rotations and shares lock them, so they queue instead of
            // deadlocking on PostgreSQL.
            let rows = try await database.raw(
                """
                UPDATE integrations SET name = name WHERE id = \(bind: id) OR installed_from = \(bind: id)
                RETURNING id, workspace_id
                """
            ).all()
            guard rows.contains(where: { (try? $0.decode(column: "id", as: String.self)) == id }) else { return false }
            // Installed meanwhile (a person consented since the caller looked): kept.
            if onlyIfUninstalled, rows.count > 1 { return false }
            for row in rows {
                let doomed = try row.decode(column: "id", as: String.self)
                try await database.raw("DELETE FROM shares WHERE integration_id = \(bind: doomed)").run()
                try await database.raw("DELETE FROM tokens WHERE integration_id = \(bind: doomed)").run()
                try await database.raw("DELETE FROM oauth_codes WHERE integration_id = \(bind: doomed)").run()
                try await database.raw("DELETE FROM integrations WHERE id = \(bind: doomed)").run()
                try await database.raw(
                    "DELETE FROM webhook_deliveries WHERE subscription_id IN (SELECT id FROM webhook_subscriptions WHERE integration_id = \(bind: doomed))"
                ).run()
                try await database.raw("DELETE FROM webhook_subscriptions WHERE integration_id = \(bind: doomed)").run()
                try await self.recordChange(
                    database,
                    .integrationChanged,
                    workspaceID: try row.decode(column: "workspace_id", as: String.self),
                    integrationID: doomed,
                    at: time
                )
            }
            return true
        }
    }

    public func tokens(integrationID: String) async throws -> [TokenRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM tokens WHERE integration_id = \(bind: integrationID) ORDER BY created_at, id"
            ).all().map(Self.token)
        }
    }

    public func tokens(integrationIDs: [String]) async throws -> [String: [TokenRecord]] {
        guard !integrationIDs.isEmpty else { return [:] }
        return try await read { database in
            Dictionary(
                grouping: try await database.raw(
                    "SELECT * FROM tokens WHERE integration_id IN (\(binds: integrationIDs)) ORDER BY created_at, id"
                ).all().map(Self.token),
                by: \.integrationID
            )
        }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM tokens WHERE id = \(bind: id)").first().map(Self.token)
        }
    }

    public func token(digest: TokenDigest) async throws -> TokenRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM tokens WHERE hash = \(bind: digest.hex)").first().map(Self.token)
        }
    }

    public func rotate(to newToken: TokenRecord, oldTokensExpireAt: Date?, at time: Date) async throws -> [TokenRecord]
    {
        try await transaction { database in
            // Touching the integration's row first serializes rotations of one integration on
            // PostgreSQL (SQLite's BEGIN IMMEDIATE already serializes all writers).
            guard
                let row = try await database.raw(
                    "UPDATE integrations SET name = name WHERE id = \(bind: newToken.integrationID) RETURNING workspace_id"
                ).first()
            else { throw StoreError(.notFound, "no integration with id \(newToken.integrationID)") }
            let workspaceID = try row.decode(column: "workspace_id", as: String.self)
            let now = time.epochMilliseconds
            let live = try await database.raw(
                """
                SELECT * FROM tokens WHERE integration_id = \(bind: newToken.integrationID) AND revoked_at IS NULL
                  AND kind = \(bind: newToken.kind.rawValue)
                  AND (expires_at IS NULL OR expires_at > \(bind: now)) ORDER BY created_at, id
                """
            ).all().map(Self.token)
            if let expiry = oldTokensExpireAt?.epochMilliseconds {
                for token in live where (token.expiresAt?.epochMilliseconds ?? Int64.max) > expiry {
                    try await database.raw(
                        "UPDATE tokens SET expires_at = \(bind: expiry) WHERE id = \(bind: token.id)"
                    ).run()
                }
            }
            var record = newToken
            record.rotatedFromID = live.last?.id
            try await Self.insertToken(record, into: database)
            try await self.recordChange(
                database,
                .integrationChanged,
                workspaceID: workspaceID,
                integrationID: newToken.integrationID,
                at: time
            )
            return live
        }
    }

    public func revokeTokens(ids: [String], at time: Date) async throws -> [TokenRecord] {
        guard !ids.isEmpty else { return [] }
        return try await transaction { database in
            var revoked: [TokenRecord] = []
            for id in ids {
                // Compare-and-set: only the caller that flips revoked_at records the change.
                guard
                    let row = try await database.raw(
                        "UPDATE tokens SET revoked_at = \(bind: time.epochMilliseconds) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING *"
                    ).first()
                else { continue }
                let token = try Self.token(row)
                try await self.recordRevocation(of: token, in: database, at: time)
                revoked.append(token)
            }
            return revoked
        }
    }

    /// The change-feed entry that makes every node drop `token` from its cache.
    func recordRevocation(of token: TokenRecord, in database: any SQLDatabase, at time: Date) async throws {
        try await recordChange(
            database,
            .tokenRevoked,
            workspaceID: nil,
            integrationID: token.integrationID,
            tokenDigest: token.digest,
            at: time
        )
    }

    public func principal(digest: TokenDigest) async throws -> (TokenRecord, Principal)? {
        try await read { database in
            guard
                let row = try await database.raw(
                    """
                    SELECT t.*, i.name AS integration_name, i.kind AS integration_kind, i.capabilities, i.bot_id,
                           i.workspace_id, w.name AS workspace_name, w.icon AS workspace_icon, w.plan,
                           i.owner_type, i.installed_from, i.scopes, i.rate_limit, o.id AS owner_id, o.name AS owner_name,
                           o.email AS owner_email
                    FROM tokens t JOIN integrations i ON i.id = t.integration_id JOIN workspaces w ON w.id = i.workspace_id
                    LEFT JOIN users o ON o.id = i.owner_user_id
                    WHERE t.hash = \(bind: digest.hex)
                    """
                ).first()
            else { return nil }
            let token = try Self.token(row)
            let principal = Principal(
                tokenID: token.id,
                tokenKind: token.kind,
                expiresAt: token.expiresAt,
                integrationID: token.integrationID,
                integrationName: try row.decode(column: "integration_name", as: String.self),
                integrationKind: try Self.enumValue(row, "integration_kind"),
                botID: try row.decode(column: "bot_id", as: String.self),
                capabilities: try Self.capabilities(row),
                workspaceID: try row.decode(column: "workspace_id", as: String.self),
                workspaceName: try row.decode(column: "workspace_name", as: String.self),
                workspaceIcon: try row.decode(column: "workspace_icon", as: String?.self),
                plan: try Self.enumValue(row, "plan"),
                owner: try Self.botOwner(row),
                installedFrom: try row.decode(column: "installed_from", as: String?.self),
                issuedAt: token.createdAt,
                scopes: try Self.scopes(row),
                rateLimitOverride: try Self.rateLimitOverride(row),
                maxUses: token.maxUses
            )
            return (token, principal)
        }
    }

    static func botOwner(_ row: any SQLRow) throws -> BotOwner {
        guard try row.decode(column: "owner_type", as: String?.self) == BotOwnerKind.user.rawValue,
            let id = try row.decode(column: "owner_id", as: String?.self)
        else { return .workspace }
        return .user(
            id: id,
            name: try row.decode(column: "owner_name", as: String.self),
            email: try row.decode(column: "owner_email", as: String.self)
        )
    }

    static func capabilities(_ row: any SQLRow) throws -> Capabilities {
        let names = try row.decode(column: "capabilities", as: String.self).split(separator: ",").map(String.init)
        return try Capabilities(names: names)
    }

    static func integration(_ row: any SQLRow) throws -> Integration {
        Integration(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            kind: try enumValue(row, "kind"),
            capabilities: try capabilities(row),
            botID: try row.decode(column: "bot_id", as: String.self),
            createdAt: try date(row, "created_at"),
            oauthClient: try row.decode(column: "client_id", as: String?.self).map { clientID in
                OAuthClientSettings(
                    clientID: clientID,
                    redirectURIs: (try row.decode(column: "redirect_uris", as: String?.self) ?? "")
                        .split(separator: "\n").map(String.init),
                    expiringTokens: try row.decode(column: "expiring_tokens", as: Int64.self) != 0,
                    confidential: try row.decode(column: "confidential", as: Int64.self) != 0,
                    registeredFrom: try row.decode(column: "registered_from", as: String?.self)
                )
            },
            installation: try row.decode(column: "installed_from", as: String?.self).map { appID in
                Installation(
                    appID: appID,
                    ownerUserID: try row.decode(column: "owner_user_id", as: String?.self) ?? "",
                    owner: BotOwnerKind(rawValue: try row.decode(column: "owner_type", as: String?.self) ?? "") ?? .user
                )
            },
            scopes: try scopes(row),
            rateLimitOverride: try rateLimitOverride(row)
        )
    }

    static func token(_ row: any SQLRow) throws -> TokenRecord {
        let hex = try row.decode(column: "hash", as: String.self)
        guard let digest = TokenDigest(hex: hex) else { throw StoreError(.notFound, "malformed token hash in store") }
        var record = TokenRecord(
            id: try row.decode(column: "id", as: String.self),
            integrationID: try row.decode(column: "integration_id", as: String.self),
            kind: try enumValue(row, "kind"),
            digest: digest,
            displayHint: try row.decode(column: "display_hint", as: String.self),
            createdAt: try date(row, "created_at"),
            expiresAt: try optionalDate(row, "expires_at"),
            revokedAt: try optionalDate(row, "revoked_at"),
            rotatedFromID: try row.decode(column: "rotated_from", as: String?.self),
            lastUsedAt: try optionalDate(row, "last_used_at"),
            lastUsedIP: try row.decode(column: "last_used_ip", as: String?.self),
            lastUsedAgent: try row.decode(column: "last_used_agent", as: String?.self),
            useCount: Int(try row.decode(column: "use_count", as: Int64.self)),
            grantID: try row.decode(column: "grant_id", as: String?.self),
            usedAt: try optionalDate(row, "used_at"),
            usedFrom: try row.decode(column: "used_from", as: String?.self),
            grantExpiresAt: try optionalDate(row, "grant_expires_at")
        )
        record.maxUses = try row.decode(column: "max_uses", as: Int64?.self).map(Int.init)
        record.uses = Int(try row.decode(column: "uses", as: Int64?.self) ?? 0)
        return record
    }
}

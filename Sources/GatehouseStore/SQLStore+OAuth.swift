import Foundation
import GatehouseCore
import SQLKit

/// Authorization codes, installations, refresh-token rotation and browser sessions.
extension SQLStore {
    public func createAuthorizationCode(_ code: AuthorizationCode) async throws {
        let resources = code.resources.map { "\($0.type):\($0.id)" }.joined(separator: ",")
        try await write { database in
            try await database.raw(
                """
                INSERT INTO oauth_codes (id, hash, integration_id, user_id, workspace_id, owner_type, redirect_uri,
                    code_challenge, resources, created_at, expires_at)
                VALUES (\(bind: code.id), \(bind: code.digest.hex), \(bind: code.appID), \(bind: code.userID),
                    \(bind: code.workspaceID), \(bind: code.owner.rawValue), \(bind: code.redirectURI),
                    \(bind: code.codeChallenge), \(bind: resources), \(bind: code.createdAt.epochMilliseconds),
                    \(bind: code.expiresAt.epochMilliseconds))
                """
            ).run()
        }
    }

    public func consumeAuthorizationCode(
        digest: TokenDigest,
        at time: Date
    ) async throws -> (AuthorizationCode, firstUse: Bool)? {
        try await transaction { database in
            try await Self.consumeAuthorizationCode(digest: digest, at: time, in: database)
        }
    }

    public func redeemAuthorizationCode(
        digest: TokenDigest,
        at time: Date,
        decide: @Sendable (AuthorizationCode, _ firstUse: Bool) -> CodeGrant?
    ) async throws -> CodeRedemption? {
        try await transaction { database in
            guard let (code, firstUse) = try await Self.consumeAuthorizationCode(digest: digest, at: time, in: database)
            else { return nil }
            guard let grant = decide(code, firstUse) else {
                return CodeRedemption(code: code, firstUse: firstUse, installation: nil)
            }
            let installation = try await self.install(
                grant.candidate,
                resources: grant.resources,
                tokens: grant.tokens,
                at: time,
                in: database
            )
            _ = try await self.appendEvent(grant.event(installation), in: database)
            return CodeRedemption(code: code, firstUse: firstUse, installation: installation)
        }
    }

    /// Compare-and-set: exactly one request sees the code unused.
    private static func consumeAuthorizationCode(
        digest: TokenDigest,
        at time: Date,
        in database: any SQLDatabase
    ) async throws -> (AuthorizationCode, firstUse: Bool)? {
        if let row = try await database.raw(
            "UPDATE oauth_codes SET used_at = \(bind: time.epochMilliseconds) WHERE hash = \(bind: digest.hex) AND used_at IS NULL RETURNING *"
        ).first() {
            return (try Self.authorizationCode(row), true)
        }
        guard let row = try await database.raw("SELECT * FROM oauth_codes WHERE hash = \(bind: digest.hex)").first()
        else { return nil }
        return (try Self.authorizationCode(row), false)
    }

    public func install(
        _ candidate: Integration,
        resources: [SharedResource],
        tokens: [TokenRecord],
        at time: Date
    ) async throws -> Integration {
        try await transaction { database in
            try await self.install(candidate, resources: resources, tokens: tokens, at: time, in: database)
        }
    }

    private func install(
        _ candidate: Integration,
        resources: [SharedResource],
        tokens: [TokenRecord],
        at time: Date,
        in database: any SQLDatabase
    ) async throws -> Integration {
        guard let wanted = candidate.installation else {
            throw StoreError(.notFound, "install needs an installation record")
        }
        // One installation per public integration, workspace and owner (per person for
        // owner=user); re-authorizing replaces its shares and capabilities.
        try await engine.lockForInstallation(
            "installation \(wanted.appID) \(candidate.workspaceID) \(wanted.owner.rawValue) \(wanted.owner == .user ? wanted.ownerUserID : "")",
            in: database
        )
        let ownerFilter: SQLQueryString =
            wanted.owner == .user ? " AND owner_user_id = \(bind: wanted.ownerUserID)" : ""
        var installation: Integration
        if let row = try await database.raw(
            """
            SELECT * FROM integrations WHERE installed_from = \(bind: wanted.appID)
              AND workspace_id = \(bind: candidate.workspaceID) AND owner_type = \(bind: wanted.owner.rawValue)
            """ + ownerFilter
        ).first() {
            installation = try Self.integration(row)
            installation.capabilities = candidate.capabilities
            installation.name = candidate.name
            installation.installation?.ownerUserID = wanted.ownerUserID
            try await database.raw(
                """
                UPDATE integrations SET capabilities = \(bind: candidate.capabilities.names.joined(separator: ",")),
                    name = \(bind: candidate.name), owner_user_id = \(bind: wanted.ownerUserID)
                WHERE id = \(bind: installation.id)
                """
            ).run()
            try await database.raw("DELETE FROM shares WHERE integration_id = \(bind: installation.id)").run()
        } else {
            installation = candidate
            try await Self.insertIntegration(installation, into: database)
        }
        for resource in Set(resources) {
            try await database.raw(
                """
                INSERT INTO shares (integration_id, resource_id, resource_type, created_at)
                VALUES (\(bind: installation.id), \(bind: resource.id), \(bind: resource.type), \(bind: time.epochMilliseconds))
                """
            ).run()
        }
        for var token in tokens {
            token.integrationID = installation.id
            try await Self.insertToken(token, into: database)
        }
        try await self.recordChange(
            database,
            .integrationChanged,
            workspaceID: installation.workspaceID,
            integrationID: installation.id,
            at: time
        )
        return installation
    }

    public func rotateRefreshToken(
        id: String,
        successors: [TokenRecord],
        sealedSuccessor: String,
        at time: Date
    ) async throws -> RefreshRotation {
        try await transaction { database in
            // Compare-and-set on used_at: of concurrent refreshes exactly one rotates; the others
            // (on PostgreSQL they wait for its commit) read the successor it sealed.
            let rotated = try await database.raw(
                """
                UPDATE tokens SET used_at = \(bind: time.epochMilliseconds), successor = \(bind: sealedSuccessor)
                WHERE id = \(bind: id) AND used_at IS NULL AND revoked_at IS NULL RETURNING id
                """
            ).first()
            guard rotated != nil else {
                guard let row = try await database.raw("SELECT * FROM tokens WHERE id = \(bind: id)").first() else {
                    throw StoreError(.notFound, "no token with id \(id)")
                }
                return .lost(try Self.token(row))
            }
            for token in successors { try await Self.insertToken(token, into: database) }
            return .rotated
        }
    }

    public func refreshSuccessor(tokenID: String) async throws -> String? {
        try await read { database in
            try await database.raw("SELECT successor FROM tokens WHERE id = \(bind: tokenID)").first()?
                .decode(column: "successor", as: String?.self)
        }
    }

    public func revokeGrant(id: String, at time: Date) async throws -> [TokenRecord] {
        try await transaction { database in
            // Repeated until nothing is left: on PostgreSQL a refresh that committed while a pass
            // waited for its row lock added successors that pass could not see; the next one does.
            // Once a pass finds nothing, no live token of the grant is left to refresh from.
            var revoked: [TokenRecord] = []
            while true {
                let rows = try await database.raw(
                    """
                    UPDATE tokens SET revoked_at = \(bind: time.epochMilliseconds)
                    WHERE grant_id = \(bind: id) AND revoked_at IS NULL RETURNING *
                    """
                ).all()
                guard !rows.isEmpty else { return revoked }
                for row in rows {
                    let token = try Self.token(row)
                    try await self.recordRevocation(of: token, in: database, at: time)
                    revoked.append(token)
                }
            }
        }
    }

    // MARK: Browser sessions

    public func createSession(_ session: SessionRecord) async throws {
        try await write { database in
            try await database.raw(
                """
                INSERT INTO sessions (hash, user_id, created_at, expires_at)
                VALUES (\(bind: session.digest.hex), \(bind: session.userID), \(bind: session.createdAt.epochMilliseconds), \(bind: session.expiresAt.epochMilliseconds))
                """
            ).run()
        }
    }

    public func session(digest: TokenDigest) async throws -> SessionRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM sessions WHERE hash = \(bind: digest.hex)").first().map { row in
                SessionRecord(
                    digest: digest,
                    userID: try row.decode(column: "user_id", as: String.self),
                    createdAt: try Self.date(row, "created_at"),
                    expiresAt: try Self.date(row, "expires_at")
                )
            }
        }
    }

    public func deleteSession(digest: TokenDigest) async throws {
        try await write { database in
            try await database.raw("DELETE FROM sessions WHERE hash = \(bind: digest.hex)").run()
        }
    }

    // MARK: Row decoding

    static func authorizationCode(_ row: any SQLRow) throws -> AuthorizationCode {
        guard let digest = TokenDigest(hex: try row.decode(column: "hash", as: String.self)) else {
            throw StoreError(.notFound, "malformed code hash in store")
        }
        let resources = try row.decode(column: "resources", as: String.self).split(separator: ",").compactMap {
            entry -> SharedResource? in
            let parts = entry.split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? SharedResource(type: String(parts[0]), id: String(parts[1])) : nil
        }
        return AuthorizationCode(
            id: try row.decode(column: "id", as: String.self),
            digest: digest,
            appID: try row.decode(column: "integration_id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            owner: try enumValue(row, "owner_type"),
            redirectURI: try row.decode(column: "redirect_uri", as: String?.self),
            codeChallenge: try row.decode(column: "code_challenge", as: String?.self),
            resources: resources,
            createdAt: try date(row, "created_at"),
            expiresAt: try date(row, "expires_at"),
            usedAt: try optionalDate(row, "used_at")
        )
    }
}

import Foundation
import GatehouseCore
import SQLKit

/// Authorization codes, installations and refresh-token rotation.
extension SQLStore {
    public func createAuthorizationCode(_ code: AuthorizationCode) async throws {
        let resources = code.resources.map { "\($0.type):\($0.id)" }.joined(separator: ",")
        try await write { database in
            try await database.raw(
                """
                INSERT INTO oauth_codes (id, hash, integration_id, user_id, workspace_id, owner_type, redirect_uri,
                    code_challenge, resources, scopes, created_at, expires_at)
                VALUES (\(bind: code.id), \(bind: code.digest.hex), \(bind: code.appID), \(bind: code.userID),
                    \(bind: code.workspaceID), \(bind: code.owner.rawValue), \(bind: code.redirectURI),
                    \(bind: code.codeChallenge), \(bind: resources), \(bind: code.scopes?.spaceSeparated),
                    \(bind: code.createdAt.epochMilliseconds),
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
            let codes = try await Self.spendCodes([digest.hex], at: time, in: database)
            if let code = codes.unused[digest.hex] { return (code, true) }
            return codes.used[digest.hex].map { ($0, false) }
        }
    }

    public func redeemAuthorizationCode(digest: TokenDigest, exchange: CodeExchange) async throws -> CodeRedemption? {
        try await redemptions.submit(CodeRedemptionRequest(digest: digest, exchange: exchange)) { requests in
            await self.redeem(requests)
        }
    }

    /// Redeems a batch in one transaction. If it fails, each request is tried alone, so one
    /// request's failure is not the others'.
    private func redeem(_ requests: [CodeRedemptionRequest]) async -> [Result<CodeRedemption?, any Error>] {
        do {
            return try await transaction { database in
                try await self.redeem(requests, in: database)
            }.map { .success($0) }
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            var outcomes: [Result<CodeRedemption?, any Error>] = []
            for request in requests { outcomes += await redeem([request]) }
            return outcomes
        }
    }

    /// Spends the codes (compare-and-set: of two requests with one code only the first sees it
    /// unused), checks each against its request's ``CodeExchange`` rules, then installs, issues
    /// and audits every grant with set-based statements.
    private func redeem(
        _ requests: [CodeRedemptionRequest],
        in database: any SQLDatabase
    ) async throws -> [CodeRedemption?] {
        guard let time = requests.map(\.exchange.now).max() else { return [] }
        var (unused, used) = try await Self.spendCodes(
            Array(Set(requests.map(\.digest.hex))),
            at: time,
            in: database
        )
        var outcomes: [CodeRedemption?] = []
        var grants: [(index: Int, code: AuthorizationCode, exchange: CodeExchange)] = []
        for request in requests {
            let hex = request.digest.hex
            let firstUse = unused[hex] != nil
            guard let code = unused.removeValue(forKey: hex) ?? used[hex] else {
                outcomes.append(nil)
                continue
            }
            if firstUse { used[hex] = code }  // a second request with this code is a replay
            outcomes.append(CodeRedemption(code: code, firstUse: firstUse, installation: nil))
            if request.exchange.problem(with: code, firstUse: firstUse) == nil {
                grants.append((outcomes.count - 1, code, request.exchange))
            }
        }
        guard !grants.isEmpty else { return outcomes }
        let installations = try await install(
            grants.map { grant in
                (
                    candidate: grant.exchange.candidate(for: grant.code),
                    resources: grant.code.resources,
                    tokens: grant.exchange.tokens(for: grant.code)
                )
            },
            at: time,
            in: database
        )
        for (grant, installation) in zip(grants, installations) { outcomes[grant.index]?.installation = installation }
        _ = try await appendEvents(
            zip(grants, installations).map { grant, installation in
                grant.exchange.event(for: grant.code, installation: installation)
            },
            in: database
        )
        return outcomes
    }

    /// Marks the codes with these digests used, compare-and-set: of concurrent transactions only
    /// one finds a code unused. Returns the codes it marked (`unused`) and those used before.
    private static func spendCodes(
        _ digests: [String],
        at time: Date,
        in database: any SQLDatabase
    ) async throws -> (unused: [String: AuthorizationCode], used: [String: AuthorizationCode]) {
        var unused: [String: AuthorizationCode] = [:]
        for row in try await database.raw(
            """
            UPDATE oauth_codes SET used_at = \(bind: time.epochMilliseconds)
            WHERE hash IN (\(binds: digests)) AND used_at IS NULL RETURNING *
            """
        ).all() {
            let code = try authorizationCode(row)
            unused[code.digest.hex] = code
        }
        var used: [String: AuthorizationCode] = [:]
        let missing = digests.filter { unused[$0] == nil }
        if !missing.isEmpty {
            for row in try await database.raw("SELECT * FROM oauth_codes WHERE hash IN (\(binds: missing))").all() {
                let code = try authorizationCode(row)
                used[code.digest.hex] = code
            }
        }
        return (unused, used)
    }

    public func install(
        _ candidate: Integration,
        resources: [SharedResource],
        tokens: [TokenRecord],
        at time: Date
    ) async throws -> Integration {
        try await transaction { database in
            try await self.install([(candidate, resources, tokens)], at: time, in: database)[0]
        }
    }

    /// One grant to install: the installation to create if there is none yet, what to share with
    /// it, and its tokens (their integration is filled in).
    private typealias InstallRequest = (candidate: Integration, resources: [SharedResource], tokens: [TokenRecord])

    /// The installation each request ends up with, in order. There is one installation per public
    /// integration, workspace and owner (per person for owner=user); re-authorizing replaces its
    /// shares and capabilities, so of several grants for one installation the last one's apply.
    private func install(
        _ requests: [InstallRequest],
        at time: Date,
        in database: any SQLDatabase
    ) async throws -> [Integration] {
        struct Key: Hashable, Comparable {
            var app, workspace, owner, user: String
            static func < (lhs: Key, rhs: Key) -> Bool {
                (lhs.app, lhs.workspace, lhs.owner, lhs.user) < (rhs.app, rhs.workspace, rhs.owner, rhs.user)
            }
        }
        func key(_ integration: Integration) throws -> Key {
            guard let origin = integration.installation else {
                throw StoreError(.notFound, "install needs an installation record")
            }
            return Key(
                app: origin.appID,
                workspace: integration.workspaceID,
                owner: origin.owner.rawValue,
                user: origin.owner == .user ? origin.ownerUserID : ""
            )
        }
        let keys = try requests.map { try key($0.candidate) }
        let lastRequest = Dictionary(keys.enumerated().map { ($1, $0) }) { _, later in later }
        // Sorted, so two writers that need the same locks take them in the same order.
        for key in Set(keys).sorted() {
            try await engine.lockForInstallation(
                "installation \(key.app) \(key.workspace) \(key.owner) \(key.user)",
                in: database
            )
        }
        var installations: [Key: Integration] = [:]
        let wanted = Set(keys).map { key -> SQLQueryString in
            let person: SQLQueryString =
                key.owner == BotOwnerKind.user.rawValue ? " AND owner_user_id = \(bind: key.user)" : ""
            return
                "(installed_from = \(bind: key.app) AND workspace_id = \(bind: key.workspace) AND owner_type = \(bind: key.owner)"
                + person + ")"
        }
        for row in try await database.raw("SELECT * FROM integrations WHERE " + wanted.joined(separator: " OR ")).all()
        {
            let existing = try Self.integration(row)
            let existingKey = try key(existing)
            if installations[existingKey] == nil { installations[existingKey] = existing }
        }
        var replaced: [String] = []
        var shares: [SQLQueryString] = []
        for (key, index) in lastRequest.sorted(by: { $0.key < $1.key }) {
            let latest = requests[index].candidate
            if var installation = installations[key] {
                installation.capabilities = latest.capabilities
                installation.scopes = latest.scopes
                installation.name = latest.name
                installation.installation?.ownerUserID = latest.installation?.ownerUserID ?? ""
                try await database.raw(
                    """
                    UPDATE integrations SET capabilities = \(bind: installation.capabilities.names(joinedBy: ",")),
                        scopes = \(bind: installation.scopes.spaceSeparated),
                        name = \(bind: installation.name), owner_user_id = \(bind: installation.installation?.ownerUserID)
                    WHERE id = \(bind: installation.id)
                    """
                ).run()
                replaced.append(installation.id)
                installations[key] = installation
            } else {
                let first = requests[keys.firstIndex(of: key) ?? index].candidate
                try await Self.insertIntegration(first, into: database)
                installations[key] = first
            }
            let installationID = installations[key]?.id ?? ""
            shares += Set(requests[index].resources).map { resource in
                "(\(bind: installationID), \(bind: resource.id), \(bind: resource.type), \(bind: time.epochMilliseconds))"
            }
        }
        if !replaced.isEmpty {
            try await database.raw("DELETE FROM shares WHERE integration_id IN (\(binds: replaced))").run()
        }
        if !shares.isEmpty {
            try await database.raw(
                "INSERT INTO shares (integration_id, resource_id, resource_type, created_at) VALUES "
                    + shares.joined(separator: ", ") + " ON CONFLICT DO NOTHING"
            ).run()
        }
        let resolved = keys.map { installations[$0]! }
        try await Self.insertTokens(
            zip(requests, resolved).flatMap { request, installation in
                request.tokens.map { token in
                    var token = token
                    token.integrationID = installation.id
                    return token
                }
            },
            into: database
        )
        for installation in lastRequest.keys.sorted().compactMap({ installations[$0] }) {
            try await self.recordChange(
                database,
                .integrationChanged,
                workspaceID: installation.workspaceID,
                integrationID: installation.id,
                at: time
            )
        }
        return resolved
    }

    public func rotateRefreshToken(
        id: String,
        successors: [TokenRecord],
        sealedSuccessor: String,
        usedFrom: String?,
        at time: Date
    ) async throws -> RefreshRotation {
        try await transaction { database in
            // Compare-and-set on used_at: of concurrent refreshes exactly one rotates; the others
            // (on PostgreSQL they wait for its commit) read the successor it sealed.
            let rotated = try await database.raw(
                """
                UPDATE tokens SET used_at = \(bind: time.epochMilliseconds), successor = \(bind: sealedSuccessor),
                    used_from = \(bind: usedFrom)
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
            scopes: try row.decode(column: "scopes", as: String?.self).map { try Scopes(parsing: $0) },
            createdAt: try date(row, "created_at"),
            expiresAt: try date(row, "expires_at"),
            usedAt: try optionalDate(row, "used_at")
        )
    }
}

import Foundation
import GatehouseCore
import Logging
import SQLKit

/// The one ``Store`` implementation, in SQL that SQLite and PostgreSQL both run.
///
/// Times are BIGINT epoch milliseconds made in Swift, ids TEXT, no SQL-side defaults; what differs
/// between engines lives in ``SQLEngine``.
public final class SQLStore: Store {
    let engine: any SQLEngine
    let logger: Logger
    /// Concurrent code redemptions, written together (see ``WriteBatcher``).
    let redemptions = WriteBatcher<CodeRedemptionRequest, CodeRedemption?>(maximumBatch: 64)
    /// The key the audit chain is made with (nil: the unkeyed SHA-256 chain of old).
    public let auditKey: AuditKey?
    /// Whether this is a view bound to one connection inside ``atomically(_:)``'s transaction,
    /// whose own transactions are savepoints.
    let nested: Bool

    init(engine: any SQLEngine, logger: Logger, auditKey: AuditKey?, nested: Bool = false) {
        self.engine = engine
        self.logger = logger
        self.auditKey = auditKey
        self.nested = nested
    }

    /// Opens the store at `url` and applies pending migrations.
    ///
    /// Throws ``StoreError/Code/unavailable`` with a one-line reason when it cannot be opened.
    public static func open(_ url: DatabaseURL, logger: Logger, auditKey: AuditKey? = nil) async throws -> SQLStore {
        let engine: any SQLEngine
        switch url {
        case .sqlite(let path):
            do {
                engine = try await SQLiteEngine(path: path, logger: logger)
            } catch {
                throw StoreError(.unavailable, "cannot open SQLite database at '\(path)': \(String(describing: error))")
            }
        case .postgres(let address):
            do {
                engine = try await PostgresEngine(url: address, logger: logger)
            } catch {
                throw StoreError(
                    .unavailable,
                    "cannot connect to PostgreSQL at \(url.redacted): \(String(reflecting: error).prefix(300))"
                )
            }
        }
        let store = SQLStore(engine: engine, logger: logger, auditKey: auditKey)
        do {
            try await store.migrate()
            try await store.markKeyedFromHereOn()
        } catch {
            await engine.shutdown()
            throw StoreError(
                .unavailable,
                "cannot migrate the store at \(url.redacted): \(String(reflecting: error).prefix(300))"
            )
        }
        return store
    }

    public func shutdown() async {
        await engine.shutdown()
    }

    // MARK: Transactions and migrations

    /// Runs `body` in a write transaction on one connection; rolls back if it throws.
    func transaction<Result: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        let begin = nested ? "SAVEPOINT gatehouse_nested" : engine.beginWriteTransaction
        let commit = nested ? "RELEASE SAVEPOINT gatehouse_nested" : "COMMIT"
        let rollback = nested ? "ROLLBACK TO SAVEPOINT gatehouse_nested" : "ROLLBACK"
        return try await engine.withWriteConnection { database in
            try await database.raw("\(unsafeRaw: begin)").run()
            do {
                let result = try await body(database)
                try await database.raw("\(unsafeRaw: commit)").run()
                return result
            } catch {
                try? await database.raw("\(unsafeRaw: rollback)").run()
                throw error
            }
        }
    }

    /// Runs `body`, a single writing statement, outside an explicit transaction.
    func write<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await engine.withWriteConnection(body)
    }

    /// Runs `body` on a connection outside any explicit transaction (for reads).
    func read<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await engine.withConnection(body)
    }

    /// The versions of the applied migrations.
    public func appliedMigrations() async throws -> [Int] {
        try await read { database in
            try await database.raw("SELECT version FROM gatehouse_migrations ORDER BY version").all()
                .map { try $0.decode(column: "version", as: Int.self) }
        }
    }

    private func migrate() async throws {
        try await engine.retryingMigration { try await applyPendingMigrations() }
    }

    /// One transaction, under the engine's migration lock: create the bookkeeping table if need be,
    /// then apply every migration not yet recorded, in order.
    private func applyPendingMigrations() async throws {
        let engine = self.engine
        let logger = self.logger
        try await transaction { database in
            try await engine.lockForMigration(database)
            try await database.raw(
                "CREATE TABLE IF NOT EXISTS gatehouse_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
            let applied = Set(
                try await database.raw("SELECT version FROM gatehouse_migrations").all()
                    .map { try $0.decode(column: "version", as: Int.self) }
            )
            for migration in Migrations.all where !applied.contains(migration.version) {
                for statement in migration.statements(engine.autoIncrementPrimaryKey) {
                    try await database.raw("\(unsafeRaw: statement)").run()
                }
                try await database.raw(
                    "INSERT INTO gatehouse_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Date().epochMilliseconds))"
                ).run()
                logger.info(
                    "applied migration",
                    metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]
                )
            }
        }
    }

    func mapUnique<Result>(_ what: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch  where engine.isUniqueViolation(error) {
            throw StoreError(.duplicate, "\(what) already exists")
        }
    }

    func recordChange(
        _ database: any SQLDatabase,
        _ kind: StoreChange.Kind,
        workspaceID: String?,
        integrationID: String?,
        tokenDigest: TokenDigest? = nil,
        at time: Date
    ) async throws {
        try await database.raw(
            """
            INSERT INTO changes (kind, workspace_id, integration_id, token_hash, created_at)
            VALUES (\(bind: kind.rawValue), \(bind: workspaceID), \(bind: integrationID), \(bind: tokenDigest?.hex), \(bind: time.epochMilliseconds))
            """
        ).run()
        if let notify = engine.changeNotificationStatement {
            try await database.raw("\(unsafeRaw: notify)").run()
        }
    }

    // MARK: Workspaces and people

    public func createWorkspace(_ workspace: Workspace) async throws {
        try await mapUnique("workspace \(workspace.id)") {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO workspaces (id, name, icon, plan, created_at)
                    VALUES (\(bind: workspace.id), \(bind: workspace.name), \(bind: workspace.icon), \(bind: workspace.plan.rawValue), \(bind: workspace.createdAt.epochMilliseconds))
                    """
                ).run()
            }
        }
    }

    public func workspace(id: String) async throws -> Workspace? {
        try await read { database in
            try await database.raw("SELECT * FROM workspaces WHERE id = \(bind: id)").first().map(Self.workspace)
        }
    }

    public func workspaces() async throws -> [Workspace] {
        try await read { database in
            try await database.raw("SELECT * FROM workspaces ORDER BY created_at, id").all().map(Self.workspace)
        }
    }

    public func setPlan(_ plan: Plan, workspaceID: String, at time: Date) async throws -> Bool {
        try await transaction { database in
            let updated = try await database.raw(
                "UPDATE workspaces SET plan = \(bind: plan.rawValue) WHERE id = \(bind: workspaceID) RETURNING id"
            ).first()
            guard updated != nil else { return false }
            try await self.recordChange(
                database,
                .workspaceChanged,
                workspaceID: workspaceID,
                integrationID: nil,
                at: time
            )
            return true
        }
    }

    public func createPerson(_ person: Person) async throws {
        try await mapUnique("a user with email \(person.email)") {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO users (id, workspace_id, name, email, role, password_hash, created_at)
                    VALUES (\(bind: person.id), \(bind: person.workspaceID), \(bind: person.name), \(bind: person.email), \(bind: person.role.rawValue), \(bind: person.passwordHash), \(bind: person.createdAt.epochMilliseconds))
                    """
                ).run()
            }
        }
    }

    public func person(id: String) async throws -> Person? {
        try await read { database in
            try await database.raw("SELECT * FROM users WHERE id = \(bind: id)").first().map(Self.person)
        }
    }

    public func person(email: String) async throws -> Person? {
        try await read { database in
            try await database.raw("SELECT * FROM users WHERE email = \(bind: email)").first().map(Self.person)
        }
    }

    public func people(workspaceID: String) async throws -> [Person] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM users WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            )
            .all().map(Self.person)
        }
    }

    // MARK: Integrations and tokens

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
                client_id, redirect_uris, expiring_tokens, confidential, installed_from, owner_user_id, owner_type, scopes, rate_limit)
            VALUES (\(bind: integration.id), \(bind: integration.workspaceID), \(bind: integration.name), \(bind: integration.kind.rawValue), \(bind: integration.capabilities.names(joinedBy: ",")), \(bind: integration.botID), \(bind: integration.createdAt.epochMilliseconds),
                \(bind: client?.clientID), \(bind: client?.redirectURIs.joined(separator: "\n")), \(bind: client?.expiringTokens == true ? 1 : 0), \(bind: client?.confidential == false ? 0 : 1),
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

    public func deleteIntegration(id: String) async throws -> Bool {
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
            for row in rows {
                let doomed = try row.decode(column: "id", as: String.self)
                try await database.raw("DELETE FROM shares WHERE integration_id = \(bind: doomed)").run()
                try await database.raw("DELETE FROM tokens WHERE integration_id = \(bind: doomed)").run()
                try await database.raw("DELETE FROM oauth_codes WHERE integration_id = \(bind: doomed)").run()
                try await database.raw("DELETE FROM integrations WHERE id = \(bind: doomed)").run()
                try await self.recordChange(
                    database,
                    .integrationChanged,
                    workspaceID: try row.decode(column: "workspace_id", as: String.self),
                    integrationID: doomed,
                    at: Date()
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

    private static func botOwner(_ row: any SQLRow) throws -> BotOwner {
        guard try row.decode(column: "owner_type", as: String?.self) == BotOwnerKind.user.rawValue,
            let id = try row.decode(column: "owner_id", as: String?.self)
        else { return .workspace }
        return .user(
            id: id,
            name: try row.decode(column: "owner_name", as: String.self),
            email: try row.decode(column: "owner_email", as: String.self)
        )
    }

    // MARK: Content and sharing

    public func createDatabase(_ record: DatabaseRecord) async throws {
        try await mapUnique("database \(record.id)") {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO databases (id, workspace_id, title, parent_page_id, created_at, last_edited_at)
                    VALUES (\(bind: record.id), \(bind: record.workspaceID), \(bind: record.title), \(bind: record.parentPageID), \(bind: record.createdAt.epochMilliseconds), \(bind: record.lastEditedAt.epochMilliseconds))
                    """
                ).run()
            }
        }
    }

    public func database(id: String) async throws -> DatabaseRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM databases WHERE id = \(bind: id)").first().map(Self.databaseRecord)
        }
    }

    public func databases(workspaceID: String) async throws -> [DatabaseRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM databases WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            ).all().map(Self.databaseRecord)
        }
    }

    public func createPage(_ page: PageRecord) async throws {
        let (parentType, parentID) = Self.columns(of: page.parent)
        try await mapUnique("page \(page.id)") {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO pages (id, workspace_id, title, parent_type, parent_id, archived_at, created_by, last_edited_by, created_at, last_edited_at)
                    VALUES (\(bind: page.id), \(bind: page.workspaceID), \(bind: page.title), \(bind: parentType), \(bind: parentID), \(bind: page.archived ? page.lastEditedAt.epochMilliseconds : nil), \(bind: page.createdBy), \(bind: page.lastEditedBy), \(bind: page.createdAt.epochMilliseconds), \(bind: page.lastEditedAt.epochMilliseconds))
                    """
                ).run()
            }
        }
    }

    public func page(id: String) async throws -> PageRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM pages WHERE id = \(bind: id)").first().map(Self.page)
        }
    }

    public func updatePage(_ page: PageRecord) async throws {
        try await write { database in
            try await database.raw(
                """
                UPDATE pages SET title = \(bind: page.title), archived_at = \(bind: page.archived ? page.lastEditedAt.epochMilliseconds : nil),
                    last_edited_by = \(bind: page.lastEditedBy), last_edited_at = \(bind: page.lastEditedAt.epochMilliseconds)
                WHERE id = \(bind: page.id)
                """
            ).run()
        }
    }

    public func pages(workspaceID: String) async throws -> [PageRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM pages WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            )
            .all().map(Self.page)
        }
    }

    public func pages(databaseID: String) async throws -> [PageRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM pages WHERE parent_type = 'database' AND parent_id = \(bind: databaseID) ORDER BY created_at, id"
            ).all().map(Self.page)
        }
    }

    public func setShare(
        integrationID: String,
        resourceID: String,
        resourceType: String,
        remove: Bool,
        at time: Date
    ) async throws {
        try await transaction { database in
            // Locking the integration's row first orders this after a concurrent delete of the
            // integration (then it is not found) instead of failing on its foreign key.
            guard
                let row = try await database.raw(
                    "UPDATE integrations SET name = name WHERE id = \(bind: integrationID) RETURNING workspace_id"
                ).first()
            else { throw StoreError(.notFound, "no integration with id \(integrationID)") }
            let workspaceID = try row.decode(column: "workspace_id", as: String.self)
            if remove {
                try await database.raw(
                    "DELETE FROM shares WHERE integration_id = \(bind: integrationID) AND resource_id = \(bind: resourceID)"
                ).run()
            } else {
                try await database.raw(
                    """
                    INSERT INTO shares (integration_id, resource_id, resource_type, created_at)
                    VALUES (\(bind: integrationID), \(bind: resourceID), \(bind: resourceType), \(bind: time.epochMilliseconds))
                    ON CONFLICT DO NOTHING
                    """
                ).run()
            }
            try await self.recordChange(
                database,
                .integrationChanged,
                workspaceID: workspaceID,
                integrationID: integrationID,
                at: time
            )
        }
    }

    public func shares(integrationIDs: [String]) async throws -> [String: Set<String>] {
        guard !integrationIDs.isEmpty else { return [:] }
        return try await read { database in
            var shares: [String: Set<String>] = [:]
            for row in try await database.raw(
                "SELECT integration_id, resource_id FROM shares WHERE integration_id IN (\(binds: integrationIDs))"
            ).all() {
                shares[try row.decode(column: "integration_id", as: String.self), default: []].insert(
                    try row.decode(column: "resource_id", as: String.self)
                )
            }
            return shares
        }
    }

    public func shares(integrationID: String) async throws -> Set<String> {
        try await read { database in
            Set(
                try await database.raw("SELECT resource_id FROM shares WHERE integration_id = \(bind: integrationID)")
                    .all().map { try $0.decode(column: "resource_id", as: String.self) }
            )
        }
    }

    // MARK: Rate limits

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

    private static func rateLimitState(_ row: any SQLRow) throws -> RateLimitState {
        RateLimitState(
            tat: try row.decode(column: "tat", as: Int64.self),
            day: try row.decode(column: "day", as: Int64.self),
            usedToday: Int(try row.decode(column: "used", as: Int64.self))
        )
    }

    // MARK: Usage

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

    // MARK: Janitor

    @discardableResult
    public func purge(
        credentialsBefore: Date,
        rateLimitsBefore: Date,
        changesBefore: Date,
        successorsBefore: Date
    ) async throws -> Int {
        let credentials = credentialsBefore.epochMilliseconds
        // The TAT of a row untouched for a while lies in the past: compare it, in nanoseconds.
        let rateLimits = rateLimitsBefore.epochMilliseconds * 1_000_000
        let changes = changesBefore.epochMilliseconds
        return try await transaction { database in
            let purged = try await database.raw(
                "DELETE FROM tokens WHERE revoked_at < \(bind: credentials) OR expires_at < \(bind: credentials) RETURNING id"
            ).all().count
            try await database.raw("DELETE FROM oauth_codes WHERE expires_at < \(bind: credentials)").run()
            try await database.raw("DELETE FROM sessions WHERE expires_at < \(bind: credentials)").run()
            try await database.raw(
                "UPDATE tokens SET successor = NULL WHERE successor IS NOT NULL AND used_at < \(bind: successorsBefore.epochMilliseconds)"
            ).run()
            try await database.raw("DELETE FROM rate_limits WHERE tat < \(bind: rateLimits)").run()
            // Usage older than 90 days is not shown anywhere.
            try await database.raw(
                "DELETE FROM usage_daily WHERE day < \(bind: DailyUsage.day(of: credentialsBefore) - 83)"
            ).run()
            try await database.raw("DELETE FROM changes WHERE created_at < \(bind: changes)").run()
            return purged
        }
    }

    // MARK: Change feed

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

    // MARK: Row decoding

    static func date(_ row: any SQLRow, _ column: String) throws -> Date {
        Date(epochMilliseconds: try row.decode(column: column, as: Int64.self))
    }

    static func optionalDate(_ row: any SQLRow, _ column: String) throws -> Date? {
        try row.decode(column: column, as: Int64?.self).map(Date.init(epochMilliseconds:))
    }

    static func enumValue<Value: RawRepresentable>(_ row: any SQLRow, _ column: String) throws -> Value
    where Value.RawValue == String {
        let raw = try row.decode(column: column, as: String.self)
        guard let value = Value(rawValue: raw) else {
            throw StoreError(.notFound, "unexpected value '\(raw)' in column \(column)")
        }
        return value
    }

    private static func capabilities(_ row: any SQLRow) throws -> Capabilities {
        let names = try row.decode(column: "capabilities", as: String.self).split(separator: ",").map(String.init)
        return try Capabilities(names: names)
    }

    private static func columns(of parent: PageParent) -> (String, String?) {
        switch parent {
        case .workspace: ("workspace", nil)
        case .database(let id): ("database", id)
        case .page(let id): ("page", id)
        }
    }

    private static func workspace(_ row: any SQLRow) throws -> Workspace {
        Workspace(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            icon: try row.decode(column: "icon", as: String?.self),
            plan: try enumValue(row, "plan"),
            createdAt: try date(row, "created_at")
        )
    }

    private static func person(_ row: any SQLRow) throws -> Person {
        Person(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            role: try enumValue(row, "role"),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            createdAt: try date(row, "created_at")
        )
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
                    confidential: try row.decode(column: "confidential", as: Int64.self) != 0
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

    private static func databaseRecord(_ row: any SQLRow) throws -> DatabaseRecord {
        DatabaseRecord(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            parentPageID: try row.decode(column: "parent_page_id", as: String?.self),
            createdAt: try date(row, "created_at"),
            lastEditedAt: try date(row, "last_edited_at")
        )
    }

    private static func page(_ row: any SQLRow) throws -> PageRecord {
        let parentID = try row.decode(column: "parent_id", as: String?.self)
        let parent: PageParent
        switch (try row.decode(column: "parent_type", as: String.self), parentID) {
        case ("database", .some(let id)): parent = .database(id)
        case ("page", .some(let id)): parent = .page(id)
        default: parent = .workspace
        }
        return PageRecord(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            parent: parent,
            archived: try row.decode(column: "archived_at", as: Int64?.self) != nil,
            createdBy: try row.decode(column: "created_by", as: String.self),
            lastEditedBy: try row.decode(column: "last_edited_by", as: String.self),
            createdAt: try date(row, "created_at"),
            lastEditedAt: try date(row, "last_edited_at")
        )
    }
}

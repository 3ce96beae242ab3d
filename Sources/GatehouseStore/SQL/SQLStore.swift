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
    /// The time the store stamps on what it records by itself (migrations, the keyed-chain mark).
    let clock: any WallClock
    /// Whether this is a view bound to one connection inside ``atomically(_:)``'s transaction,
    /// whose own transactions are savepoints.
    let nested: Bool

    init(engine: any SQLEngine, logger: Logger, auditKey: AuditKey?, clock: any WallClock, nested: Bool = false) {
        self.engine = engine
        self.clock = clock
        self.logger = logger
        self.auditKey = auditKey
        self.nested = nested
    }

    /// Opens the store at `url` and applies pending migrations.
    ///
    /// Throws ``StoreError/Code/unavailable`` with a one-line reason when it cannot be opened.
    public static func open(
        _ url: DatabaseURL,
        logger: Logger,
        auditKey: AuditKey? = nil,
        clock: any WallClock = SystemClock()
    ) async throws -> SQLStore {
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
        let store = SQLStore(engine: engine, logger: logger, auditKey: auditKey, clock: clock)
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
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
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
                if !self.engine.isConnectionLost(error) {
                    try? await database.raw("\(unsafeRaw: rollback)").run()
                }
                throw error
            }
        }
    }

    /// Runs `body`, a single writing statement, outside an explicit transaction.
    func write<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await engine.withWriteConnection(body)
    }

    /// Runs `body` on a connection outside any explicit transaction (for reads).
    func read<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
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
                for statement in migration.statements(engine) {
                    try await database.raw("\(unsafeRaw: statement)").run()
                }
                try await database.raw(
                    "INSERT INTO gatehouse_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: self.clock.now().epochMilliseconds))"
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
}

import Logging
import SQLKit

/// What differs between SQLite and PostgreSQL, and nothing else: connections, the statement that
/// opens a write transaction, the migration lock, the auto-increment column and error mapping.
protocol SQLEngine: Sendable {
    /// SQL for an auto-incrementing 64-bit primary key column type.
    var autoIncrementPrimaryKey: String { get }
    /// The `COLLATE` clause that makes text compare byte by byte (SQLite's default; PostgreSQL's
    /// `"C"`), with its leading space: empty on SQLite.
    var byteOrderCollation: String { get }
    /// The column type of binary data (`BLOB` on SQLite, `BYTEA` on PostgreSQL).
    var binaryType: String { get }
    /// The statement that opens a write transaction (`BEGIN IMMEDIATE` on SQLite).
    var beginWriteTransaction: String { get }

    /// Runs `body` on one connection taken from the pool.
    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result

    /// Runs `body`, which writes, on one connection taken from the pool (on SQLite, after the
    /// writers of this process before it).
    func withWriteConnection<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result

    /// Takes the cluster-wide migration lock inside the current transaction (a no-op on SQLite,
    /// whose `BEGIN IMMEDIATE` already excludes other writers).
    func lockForMigration(_ database: any SQLDatabase) async throws

    /// Serializes audit-log appends inside the current transaction, so each links to the last
    /// (a no-op on SQLite, whose `BEGIN IMMEDIATE` already excludes other writers).
    func lockForAuditAppend(_ database: any SQLDatabase) async throws

    /// Serializes, inside the current transaction, the writers that look up and then create or
    /// replace the row named by `key` (an OAuth installation), so two concurrent grants find one
    /// installation instead of making two (a no-op on SQLite, whose writers are serialized).
    func lockForInstallation(_ key: String, in database: any SQLDatabase) async throws

    /// Runs the migration step `body`, retrying where the engine can fail transiently at first open.
    func retryingMigration<Result>(_ body: () async throws -> Result) async throws -> Result

    /// A statement that, run inside a transaction, wakes every listener at commit (PostgreSQL's
    /// `NOTIFY`); `nil` where there is none and the feed is polled.
    var changeNotificationStatement: String? { get }

    /// Calls `onNotification` whenever another connection commits a change, until cancelled,
    /// reconnecting after failures; returns at once on engines without notifications.
    func listenForChanges(_ onNotification: @escaping @Sendable () -> Void) async

    /// Whether `error` is a unique-constraint violation.
    func isUniqueViolation(_ error: any Error) -> Bool

    /// Whether `error` means the connection itself is gone: nothing more may be sent on it (the
    /// server has already ended its transaction; PostgresNIO never answers a query sent on a
    /// closed connection, so a `ROLLBACK` there would wait forever).
    func isConnectionLost(_ error: any Error) -> Bool

    /// Closes every connection.
    func shutdown() async
}

import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite: a small pool of connections to one file, in WAL mode with foreign keys on.
final class SQLiteEngine: SQLEngine {
    let autoIncrementPrimaryKey = "INTEGER PRIMARY KEY AUTOINCREMENT"
    let byteOrderCollation = ""
    let binaryType = "BLOB"
    let beginWriteTransaction = "BEGIN IMMEDIATE"
    private let pool: SQLiteConnectionPool
    /// One thread per connection: a connection waiting on SQLite's busy timeout blocks its thread,
    /// and with a shared pool it could block the very transaction it waits for.
    private let threads: NIOThreadPool
    private let writers = WriterQueue()

    /// Opens `path`, failing with a clear message if the file cannot be created or opened.
    init(path: String, connections: Int = 4, logger: Logger) async throws {
        try Self.restrictAccess(toFileAt: path)
        let threads = NIOThreadPool(numberOfThreads: connections)
        threads.start()
        do {
            self.pool = try await SQLiteConnectionPool.open(
                path: path,
                size: connections,
                threads: threads,
                logger: logger
            )
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
        self.threads = threads
    }

    /// Creates the store file readable and writable by its owner only (0600) before SQLite opens
    /// it, and takes group and other access away from an existing one and its `-wal`, `-shm` and
    /// `-journal` files: the store holds password hashes, e-mails, addresses and the audit log.
    /// SQLite creates the `-wal` and `-shm` files with the database file's mode.
    static func restrictAccess(toFileAt path: String) throws {
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(
                .unavailable,
                "cannot open or create the SQLite file '\(path)': \(String(cString: strerror(errno)))"
            )
        }
        close(descriptor)
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
            var status = stat()
            guard stat(file, &status) == 0, status.st_mode & 0o077 != 0 else { continue }
            guard chmod(file, status.st_mode & 0o700) == 0 else {
                throw StoreError(
                    .unavailable,
                    "cannot make '\(file)' private (chmod 600): \(String(cString: strerror(errno)))"
                )
            }
        }
    }

    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        let connection = try await pool.acquire()
        do {
            let result = try await body(connection.sql(queryLogLevel: nil))
            await pool.release(connection)
            return result
        } catch {
            await pool.release(connection)
            throw error
        }
    }

    /// SQLite has one writer at a time. Writers of this process wait for each other here, in
    /// order, rather than in SQLite's busy handler, which sleeps in steps of milliseconds (it
    /// remains the arbiter between processes, such as the CLI and a server).
    func withWriteConnection<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        await writers.acquire()
        defer { writers.release() }
        return try await withConnection(body)
    }

    func lockForMigration(_ database: any SQLDatabase) async throws {}

    func lockForAuditAppend(_ database: any SQLDatabase) async throws {}

    func lockForInstallation(_ key: String, in database: any SQLDatabase) async throws {}

    let changeNotificationStatement: String? = nil

    /// SQLite has no cross-process notifications: the change feed is polled.
    func listenForChanges(_ onNotification: @escaping @Sendable () -> Void) async {}

    func retryingMigration<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await retryingWhileBusy(body)
    }

    /// An embedded database has no connection to lose.
    func isConnectionLost(_ error: any Error) -> Bool { false }

    func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        return error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed
    }

    func shutdown() async {
        await pool.closeAll()
        try? await threads.shutdownGracefully()
    }
}

/// Runs `body` again (up to 50 times, 20 ms apart) while SQLite answers that the file is busy.
func retryingWhileBusy<Result>(_ body: () async throws -> Result) async throws -> Result {
    var attempt = 0
    while true {
        do {
            return try await body()
        } catch let error as SQLiteError where attempt < 50 && isBusy(error) {
            attempt += 1
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

private func isBusy(_ error: SQLiteError) -> Bool {
    switch error.reason {
    case .busy, .locked, .busyTimeout, .busyInSnapshot, .busyInRecovery: true
    default: false
    }
}

/// A fixed set of SQLite connections handed out one caller at a time.
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection]
    private var all: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var closed = false

    private init(connections: [SQLiteConnection]) {
        self.idle = connections
        self.all = connections
    }

    static func open(
        path: String,
        size: Int,
        threads: NIOThreadPool,
        logger: Logger
    ) async throws -> SQLiteConnectionPool {
        var connections: [SQLiteConnection] = []
        do {
            for index in 0..<max(1, size) {
                let connection = try await SQLiteConnection.open(
                    storage: .file(path: path),
                    threadPool: threads,
                    logger: logger,
                    on: MultiThreadedEventLoopGroup.singleton.any()
                )
                connections.append(connection)
                let sql = connection.sql(queryLogLevel: nil)
                // busy_timeout replaces SQLiteNIO's spinning busy handler with one that sleeps.
                try await sql.raw("PRAGMA busy_timeout = 10000").run()
                if index == 0 {
                    // Switching a new file to WAL can fail with SQLITE_BUSY at once (without the
                    // busy handler) while another process does the same: retry briefly.
                    try await retryingWhileBusy { try await sql.raw("PRAGMA journal_mode = WAL").run() }
                }
                try await sql.raw("PRAGMA foreign_keys = ON").run()
                try await sql.raw("PRAGMA synchronous = NORMAL").run()
                // Reads map the file rather than copy each page in with a system call: a query
                // of a large data source touches thousands of pages. Up to 1 GiB of address space,
                // shared by the connections through the kernel's page cache.
                try await sql.raw("PRAGMA mmap_size = 1073741824").run()
            }
        } catch {
            for connection in connections { try? await connection.close() }
            throw error
        }
        return SQLiteConnectionPool(connections: connections)
    }

    func acquire() async throws -> SQLiteConnection {
        guard !closed else { throw StoreError(.unavailable, "the SQLite store is closed") }
        if let connection = idle.popLast() { return connection }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    func release(_ connection: SQLiteConnection) {
        if closed { return }
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }

    /// Closes every connection; later calls do nothing.
    func closeAll() async {
        closed = true
        for waiter in waiters { waiter.resume(throwing: StoreError(.unavailable, "the SQLite store is closed")) }
        waiters = []
        let connections = all
        all = []
        idle = []
        for connection in connections {
            try? await connection.close()
        }
    }
}

/// An asynchronous lock with a first-come, first-served queue: one holder at a time, the others
/// suspended (not blocking a thread) until their turn.
final class WriterQueue: Sendable {
    private struct State {
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state in
                if state.held {
                    state.waiting.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the lock to the next in line, or frees it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.held = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}

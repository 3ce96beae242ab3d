import Foundation
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

/// PostgresNIO can leave a query unanswered for ever when its connection closes under it. A
/// caller of the store never waits with it: it leaves when its task is cancelled (a service
/// shutting down), and the store's shutdown does not wait for the connection that query holds.
@Suite(.timeLimit(.minutes(1))) struct UnansweredQueryTests {
    /// The engines whose operations run apart from their caller (PostgreSQL's pool).
    static var pooled: [StoreEngine] { StoreEngine.available.filter { $0 == .postgres } }

    @Test(arguments: Self.pooled)
    func aCancelledCallerLeavesAnOperationThatNeverAnswers(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let caller = Task {
            try await store.read { _ in
                // Stands for a query PostgresNIO never answers: ignores cancellation, never returns.
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
                return 0
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        caller.cancel()
        let result = await caller.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(ContinuousClock.now - started < .seconds(2))
        let closing = ContinuousClock.now
        await store.shutdown()
        #expect(ContinuousClock.now - closing < .seconds(10))
    }
    /// A connection that closes under an operation (its server process ended) answers the caller
    /// 503 at once, not at the operation's limit a minute later.
    @Test(arguments: Self.pooled)
    func aConnectionClosedUnderAnOperationAnswersItsCaller(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let backend = AsyncStream<Int>.makeStream()
        let caller = Task {
            try await store.read { database in
                let pid = try await database.raw("SELECT pg_backend_pid() AS pid").first()?
                    .decode(column: "pid", as: Int.self)
                backend.continuation.yield(pid ?? 0)
                // Stands for a query PostgresNIO never answers once its connection is gone.
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
                return 0
            }
        }
        var pids = backend.stream.makeAsyncIterator()
        let pid = try #require(await pids.next())
        let started = ContinuousClock.now
        try await store.read { database in
            try await database.raw("SELECT pg_terminate_backend(CAST(\(bind: pid) AS INTEGER))").run()
        }
        let result = await caller.result
        #expect(throws: StoreError.self) { try result.get() }
        #expect(ContinuousClock.now - started < .seconds(5))
        await store.shutdown()
    }
}

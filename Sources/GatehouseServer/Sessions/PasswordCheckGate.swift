import Foundation
import Synchronization

/// Bounds the bcrypt work sign-in can queue up. The checks themselves run on NIO's blocking
/// thread pool (one thread per core, so at most that many run at once); this gate refuses a check
/// outright once `limit` are running or waiting, so a burst of guesses cannot build an unbounded
/// queue that delays everyone's sign-in.
final class PasswordCheckGate: Sendable {
    let limit: Int
    private let pending = Mutex(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` unless `limit` checks are already pending; `nil` when refused.
    func run<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value? {
        let admitted = pending.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else { return nil }
        defer { pending.withLock { $0 -= 1 } }
        return try await body()
    }
}

import Synchronization

/// Group commit: requests of one kind that arrive while a batch is being written wait, then go
/// together in the next batch — one transaction, set-based statements — instead of each taking
/// the store's writer for a transaction of its own.
///
/// Under no concurrency a batch holds one request and nothing waits; under load the batch grows
/// with the queue (up to `maximumBatch`), so the cost per request falls as the load rises.
final class WriteBatcher<Request: Sendable, Outcome: Sendable>: Sendable {
    private typealias Waiter = CheckedContinuation<Outcome, any Error>

    private struct State {
        var pending: [(Request, Waiter)] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let maximumBatch: Int

    init(maximumBatch: Int) {
        self.maximumBatch = maximumBatch
    }

    /// Queues `request` for the next batch and waits for its outcome. `write` writes one batch and
    /// returns one outcome per request, in order (every caller passes the same function).
    func submit(
        _ request: Request,
        write: @escaping @Sendable ([Request]) async -> [Result<Outcome, any Error>]
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let startsDraining = state.withLock { state in
                state.pending.append((request, waiter))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startsDraining { Task { await self.drain(write) } }
        }
    }

    private func drain(_ write: @Sendable ([Request]) async -> [Result<Outcome, any Error>]) async {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.pending.prefix(maximumBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let outcomes = await write(batch.map(\.0))
            for ((_, waiter), outcome) in zip(batch, outcomes) { waiter.resume(with: outcome) }
        }
    }
}

import Foundation
import GatehouseCore
import Logging
import Synchronization

/// Reads the change feed and hands new entries to a callback: how a process learns of
/// revocations made by another process (the CLI, another node) on the same store.
///
/// On PostgreSQL a LISTEN connection wakes the reader as soon as a change commits; the timer
/// (`interval`) remains as the safety net for a lost notification or a dropped listener, and is
/// the only trigger on SQLite.
///
/// Entries are read again a little behind the newest position seen, because on PostgreSQL a
/// sequence value can commit after a larger one; entries already applied are skipped. If the feed
/// cannot be read for longer than `gapTolerance` (a read that fails, or one that hangs), `onStale`
/// tells the caller at once that what it caches may have been revoked meanwhile — it should stop
/// trusting its cache (fail closed) — and `onGap`, at the first read that succeeds again, that it
/// may drop what it caches and trust the feed again.
public struct ChangeFeedFollower: Sendable {
    public let store: any Store
    public let interval: Duration
    public let gapTolerance: Duration
    public let logger: Logger
    /// The wall clock old entries are pruned by.
    public let clock: any WallClock

    public init(
        store: any Store,
        interval: Duration = .milliseconds(50),
        gapTolerance: Duration = .seconds(2),
        logger: Logger,
        clock: any WallClock = SystemClock()
    ) {
        self.clock = clock
        self.store = store
        self.interval = interval
        self.gapTolerance = gapTolerance
        self.logger = logger
    }

    /// Follows the feed from `start` until the task is cancelled.
    public func run(
        from start: Int64,
        onChanges: @Sendable ([StoreChange]) -> Void,
        onStale: @escaping @Sendable () -> Void = {},
        onGap: @Sendable () -> Void
    ) async {
        let lookBehind: Int64 = 64
        var newest = start
        var applied = Set<Int64>()
        var lastPrune = ContinuousClock.now
        let health = FeedHealth()
        let wake = WakeSignal()
        let store = self.store
        let listener = Task { await store.listenForChanges { wake.signal() } }
        defer { listener.cancel() }
        // Watches the age of the last successful read apart from the reader, which may hang in a
        // store call for far longer than the tolerance (a pool retrying an unreachable server).
        let (interval, tolerance, logger) = (self.interval, gapTolerance, self.logger)
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if health.sinceLastSuccess > tolerance, health.markStale() {
                    logger.warning("change feed unreadable; refusing cached credentials until it can be read")
                    onStale()
                }
            }
        }
        defer { watchdog.cancel() }
        while !Task.isCancelled {
            do {
                let changes = try await store.changes(after: max(0, newest - lookBehind), limit: 1000)
                let gap = health.sinceLastSuccess > gapTolerance
                health.recordSuccess()
                if health.clearStale() || gap {
                    logger.warning("change feed readable again; dropping cached credentials")
                    onGap()
                }
                let fresh = changes.filter { $0.sequence > start && !applied.contains($0.sequence) }
                if !fresh.isEmpty {
                    onChanges(fresh)
                    for change in fresh { applied.insert(change.sequence) }
                    newest = max(newest, fresh.map(\.sequence).max()!)
                    applied = applied.filter { $0 > newest - lookBehind }
                }
                if ContinuousClock.now - lastPrune > .seconds(600) {
                    lastPrune = .now
                    try await store.pruneChanges(before: clock.now().addingTimeInterval(-3600))
                }
            } catch {
                logger.warning("cannot read the change feed", metadata: ["error": "\(error)"])
            }
            await wake.wait(upTo: interval)
        }
    }
}

/// When the feed was last read, and whether the watchdog declared it stale; shared by the
/// reader and the watchdog.
final class FeedHealth: Sendable {
    private let start = ContinuousClock.now
    private let lastSuccessNanoseconds = Atomic<Int64>(0)
    private let stale = Atomic<Bool>(false)

    var sinceLastSuccess: Duration {
        let last = Duration.nanoseconds(lastSuccessNanoseconds.load(ordering: .acquiring))
        return (ContinuousClock.now - start) - last
    }

    func recordSuccess() {
        let elapsed = (ContinuousClock.now - start).components
        let nanoseconds = elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
        lastSuccessNanoseconds.store(nanoseconds, ordering: .releasing)
    }

    /// Declares the feed stale; `true` if it was not already.
    func markStale() -> Bool { !stale.exchange(true, ordering: .acquiringAndReleasing) }

    /// Clears the stale mark; `true` if it was set.
    func clearStale() -> Bool { stale.exchange(false, ordering: .acquiringAndReleasing) }
}

/// A one-slot wake-up: `signal()` ends the current or next `wait`, which otherwise times out.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the first signal (or at once if one is pending), or after `duration`.
    func wait(upTo duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.nextSignal() }
            await group.next()
            group.cancelAll()
            self.cancelWaiter()
        }
    }

    private func nextSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            cancelWaiter()
        }
    }

    private func cancelWaiter() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}

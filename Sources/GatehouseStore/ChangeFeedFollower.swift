import Foundation
import Logging

/// Reads the change feed on a timer and hands new entries to a callback: how a process learns of
/// revocations made by another process (the CLI, another node) on the same store.
///
/// Entries are read again a little behind the newest position seen, because on PostgreSQL a
/// sequence value can commit after a larger one; entries already applied are skipped. If the feed
/// cannot be read for longer than `gapTolerance`, `onGap` tells the caller to drop all it caches.
public struct ChangeFeedFollower: Sendable {
    public let store: any Store
    public let interval: Duration
    public let gapTolerance: Duration
    public let logger: Logger

    public init(
        store: any Store,
        interval: Duration = .milliseconds(100),
        gapTolerance: Duration = .seconds(2),
        logger: Logger
    ) {
        self.store = store
        self.interval = interval
        self.gapTolerance = gapTolerance
        self.logger = logger
    }

    /// Follows the feed from `start` until the task is cancelled.
    public func run(
        from start: Int64,
        onChanges: @Sendable ([StoreChange]) -> Void,
        onGap: @Sendable () -> Void
    ) async {
        let lookBehind: Int64 = 64
        var newest = start
        var applied = Set<Int64>()
        var lastSuccess = ContinuousClock.now
        var lastPrune = ContinuousClock.now
        while !Task.isCancelled {
            do {
                let changes = try await store.changes(after: max(0, newest - lookBehind), limit: 1000)
                if ContinuousClock.now - lastSuccess > gapTolerance {
                    logger.warning("change feed was unreadable for a while; dropping cached credentials")
                    onGap()
                }
                lastSuccess = .now
                let fresh = changes.filter { $0.sequence > start && !applied.contains($0.sequence) }
                if !fresh.isEmpty {
                    onChanges(fresh)
                    for change in fresh { applied.insert(change.sequence) }
                    newest = max(newest, fresh.map(\.sequence).max()!)
                    applied = applied.filter { $0 > newest - lookBehind }
                }
                if ContinuousClock.now - lastPrune > .seconds(600) {
                    lastPrune = .now
                    try await store.pruneChanges(before: Date().addingTimeInterval(-3600))
                }
            } catch {
                logger.warning("cannot read the change feed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}

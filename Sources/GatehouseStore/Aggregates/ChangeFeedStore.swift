import Foundation
import GatehouseCore

/// The change feed: what every node must learn at once (revocations, deletions, changed
/// permissions), in order, with a notification where the engine has one.
public protocol ChangeFeedStore: Sendable {
    /// Calls `onNotification` whenever a change is committed elsewhere (PostgreSQL LISTEN/NOTIFY),
    /// until cancelled; returns at once where the feed can only be polled (SQLite).
    func listenForChanges(_ onNotification: @escaping @Sendable () -> Void) async
    /// Entries after `sequence`, oldest first, at most `limit`.
    func changes(after sequence: Int64, limit: Int) async throws -> [StoreChange]
    /// The newest feed position (0 when empty).
    func latestChangeSequence() async throws -> Int64
    /// Deletes feed entries older than `time`.
    func pruneChanges(before time: Date) async throws
}

import Foundation
import GatehouseCore

/// The audit log: a keyed hash chain, appended to in order, read newest first per workspace,
/// checkpointed and purged past its retention.
public protocol AuditStore: Sendable {
    /// Appends `event` to the audit log, linking it to the last event (sequence, previous hash
    /// and hash are filled in); appends are serialized across processes and nodes.
    @discardableResult
    func appendEvent(_ event: AuditEvent) async throws -> AuditEvent
    /// Events at or after `since` (all when `nil`), oldest first, at most `limit`.
    func events(since: Date?, limit: Int) async throws -> [AuditEvent]
    /// One page of a workspace's events (or every event when the query names none), newest
    /// first, filtered and paged in SQL; says whether older events match too.
    func events(_ query: AuditQuery) async throws -> AuditWindow
    /// How many events belong to, or concern, the workspace.
    func eventCount(workspaceID: String) async throws -> Int
    /// Events after `sequence`, oldest first, at most `limit` (for incremental verification).
    func events(afterSequence sequence: Int64, limit: Int) async throws -> [AuditEvent]
    /// Appends a failed-authentication event at most once per (action, address, `period`): the
    /// first failure in a period is appended, later ones only count in `audit_failures`. Returns
    /// the failures counted so far in this period, this one included.
    @discardableResult
    func appendFailure(_ event: AuditEvent, period: Duration) async throws -> Int
    /// The checkpoint called `name` (`verified`: how far the chain is known intact; `retention`:
    /// the first event kept after a purge and the hash it links to), if any.
    func auditCheckpoint(_ name: String) async throws -> AuditCheckpoint?
    /// Stores a checkpoint (its MAC is made with the store's audit key, if it has one).
    func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws
    /// The store's audit key (nil when the chain is unkeyed).
    var auditKey: AuditKey? { get }
    /// Deletes events (and failure counters) older than `time`, always keeping the newest event,
    /// and re-anchors the chain at the first event kept; returns how many were deleted.
    @discardableResult
    func purgeEvents(before time: Date) async throws -> Int
}

/// What the console asks of the audit log: one workspace's events, filtered, newest first.
public struct AuditQuery: Sendable {
    /// The workspace whose events (own or related) are wanted; every event when nil.
    public var workspaceID: String?
    /// Only events naming this integration (as target or `integration_id` detail).
    public var integrationID: String?
    /// Only actions starting with this.
    public var actionPrefix: String?
    public var outcome: String?
    public var since: Date?
    /// Only events older than this sequence (the cursor of the page before).
    public var before: Int64?
    public var limit: Int

    public init(
        workspaceID: String?,
        integrationID: String? = nil,
        actionPrefix: String? = nil,
        outcome: String? = nil,
        since: Date? = nil,
        before: Int64? = nil,
        limit: Int
    ) {
        self.workspaceID = workspaceID
        self.integrationID = integrationID
        self.actionPrefix = actionPrefix
        self.outcome = outcome
        self.since = since
        self.before = before
        self.limit = limit
    }
}

/// A page of events, newest first, and the cursor of the next (older) page when there is one.
public struct AuditWindow: Sendable {
    public var events: [AuditEvent]
    /// Pass as ``AuditQuery/before`` to read the older events; nil when there are none.
    public var olderCursor: Int64?

    public init(events: [AuditEvent], olderCursor: Int64?) {
        self.events = events
        self.olderCursor = olderCursor
    }
}

/// A position in the audit chain, remembered so that checks need not start from the beginning.
public struct AuditCheckpoint: Sendable, Equatable {
    public var name: String
    public var sequence: Int64
    public var hash: String
    /// Events covered (for `verified`), or 0.
    public var events: Int64
    /// HMAC over the fields under the audit key; nil when unkeyed.
    public var mac: String?
    public var updatedAt: Date

    public init(name: String, sequence: Int64, hash: String, events: Int64, mac: String? = nil, updatedAt: Date) {
        self.name = name
        self.sequence = sequence
        self.hash = hash
        self.events = events
        self.mac = mac
        self.updatedAt = updatedAt
    }

    /// Whether the MAC matches under `key` (always true without a key: nothing to check).
    public func isAuthentic(under key: AuditKey?) -> Bool {
        guard let key else { return true }
        return mac == key.checkpointMAC(name: name, sequence: sequence, hash: hash, events: events)
    }
}

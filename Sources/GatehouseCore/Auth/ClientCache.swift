import Foundation
import Synchronization

/// The in-memory map from a client secret's digest to the OAuth app it authenticates, so the
/// token and introspection endpoints authenticate a known client without the store.
///
/// Filled on a successful authentication, emptied by the change feed like ``CredentialCache``
/// (the secret revoked, the app changed or deleted, a feed gap), with the same ``generation``
/// guard against inserting what an eviction has already removed. A secret that expires (the old
/// one after a rotation's grace period) is refused from its cached expiry.
public final class ClientCache: Sendable {
    private struct Entry {
        var app: Integration
        var expiresAt: Date?
    }

    private struct State {
        var entries: [TokenDigest: Entry] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    /// At most this many secrets are cached; past it the map starts over.
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The app whose secret has `digest`, if cached and not expired at `now`.
    public func app(for digest: TokenDigest, at now: Date) -> Integration? {
        guard let entry = state.withLock({ $0.entries[digest] }) else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt <= now { return nil }
        return entry.app
    }

    /// A counter that changes on every eviction.
    public var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// Caches `app` for the secret `digest` unless an eviction happened since `generation`.
    public func insert(_ app: Integration, expiresAt: Date?, for digest: TokenDigest, ifGeneration generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll() }
            state.entries[digest] = Entry(app: app, expiresAt: expiresAt)
        }
    }

    /// Forgets one secret.
    public func evict(digest: TokenDigest) {
        state.withLock { state in
            state.generation &+= 1
            state.entries[digest] = nil
        }
    }

    /// Forgets every secret of an app, or of every app in a workspace.
    public func evict(integrationID: String? = nil, workspaceID: String? = nil) {
        state.withLock { state in
            state.generation &+= 1
            state.entries = state.entries.filter { _, entry in
                entry.app.id != integrationID && entry.app.workspaceID != workspaceID
            }
        }
    }

    /// Forgets everything (after a gap in the change feed).
    public func evictAll() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
        }
    }
}

import Synchronization

/// The in-memory map from token digest to principal that serves authentication of known tokens.
///
/// Holds only tokens that were used (filled on a miss), bounded by `capacity`. Evictions come
/// from the change feed (a revocation, a deletion, a capability change). An entry read from the
/// store before an eviction must not be inserted after it, or a revoked token would live on in
/// memory; ``generation`` guards that: read it before the store lookup and pass it to ``insert``.
public final class CredentialCache: Sendable {
    private struct State {
        var entries: [TokenDigest: Principal] = [:]
        var digestsByIntegration: [String: Set<TokenDigest>] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    /// At most this many tokens are cached; past it an arbitrary entry makes room.
    public let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The principal cached for `digest`, if any.
    public func principal(for digest: TokenDigest) -> Principal? {
        state.withLock { $0.entries[digest] }
    }

    /// A counter that changes on every eviction.
    public var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// The number of cached tokens.
    public var count: Int {
        state.withLock { $0.entries.count }
    }

    /// Caches `principal` for `digest` unless an eviction happened since `generation` was read.
    /// Returns whether it was cached.
    @discardableResult
    public func insert(_ principal: Principal, for digest: TokenDigest, ifGeneration generation: UInt64) -> Bool {
        state.withLock { state in
            guard state.generation == generation else { return false }
            if state.entries.count >= capacity, state.entries[digest] == nil, let victim = state.entries.first {
                state.entries[victim.key] = nil
                state.digestsByIntegration[victim.value.integrationID]?.remove(victim.key)
            }
            state.entries[digest] = principal
            state.digestsByIntegration[principal.integrationID, default: []].insert(digest)
            return true
        }
    }

    /// Forgets one token.
    public func evict(digest: TokenDigest) {
        state.withLock { state in
            state.generation &+= 1
            if let principal = state.entries.removeValue(forKey: digest) {
                state.digestsByIntegration[principal.integrationID]?.remove(digest)
            }
        }
    }

    /// Forgets every token of an integration.
    public func evict(integrationID: String) {
        state.withLock { state in
            state.generation &+= 1
            for digest in state.digestsByIntegration.removeValue(forKey: integrationID) ?? [] {
                state.entries[digest] = nil
            }
        }
    }

    /// Forgets every token of every integration in a workspace.
    public func evict(workspaceID: String) {
        state.withLock { state in
            state.generation &+= 1
            let victims = state.entries.filter { $0.value.workspaceID == workspaceID }
            for (digest, principal) in victims {
                state.entries[digest] = nil
                state.digestsByIntegration[principal.integrationID]?.remove(digest)
            }
        }
    }

    /// Forgets everything (used when the change feed may have missed events).
    public func evictAll() {
        state.withLock { state in
            state.generation &+= 1
            state.entries = [:]
            state.digestsByIntegration = [:]
        }
    }
}

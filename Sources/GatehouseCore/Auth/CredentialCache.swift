import Foundation
import Synchronization

/// What a ``DigestCache`` holds per digest: something that belongs to an integration in a
/// workspace, so the change feed's evictions by integration and by workspace can find it.
public protocol CachedCredential: Sendable {
    var integrationID: String { get }
    var workspaceID: String { get }
}

/// An in-memory map from a secret's digest to what it authenticates, filled on a successful
/// store lookup and emptied by the change feed.
///
/// Holds only secrets that were used, bounded by `capacity`. Evictions come from the change feed
/// (a revocation, a deletion, a capability change). An entry read from the store before an
/// eviction must not be inserted after it, or a revoked secret would live on in memory;
/// ``generation`` guards that: read it before the store lookup and pass it to ``insert``.
public final class DigestCache<Credential: CachedCredential>: Sendable {
    @usableFromInline
    struct State {
        @usableFromInline var entries: [TokenDigest: Credential] = [:]
        var digestsByIntegration: [String: Set<TokenDigest>] = [:]
        var generation: UInt64 = 0
    }

    @usableFromInline
    let state = Mutex(State())
    /// At most this many secrets are cached; past it an arbitrary entry makes room.
    public let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// What is cached for `digest`, if anything. Inlinable, so that the server's modules use it
    /// specialized for their credential type: unspecialized, every lookup (one per API request)
    /// asked the runtime for the generic dictionary's type metadata.
    @inlinable
    public func credential(for digest: TokenDigest) -> Credential? {
        state.withLock { $0.entries[digest] }
    }

    /// A counter that changes on every eviction.
    public var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// The number of cached secrets.
    public var count: Int {
        state.withLock { $0.entries.count }
    }

    /// Caches `credential` for `digest` unless an eviction happened since `generation` was read.
    /// Returns whether it was cached.
    @discardableResult
    public func insert(_ credential: Credential, for digest: TokenDigest, ifGeneration generation: UInt64) -> Bool {
        state.withLock { state in
            guard state.generation == generation else { return false }
            if state.entries.count >= capacity, state.entries[digest] == nil, let victim = state.entries.first {
                state.entries[victim.key] = nil
                state.digestsByIntegration[victim.value.integrationID]?.remove(victim.key)
            }
            state.entries[digest] = credential
            state.digestsByIntegration[credential.integrationID, default: []].insert(digest)
            return true
        }
    }

    /// Forgets one secret.
    public func evict(digest: TokenDigest) {
        state.withLock { state in
            state.generation &+= 1
            if let credential = state.entries.removeValue(forKey: digest) {
                state.digestsByIntegration[credential.integrationID]?.remove(digest)
            }
        }
    }

    /// Forgets every secret of an integration.
    public func evict(integrationID: String) {
        state.withLock { state in
            state.generation &+= 1
            for digest in state.digestsByIntegration.removeValue(forKey: integrationID) ?? [] {
                state.entries[digest] = nil
            }
        }
    }

    /// Forgets every secret of every integration in a workspace.
    public func evict(workspaceID: String) {
        state.withLock { state in
            state.generation &+= 1
            let victims = state.entries.filter { $0.value.workspaceID == workspaceID }
            for (digest, credential) in victims {
                state.entries[digest] = nil
                state.digestsByIntegration[credential.integrationID]?.remove(digest)
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

extension Principal: CachedCredential {}

/// The principal of each bearer token in use: what authentication reads on every request.
public typealias CredentialCache = DigestCache<Principal>

/// An OAuth client authenticated by one of its secrets: the app, and when that secret expires
/// (the old one after a rotation's grace period).
public struct AuthenticatedClient: CachedCredential {
    public var app: Integration
    public var secretExpiresAt: Date?

    public init(app: Integration, secretExpiresAt: Date?) {
        self.app = app
        self.secretExpiresAt = secretExpiresAt
    }

    public var integrationID: String { app.id }
    public var workspaceID: String { app.workspaceID }
}

/// The OAuth app of each client secret in use, so the token and introspection endpoints
/// authenticate a known client without the store.
public typealias ClientCache = DigestCache<AuthenticatedClient>

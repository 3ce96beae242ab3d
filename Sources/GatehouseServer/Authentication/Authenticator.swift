import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import Synchronization

/// Turns a bearer token into a principal: format and checksum first (no I/O), then the in-memory
/// cache, and the store only on a miss.
///
/// The cache learns of revocations through ``apply(_:)``, fed by the change feed (other
/// processes) and directly by this process's own admin operations.
public final class Authenticator: Sendable {
    let store: any Store
    /// The in-memory map from token digest to principal (exposed for inspection and tests).
    public let cache: CredentialCache
    /// The in-memory map from client-secret digest to OAuth app, emptied by the same feed.
    public let clients = ClientCache()
    /// Verifier keys (`gvk_`) seen, kept apart from bearer tokens so that neither is ever accepted
    /// where the other is expected.
    public let verifiers = CredentialCache()
    let clock: any WallClock
    /// Cleared while the change feed cannot be read: a cached principal may have been revoked on
    /// another node meanwhile, so every token goes to the store (fail closed).
    private let cacheTrusted = Atomic<Bool>(true)

    public init(store: any Store, cache: CredentialCache = CredentialCache(), clock: any WallClock = SystemClock()) {
        self.store = store
        self.cache = cache
        self.clock = clock
    }

    /// The principal for the value of an `Authorization` header; 401 `unauthorized` for anything
    /// missing, malformed, unknown, expired or revoked.
    public func authenticate(authorization: String?) async throws(APIError) -> Principal {
        do {
            return try await authenticateExplaining(authorization: authorization)
        } catch {
            throw error.apiError
        }
    }

    /// The principal for a bare token.
    public func authenticate(token: Substring) async throws(APIError) -> Principal {
        do {
            return try await authenticateExplaining(token: token)
        } catch {
            throw error.apiError
        }
    }

    /// As ``authenticate(authorization:)``, but a failure says why (for metrics; the client
    /// always gets the same 401).
    public func authenticateExplaining(authorization: String?) async throws(AuthenticationFailure) -> Principal {
        try await authenticateExplaining(token: Self.token(in: authorization))
    }

    public func authenticateExplaining(token: Substring) async throws(AuthenticationFailure) -> Principal {
        let digest = try Self.digest(of: token)
        if let principal = try cachedPrincipal(digest: digest) { return principal }
        return try await loadPrincipal(token: token, digest: digest, into: cache, accepting: \.isBearer)
    }

    /// As ``authenticateExplaining(authorization:)`` as far as it can go without the store:
    /// the principal of a cached token, or the failure of a malformed one, without suspending;
    /// `nil` when only the store can tell.
    public func cachedPrincipal(authorization: String?) throws(AuthenticationFailure) -> Principal? {
        try cachedPrincipal(digest: Self.digest(of: Self.token(in: authorization)))
    }

    /// As ``authenticateExplaining(token:)`` as far as it can go without the store: the principal
    /// of a cached token, or the failure of a malformed or expired one; `nil` when only the store
    /// can tell.
    public func cachedPrincipal(token: Substring) throws(AuthenticationFailure) -> Principal? {
        try cachedPrincipal(digest: Self.digest(of: token))
    }

    /// The token of an `Authorization` value.
    private static func token(in authorization: String?) throws(AuthenticationFailure) -> Substring {
        guard let authorization else { throw AuthenticationFailure(.missing) }
        guard let token = bearerToken(in: authorization) else { throw AuthenticationFailure(.malformed) }
        return token
    }

    /// The digest the cache and the store know `token` by.
    private static func digest(of token: Substring) throws(AuthenticationFailure) -> TokenDigest {
        guard token.utf8.count <= TokenFormat.maxLength else { throw AuthenticationFailure(.malformed) }
        return TokenDigest(of: token)
    }

    /// The cached principal of the token with `digest`, if it has not expired.
    ///
    /// A cached principal's token passed the format and kind checks before it was cached, and
    /// the digest identifies the token: a hit needs neither check again.
    private func cachedPrincipal(digest: TokenDigest) throws(AuthenticationFailure) -> Principal? {
        guard cacheTrusted.load(ordering: .relaxed), let principal = cache.credential(for: digest) else { return nil }
        if let expiresAt = principal.expiresAt, expiresAt <= clock.now() { throw AuthenticationFailure(.expired) }
        return principal
    }

    /// Checks the format of a token the cache does not know, then reads it from the store and
    /// caches its principal.
    /// The principal of a token `accepting` its kind, from the store, remembered in `cache`.
    private func loadPrincipal(
        token: Substring,
        digest: TokenDigest,
        into cache: CredentialCache,
        accepting: (TokenKind) -> Bool
    ) async throws(AuthenticationFailure) -> Principal {
        guard let kind = TokenFormat.validate(token) else { throw AuthenticationFailure(.malformed) }
        guard accepting(kind) else { throw AuthenticationFailure(.notABearerToken) }
        let generation = cache.generation
        let found: (TokenRecord, Principal)?
        do {
            found = try await store.principal(digest: digest)
        } catch {
            throw AuthenticationFailure(.storeUnavailable)
        }
        guard let (record, principal) = found else { throw AuthenticationFailure(.unknown) }
        if record.revokedAt != nil { throw AuthenticationFailure(.revoked) }
        guard record.isActive(at: clock.now()) else { throw AuthenticationFailure(.expired) }
        if cacheTrusted.load(ordering: .relaxed) { cache.insert(principal, for: digest, ifGeneration: generation) }
        return principal
    }

    /// Forgets everything cached (after a gap in the change feed).
    public func evictAll() {
        cache.evictAll()
        clients.evictAll()
        verifiers.evictAll()
    }

    /// The principal of a verifier key (`gvk_`) in an `Authorization: Bearer` value: the
    /// integration the verifying service acts as. From memory when seen before, else the store.
    public func authenticateVerifier(authorization: String?) async throws(AuthenticationFailure) -> Principal {
        if let principal = try cachedVerifier(authorization: authorization) { return principal }
        let token = try Self.token(in: authorization)
        return try await loadPrincipal(token: token, digest: Self.digest(of: token), into: verifiers) {
            $0 == .verifierKey
        }
    }

    /// As ``authenticateVerifier(authorization:)`` as far as it can go without the store: the
    /// principal of a verifier key seen before, or the failure of a malformed or expired one;
    /// `nil` when only the store can tell.
    public func cachedVerifier(authorization: String?) throws(AuthenticationFailure) -> Principal? {
        let digest = try Self.digest(of: Self.token(in: authorization))
        guard cacheTrusted.load(ordering: .relaxed), let principal = verifiers.credential(for: digest) else {
            return nil
        }
        if let expiresAt = principal.expiresAt, expiresAt <= clock.now() { throw AuthenticationFailure(.expired) }
        return principal
    }

    /// Stops serving from the cache (the change feed cannot be read): until
    /// ``trustCacheAgain()``, every token is looked up in the store, and nothing is cached.
    public func distrustCache() {
        cacheTrusted.store(false, ordering: .relaxed)
        evictAll()
    }

    /// The change feed is readable again: start from an empty cache and use it again.
    public func trustCacheAgain() {
        evictAll()
        cacheTrusted.store(true, ordering: .relaxed)
    }

    /// Whether cached principals are served (`false` while the change feed cannot be read).
    public var isCacheTrusted: Bool { cacheTrusted.load(ordering: .relaxed) }

    /// Evicts what a batch of feed entries invalidates.
    public func apply(_ changes: [StoreChange]) {
        for change in changes {
            switch change.kind {
            case .tokenRevoked:
                if let digest = change.tokenDigest {
                    cache.evict(digest: digest)
                    clients.evict(digest: digest)
                    verifiers.evict(digest: digest)
                }
            case .integrationChanged:
                if let integrationID = change.integrationID {
                    cache.evict(integrationID: integrationID)
                    clients.evict(integrationID: integrationID)
                    verifiers.evict(integrationID: integrationID)
                }
            case .workspaceChanged:
                if let workspaceID = change.workspaceID {
                    cache.evict(workspaceID: workspaceID)
                    clients.evict(workspaceID: workspaceID)
                    verifiers.evict(workspaceID: workspaceID)
                }
            }
        }
    }

    /// The token in `Bearer <token>` (scheme case-insensitive), or `nil`.
    static func bearerToken(in header: String) -> Substring? {
        AuthorizationHeader.credentials("bearer", in: header)
    }
}

/// Why a bearer token was refused. The client never learns it (every case is the same 401, no
/// oracle); metrics and operators do.
public struct AuthenticationFailure: Error, Sendable, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        case missing
        case malformed
        case notABearerToken = "not_bearer"
        case unknown
        case expired
        case revoked
        case ambiguous
        case storeUnavailable = "store_unavailable"
    }

    public var reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    /// What the client is told: 401 for every reason but an unreachable store (503).
    public var apiError: APIError { reason == .storeUnavailable ? .serviceUnavailable : .unauthorized }
}

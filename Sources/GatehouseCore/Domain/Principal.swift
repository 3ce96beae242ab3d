import Foundation
import Synchronization

/// Who a request acts as once its bearer token is accepted: an integration's bot in a workspace.
///
/// This is what the authentication cache holds per token digest, so it carries everything the
/// hot path needs (capabilities, expiry, names for `users/me`) without a store round trip.
///
/// The fields live in one shared, immutable object: a principal is copied out of the cache, into
/// the request context and on through the request's steps, and a copy then costs one reference
/// count instead of one per string; two copies of one cached principal compare equal by identity.
/// Read-only: a changed integration or workspace is read from the store as a new principal, so
/// what is derived from one principal (``botBody(orMake:)``) never goes stale.
/// The getters are inlinable, so that the server's module reads a field in place instead of
/// calling across modules for each.
public struct Principal: Sendable, Equatable {
    @usableFromInline
    struct Fields: Sendable, Equatable {
        @usableFromInline let tokenID: String
        @usableFromInline let tokenKind: TokenKind
        @usableFromInline let expiresAt: Date?
        @usableFromInline let integrationID: String
        @usableFromInline let integrationName: String
        @usableFromInline let integrationKind: IntegrationKind
        @usableFromInline let botID: String
        @usableFromInline let capabilities: Capabilities
        @usableFromInline let workspaceID: String
        @usableFromInline let workspaceName: String
        @usableFromInline let workspaceIcon: String?
        @usableFromInline let plan: Plan
        @usableFromInline let owner: BotOwner
        @usableFromInline let installedFrom: String?
        @usableFromInline let issuedAt: Date
        @usableFromInline let scopes: Scopes
        @usableFromInline let rateLimitOverride: RatePlan?
        @usableFromInline let maxUses: Int?
    }

    @usableFromInline
    final class Storage: Sendable {
        @usableFromInline let fields: Fields
        /// The bot user as `users/me` serializes it, set once by the first ``botBody(orMake:)``
        /// and released with the storage. Held as an atomic `Unmanaged` reference rather than in
        /// the standard library's `AtomicLazyReference`, whose `load` ran unspecialized here,
        /// asking the runtime for type metadata on every call.
        let botBody = Atomic<Unmanaged<SerializedBytes>?>(nil)
        /// The identity `POST /verify` answers with, kept as ``botBody`` is, by the first
        /// ``verificationIdentity(orMake:)``.
        let verificationIdentity = Atomic<Unmanaged<SerializedBytes>?>(nil)
        init(_ fields: Fields) { self.fields = fields }
        deinit {
            botBody.load(ordering: .acquiring)?.release()
            verificationIdentity.load(ordering: .acquiring)?.release()
        }
    }

    /// Bytes kept by reference, for ``Storage/botBody`` and ``Storage/verificationIdentity``.
    final class SerializedBytes: Sendable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    @usableFromInline let storage: Storage

    @inlinable public var tokenID: String { storage.fields.tokenID }
    @inlinable public var tokenKind: TokenKind { storage.fields.tokenKind }
    @inlinable public var expiresAt: Date? { storage.fields.expiresAt }
    @inlinable public var integrationID: String { storage.fields.integrationID }
    @inlinable public var integrationName: String { storage.fields.integrationName }
    @inlinable public var integrationKind: IntegrationKind { storage.fields.integrationKind }
    @inlinable public var botID: String { storage.fields.botID }
    @inlinable public var capabilities: Capabilities { storage.fields.capabilities }
    @inlinable public var workspaceID: String { storage.fields.workspaceID }
    @inlinable public var workspaceName: String { storage.fields.workspaceName }
    @inlinable public var workspaceIcon: String? { storage.fields.workspaceIcon }
    @inlinable public var plan: Plan { storage.fields.plan }
    /// Whom the bot acts for: the workspace (internal integrations, `owner=workspace`
    /// installations) or the person who authorized it.
    @inlinable public var owner: BotOwner { storage.fields.owner }
    /// The public integration (OAuth app) this installation came from; `nil` for an internal
    /// integration.
    @inlinable public var installedFrom: String? { storage.fields.installedFrom }
    /// When the token was issued (the epoch where a caller did not say).
    @inlinable public var issuedAt: Date { storage.fields.issuedAt }
    /// The deployment's own scopes the integration holds (forward authentication).
    @inlinable public var scopes: Scopes { storage.fields.scopes }
    /// The integration's own rate limit, which replaces its plan's (`nil`: the plan's).
    @inlinable public var rateLimitOverride: RatePlan? { storage.fields.rateLimitOverride }
    /// For a usage-limited key, how many requests it may make in all (`nil`: unlimited).
    @inlinable public var maxUses: Int? { storage.fields.maxUses }

    public init(
        tokenID: String,
        tokenKind: TokenKind,
        expiresAt: Date?,
        integrationID: String,
        integrationName: String,
        integrationKind: IntegrationKind,
        botID: String,
        capabilities: Capabilities,
        workspaceID: String,
        workspaceName: String,
        workspaceIcon: String?,
        plan: Plan,
        owner: BotOwner = .workspace,
        installedFrom: String? = nil,
        issuedAt: Date = Date(timeIntervalSince1970: 0),
        scopes: Scopes = Scopes(),
        rateLimitOverride: RatePlan? = nil,
        maxUses: Int? = nil
    ) {
        storage = Storage(
            Fields(
                tokenID: tokenID,
                tokenKind: tokenKind,
                expiresAt: expiresAt,
                integrationID: integrationID,
                integrationName: integrationName,
                integrationKind: integrationKind,
                botID: botID,
                capabilities: capabilities,
                workspaceID: workspaceID,
                workspaceName: workspaceName,
                workspaceIcon: workspaceIcon,
                plan: plan,
                owner: owner,
                installedFrom: installedFrom,
                issuedAt: issuedAt,
                scopes: scopes,
                rateLimitOverride: rateLimitOverride,
                maxUses: maxUses
            )
        )
    }

    @inlinable
    public static func == (lhs: Principal, rhs: Principal) -> Bool {
        lhs.isIdentical(to: rhs) || lhs.storage.fields == rhs.storage.fields
    }

    /// This principal's bot user as `users/me` serializes it: made by `make` on the first call,
    /// then the same bytes for as long as the principal lives, read without a lock (every
    /// `users/me` request asks). Two first calls at once may both run `make`; one result is kept.
    public func botBody(orMake make: (Principal) -> [UInt8]) -> [UInt8] {
        Self.kept(in: storage.botBody, for: self, orMake: make)
    }

    /// What `POST /verify` says of this principal whenever its token is valid, kept as
    /// ``botBody(orMake:)`` keeps its bytes: every check of a service's cached token asks.
    public func verificationIdentity(orMake make: (Principal) -> [UInt8]) -> [UInt8] {
        Self.kept(in: storage.verificationIdentity, for: self, orMake: make)
    }

    /// The bytes in `slot`, made by `make` and stored there by the first call.
    private static func kept(
        in slot: borrowing Atomic<Unmanaged<SerializedBytes>?>,
        for principal: Principal,
        orMake make: (Principal) -> [UInt8]
    ) -> [UInt8] {
        // The storage, which the principal keeps alive, holds a +1 on whatever it stores, so
        // an unretained read is safe.
        if let made = slot.load(ordering: .acquiring) { return made.takeUnretainedValue().bytes }
        let fresh = Unmanaged.passRetained(SerializedBytes(make(principal)))
        let (stored, held) = slot.compareExchange(expected: nil, desired: fresh, ordering: .acquiringAndReleasing)
        if stored { return fresh.takeUnretainedValue().bytes }
        fresh.release()
        return held!.takeUnretainedValue().bytes
    }

    /// Whether both are copies of one principal (the same object): a test that costs no field
    /// comparison, which equal principals read from the store twice fail.
    @inlinable
    public func isIdentical(to other: Principal) -> Bool {
        storage === other.storage
    }
}

/// The `owner` of a bot as `users/me` reports it.
public enum BotOwner: Sendable, Equatable {
    case workspace
    /// The person who authorized a public integration.
    case user(id: String, name: String, email: String)
}

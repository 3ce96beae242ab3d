import Foundation

/// Who a request acts as once its bearer token is accepted: an integration's bot in a workspace.
///
/// This is what the authentication cache holds per token digest, so it carries everything the
/// hot path needs (capabilities, expiry, names for `users/me`) without a store round trip.
///
/// The fields live in one shared, immutable object: a principal is copied out of the cache, into
/// the request context and on through the request's steps, and a copy then costs one reference
/// count instead of one per string; two copies of one cached principal compare equal by identity.
/// Read-only: a changed integration or workspace is read from the store as a new principal.
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
    }

    @usableFromInline
    final class Storage: Sendable {
        @usableFromInline let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
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
        issuedAt: Date = Date(timeIntervalSince1970: 0)
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
                issuedAt: issuedAt
            )
        )
    }

    @inlinable
    public static func == (lhs: Principal, rhs: Principal) -> Bool {
        lhs.isIdentical(to: rhs) || lhs.storage.fields == rhs.storage.fields
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

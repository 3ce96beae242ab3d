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
public struct Principal: Sendable, Equatable {
    private struct Fields: Sendable, Equatable {
        let tokenID: String
        let tokenKind: TokenKind
        let expiresAt: Date?
        let integrationID: String
        let integrationName: String
        let integrationKind: IntegrationKind
        let botID: String
        let capabilities: Capabilities
        let workspaceID: String
        let workspaceName: String
        let workspaceIcon: String?
        let plan: Plan
        let owner: BotOwner
        let installedFrom: String?
        let issuedAt: Date
    }

    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private let storage: Storage

    public var tokenID: String { storage.fields.tokenID }
    public var tokenKind: TokenKind { storage.fields.tokenKind }
    public var expiresAt: Date? { storage.fields.expiresAt }
    public var integrationID: String { storage.fields.integrationID }
    public var integrationName: String { storage.fields.integrationName }
    public var integrationKind: IntegrationKind { storage.fields.integrationKind }
    public var botID: String { storage.fields.botID }
    public var capabilities: Capabilities { storage.fields.capabilities }
    public var workspaceID: String { storage.fields.workspaceID }
    public var workspaceName: String { storage.fields.workspaceName }
    public var workspaceIcon: String? { storage.fields.workspaceIcon }
    public var plan: Plan { storage.fields.plan }
    /// Whom the bot acts for: the workspace (internal integrations, `owner=workspace`
    /// installations) or the person who authorized it.
    public var owner: BotOwner { storage.fields.owner }
    /// The public integration (OAuth app) this installation came from; `nil` for an internal
    /// integration.
    public var installedFrom: String? { storage.fields.installedFrom }
    /// When the token was issued (the epoch where a caller did not say).
    public var issuedAt: Date { storage.fields.issuedAt }

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

    public static func == (lhs: Principal, rhs: Principal) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }
}

/// The `owner` of a bot as `users/me` reports it.
public enum BotOwner: Sendable, Equatable {
    case workspace
    /// The person who authorized a public integration.
    case user(id: String, name: String, email: String)
}

import Foundation

/// Who a request acts as once its bearer token is accepted: an integration's bot in a workspace.
///
/// This is what the authentication cache holds per token digest, so it carries everything the
/// hot path needs (capabilities, expiry, names for `users/me`) without a store round trip.
///
/// The fields live in one shared, immutable object: a principal is copied out of the cache, into
/// the request context and on through the request's steps, and a copy then costs one reference
/// count instead of one per string; two copies of one cached principal compare equal by identity.
/// Setting a field (rare: tests, the store building one) makes a new object.
public struct Principal: Sendable, Equatable {
    private struct Fields: Sendable, Equatable {
        var tokenID: String
        var tokenKind: TokenKind
        var expiresAt: Date?
        var integrationID: String
        var integrationName: String
        var integrationKind: IntegrationKind
        var botID: String
        var capabilities: Capabilities
        var workspaceID: String
        var workspaceName: String
        var workspaceIcon: String?
        var plan: Plan
        var owner: BotOwner
        var installedFrom: String?
        var issuedAt: Date
    }

    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    public var tokenID: String {
        get { storage.fields.tokenID }
        set { update { $0.tokenID = newValue } }
    }
    public var tokenKind: TokenKind {
        get { storage.fields.tokenKind }
        set { update { $0.tokenKind = newValue } }
    }
    public var expiresAt: Date? {
        get { storage.fields.expiresAt }
        set { update { $0.expiresAt = newValue } }
    }
    public var integrationID: String {
        get { storage.fields.integrationID }
        set { update { $0.integrationID = newValue } }
    }
    public var integrationName: String {
        get { storage.fields.integrationName }
        set { update { $0.integrationName = newValue } }
    }
    public var integrationKind: IntegrationKind {
        get { storage.fields.integrationKind }
        set { update { $0.integrationKind = newValue } }
    }
    public var botID: String {
        get { storage.fields.botID }
        set { update { $0.botID = newValue } }
    }
    public var capabilities: Capabilities {
        get { storage.fields.capabilities }
        set { update { $0.capabilities = newValue } }
    }
    public var workspaceID: String {
        get { storage.fields.workspaceID }
        set { update { $0.workspaceID = newValue } }
    }
    public var workspaceName: String {
        get { storage.fields.workspaceName }
        set { update { $0.workspaceName = newValue } }
    }
    public var workspaceIcon: String? {
        get { storage.fields.workspaceIcon }
        set { update { $0.workspaceIcon = newValue } }
    }
    public var plan: Plan {
        get { storage.fields.plan }
        set { update { $0.plan = newValue } }
    }
    /// Whom the bot acts for: the workspace (internal integrations, `owner=workspace`
    /// installations) or the person who authorized it.
    public var owner: BotOwner {
        get { storage.fields.owner }
        set { update { $0.owner = newValue } }
    }
    /// The public integration (OAuth app) this installation came from; `nil` for an internal
    /// integration.
    public var installedFrom: String? {
        get { storage.fields.installedFrom }
        set { update { $0.installedFrom = newValue } }
    }
    /// When the token was issued (the epoch where a caller did not say).
    public var issuedAt: Date {
        get { storage.fields.issuedAt }
        set { update { $0.issuedAt = newValue } }
    }

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

    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = storage.fields
        change(&fields)
        storage = Storage(fields)
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

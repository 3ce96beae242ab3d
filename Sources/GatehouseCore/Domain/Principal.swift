import Foundation

/// Who a request acts as once its bearer token is accepted: an integration's bot in a workspace.
///
/// This is what the authentication cache holds per token digest, so it carries everything the
/// hot path needs (capabilities, expiry, names for `users/me`) without a store round trip.
public struct Principal: Sendable, Equatable {
    public var tokenID: String
    public var tokenKind: TokenKind
    public var expiresAt: Date?
    public var integrationID: String
    public var integrationName: String
    public var integrationKind: IntegrationKind
    public var botID: String
    public var capabilities: Capabilities
    public var workspaceID: String
    public var workspaceName: String
    public var workspaceIcon: String?
    public var plan: Plan
    /// Whom the bot acts for: the workspace (internal integrations, `owner=workspace`
    /// installations) or the person who authorized it.
    public var owner: BotOwner
    /// The public integration (OAuth app) this installation came from; `nil` for an internal
    /// integration.
    public var installedFrom: String?
    /// When the token was issued (the epoch where a caller did not say).
    public var issuedAt: Date

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
        self.owner = owner
        self.installedFrom = installedFrom
        self.issuedAt = issuedAt
        self.tokenID = tokenID
        self.tokenKind = tokenKind
        self.expiresAt = expiresAt
        self.integrationID = integrationID
        self.integrationName = integrationName
        self.integrationKind = integrationKind
        self.botID = botID
        self.capabilities = capabilities
        self.workspaceID = workspaceID
        self.workspaceName = workspaceName
        self.workspaceIcon = workspaceIcon
        self.plan = plan
    }
}

/// The `owner` of a bot as `users/me` reports it.
public enum BotOwner: Sendable, Equatable {
    case workspace
    /// The person who authorized a public integration.
    case user(id: String, name: String, email: String)
}

import GatehouseCore

/// One entry of the change feed: something that invalidates cached credentials.
///
/// Written in the same transaction as the change itself, so a committed revocation always has its
/// feed entry; every process reads the feed and evicts what it names.
public struct StoreChange: Sendable, Equatable {
    /// What changed.
    public enum Kind: String, Sendable {
        /// A token was revoked; `tokenDigest` names it.
        case tokenRevoked = "token_revoked"
        /// An integration was deleted, or its capabilities or sharing changed.
        case integrationChanged = "integration_changed"
        /// A workspace changed (its plan, its name).
        case workspaceChanged = "workspace_changed"
    }

    /// The feed position, increasing.
    public var sequence: Int64
    public var kind: Kind
    public var workspaceID: String?
    public var integrationID: String?
    public var tokenDigest: TokenDigest?

    public init(
        sequence: Int64,
        kind: Kind,
        workspaceID: String? = nil,
        integrationID: String? = nil,
        tokenDigest: TokenDigest? = nil
    ) {
        self.sequence = sequence
        self.kind = kind
        self.workspaceID = workspaceID
        self.integrationID = integrationID
        self.tokenDigest = tokenDigest
    }
}

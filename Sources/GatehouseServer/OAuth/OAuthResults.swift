import Foundation
import GatehouseCore

/// What the token endpoint grants: the tokens and whom they act for. The controller writes the
/// response (``OAuthJSON/tokenResponse(_:app:)``).
struct TokenGrant: Sendable {
    var access: String
    var refresh: String?
    /// Seconds the access token lives; `nil` for a token that does not expire.
    var expiresIn: Int?
    var installation: Integration
    var workspace: Workspace
    /// The user who granted it, when the installation is a user's.
    var owner: Person?
    /// The `scope` the request named, stated back in its own terms (RFC 6749 §3.3).
    var requestedScope: Scopes?
}

/// An active token as RFC 7662 describes it; an inactive one has none.
struct Introspection: Sendable {
    var kind: TokenKind
    /// Capabilities, then deployment scopes.
    var scope: String
    var issuedAt: Date
    var expiresAt: Date?
    var clientID: String
    var botID: String
    var workspaceID: String
    /// The user who granted it, for a user's installation.
    var subject: String?
}

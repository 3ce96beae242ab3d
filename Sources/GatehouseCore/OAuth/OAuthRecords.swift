import Foundation

/// Who an OAuth bot acts for: the person who authorized it, or the whole workspace.
public enum BotOwnerKind: String, Sendable, Codable, CaseIterable {
    case user
    case workspace
}

/// A public integration's OAuth client registration.
public struct OAuthClientSettings: Sendable, Equatable {
    /// The `client_id` (a UUID, as Notion's are).
    public var clientID: String
    /// Registered redirect URIs, compared exactly.
    public var redirectURIs: [String]
    /// Whether tokens expire (`nap_` + `nrt_`) or not (`bot_`, Notion's behaviour today).
    public var expiringTokens: Bool
    /// Whether the client has a secret; a client without one must use PKCE.
    public var confidential: Bool
    /// The address a client that registered itself (RFC 7591) did so from; `nil` for a client an
    /// operator made. Its name is then only its own claim.
    public var registeredFrom: String?

    public init(
        clientID: String,
        redirectURIs: [String],
        expiringTokens: Bool,
        confidential: Bool,
        registeredFrom: String? = nil
    ) {
        self.clientID = clientID
        self.redirectURIs = redirectURIs
        self.expiringTokens = expiringTokens
        self.confidential = confidential
        self.registeredFrom = registeredFrom
    }
}

/// What makes an integration row an installation: a public integration authorized by a user in
/// that user's workspace. It has its own bot, shares and tokens.
public struct Installation: Sendable, Equatable {
    /// The public integration (the OAuth client) this installs.
    public var appID: String
    public var ownerUserID: String
    public var owner: BotOwnerKind

    public init(appID: String, ownerUserID: String, owner: BotOwnerKind) {
        self.appID = appID
        self.ownerUserID = ownerUserID
        self.owner = owner
    }
}

/// A database or page a user picked on the consent page.
public struct SharedResource: Sendable, Equatable, Hashable {
    /// `database` or `page`.
    public var type: String
    public var id: String

    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }
}

/// An issued authorization code: only its digest is stored.
public struct AuthorizationCode: Sendable, Equatable {
    /// Also the id of the grant: every token issued from the code carries it.
    public var id: String
    public var digest: TokenDigest
    /// The public integration the code was issued to.
    public var appID: String
    public var userID: String
    public var workspaceID: String
    public var owner: BotOwnerKind
    /// The redirect URI as the authorization request gave it (`nil` when it was omitted).
    public var redirectURI: String?
    /// The S256 PKCE challenge, if one was sent.
    public var codeChallenge: String?
    public var resources: [SharedResource]
    /// The deployment scopes the request asked for (`nil`: it sent no `scope`, so the grant gets
    /// every scope the integration holds when the code is redeemed).
    public var scopes: Scopes?
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(
        id: String,
        digest: TokenDigest,
        appID: String,
        userID: String,
        workspaceID: String,
        owner: BotOwnerKind,
        redirectURI: String?,
        codeChallenge: String?,
        resources: [SharedResource],
        scopes: Scopes? = nil,
        createdAt: Date,
        expiresAt: Date,
        usedAt: Date? = nil
    ) {
        self.id = id
        self.digest = digest
        self.appID = appID
        self.userID = userID
        self.workspaceID = workspaceID
        self.owner = owner
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.resources = resources
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// How long OAuth artefacts live.
public struct OAuthLifetimes: Sendable, Equatable {
    /// Authorization codes: 10 minutes (RFC 6749 recommends at most 10).
    public var code: TimeInterval = 600
    /// `nap_` access tokens: 1 hour.
    public var accessToken: TimeInterval = 3_600
    /// `nrt_` refresh tokens expire after this long unused: 90 days.
    public var refreshTokenIdle: TimeInterval = 90 * 86_400
    /// A grant (the family of refresh tokens from one authorization) cannot be refreshed past this
    /// age, however often it is used: 180 days, then the user authorizes again.
    public var refreshGrantMaxAge: TimeInterval = 180 * 86_400
    /// How long a used refresh token still returns its successor to a retry from the same client
    /// address: 2 seconds (a lost response, a retry). Longer widens the window in which a thief
    /// racing the client is not detected.
    public var refreshGrace: TimeInterval = 2
    /// Signed-in browser sessions: 12 hours.
    public var session: TimeInterval = 12 * 3_600

    public init() {}
}

import Foundation

/// A workspace: the tenant that owns people, integrations and content.
public struct Workspace: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var icon: String?
    public var plan: Plan
    public var createdAt: Date

    public init(id: String, name: String, icon: String? = nil, plan: Plan, createdAt: Date) {
        self.id = id
        self.name = name
        self.icon = icon
        self.plan = plan
        self.createdAt = createdAt
    }
}

/// A person in a workspace. The password hash is bcrypt and never leaves the store layer's callers.
public struct Person: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var name: String
    public var email: String
    public var role: Role
    public var passwordHash: String
    public var createdAt: Date

    public init(
        id: String,
        workspaceID: String,
        name: String,
        email: String,
        role: Role,
        passwordHash: String,
        createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.email = email
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// Whether an integration is one workspace's own (API key) or installed through OAuth.
public enum IntegrationKind: String, Sendable, Codable {
    case `internal`
    case `public`
}

/// An integration ("connection") with its bot user, the identity its tokens act as.
public struct Integration: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var name: String
    public var kind: IntegrationKind
    public var capabilities: Capabilities
    /// The id of the integration's bot user, returned by `/v1/users/me`.
    public var botID: String
    public var createdAt: Date
    /// A public integration's OAuth client registration (`nil` for internal ones and installations).
    public var oauthClient: OAuthClientSettings?
    /// Set when this row is a public integration installed in a workspace through OAuth.
    public var installation: Installation?
    /// The deployment's own scopes it holds (forward authentication), beside Notion's capabilities.
    public var scopes: Scopes
    /// Its own rate limit, replacing its workspace plan's (`nil`: the plan's).
    public var rateLimitOverride: RatePlan?

    public init(
        id: String,
        workspaceID: String,
        name: String,
        kind: IntegrationKind,
        capabilities: Capabilities,
        botID: String,
        createdAt: Date,
        oauthClient: OAuthClientSettings? = nil,
        installation: Installation? = nil,
        scopes: Scopes = Scopes(),
        rateLimitOverride: RatePlan? = nil
    ) {
        self.scopes = scopes
        self.rateLimitOverride = rateLimitOverride
        self.oauthClient = oauthClient
        self.installation = installation
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.kind = kind
        self.capabilities = capabilities
        self.botID = botID
        self.createdAt = createdAt
    }
}

/// A database: a container of pages that can be shared with an integration as a whole.
public struct DatabaseRecord: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var title: String
    /// The page the database lives in, if any (otherwise it sits at the workspace's top level).
    public var parentPageID: String?
    public var createdAt: Date
    public var lastEditedAt: Date
    /// The user (a person, or an integration's bot) who created it; `nil` for one whose author
    /// was not recorded (a fixture's), shown as the integration that asks.
    public var createdBy: String?
    /// The user who changed it last; `nil`: its author.
    public var lastEditedBy: String?

    public init(
        id: String,
        workspaceID: String,
        title: String,
        parentPageID: String? = nil,
        createdAt: Date,
        lastEditedAt: Date,
        createdBy: String? = nil,
        lastEditedBy: String? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.title = title
        self.parentPageID = parentPageID
        self.createdAt = createdAt
        self.lastEditedAt = lastEditedAt
        self.createdBy = createdBy
        self.lastEditedBy = lastEditedBy
    }
}

/// Where a page sits: at the top of its workspace, in a database, or under another page.
public enum PageParent: Sendable, Equatable {
    case workspace
    case database(String)
    case page(String)
}

/// An icon of a page or a callout: an emoji or an external image, or (a page's) an uploaded file.
public enum Icon: Sendable, Equatable, Codable {
    case emoji(String)
    case external(url: String)
    case fileUpload(id: String)
}

/// A page's cover image: an external URL or an uploaded file. A string literal is an external URL.
public enum PageCover: Sendable, Equatable, ExpressibleByStringLiteral {
    case external(url: String)
    case fileUpload(id: String)

    public init(stringLiteral url: String) {
        self = .external(url: url)
    }

    /// As the store keeps it in one text column: the URL, or `file_upload:<id>` (no web URL
    /// starts so).
    public var stored: String {
        switch self {
        case .external(let url): url
        case .fileUpload(let id): Self.uploadPrefix + id
        }
    }

    public init(stored: String) {
        self =
            stored.hasPrefix(Self.uploadPrefix)
            ? .fileUpload(id: String(stored.dropFirst(Self.uploadPrefix.count))) : .external(url: stored)
    }

    private static let uploadPrefix = "file_upload:"
}

/// A page: a titled document, possibly a row of a database or a child of another page.
public struct PageRecord: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var title: String
    public var parent: PageParent
    public var archived: Bool
    /// Who created and last edited the page: a person's or a bot's user id.
    public var createdBy: String
    public var lastEditedBy: String
    public var createdAt: Date
    public var lastEditedAt: Date
    public var icon: Icon?
    public var cover: PageCover?

    public init(
        id: String,
        workspaceID: String,
        title: String,
        parent: PageParent,
        archived: Bool = false,
        createdBy: String,
        lastEditedBy: String,
        createdAt: Date,
        lastEditedAt: Date,
        icon: Icon? = nil,
        cover: PageCover? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.title = title
        self.parent = parent
        self.archived = archived
        self.createdBy = createdBy
        self.lastEditedBy = lastEditedBy
        self.createdAt = createdAt
        self.lastEditedAt = lastEditedAt
        self.icon = icon
        self.cover = cover
    }
}

/// A stored credential: never the token itself, only its digest and a display hint.
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var integrationID: String
    public var kind: TokenKind
    public var digest: TokenDigest
    /// Prefix and last four characters (`secret_…a1B2`), safe to show and log.
    public var displayHint: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var rotatedFromID: String?
    /// When, from where and by what client the token was last used, and how often in all
    /// (flushed from memory every few seconds).
    public var lastUsedAt: Date?
    public var lastUsedIP: String?
    public var lastUsedAgent: String?
    public var useCount: Int
    /// The OAuth grant (authorization code id) the token descends from; revoking the grant
    /// revokes every token that carries it.
    public var grantID: String?
    /// When a refresh token was exchanged for its successor.
    public var usedAt: Date?
    /// Who exchanged a used refresh token: the throttle key of the client's address, which a
    /// retry within the grace window must share.
    public var usedFrom: String?
    /// For a usage-limited key: how many requests it may make in all, and how many it made
    /// (counted in the store, for the whole cluster).
    public var maxUses: Int?
    public var uses: Int = 0
    /// The end of the OAuth grant's absolute lifetime: no refresh token of the grant is honoured
    /// after it, however recently the family was used (`nil` for API keys and older grants).
    public var grantExpiresAt: Date?

    public init(
        id: String,
        integrationID: String,
        kind: TokenKind,
        digest: TokenDigest,
        displayHint: String,
        createdAt: Date,
        expiresAt: Date? = nil,
        revokedAt: Date? = nil,
        rotatedFromID: String? = nil,
        lastUsedAt: Date? = nil,
        lastUsedIP: String? = nil,
        lastUsedAgent: String? = nil,
        useCount: Int = 0,
        grantID: String? = nil,
        usedAt: Date? = nil,
        usedFrom: String? = nil,
        grantExpiresAt: Date? = nil
    ) {
        self.grantID = grantID
        self.usedAt = usedAt
        self.usedFrom = usedFrom
        self.grantExpiresAt = grantExpiresAt
        self.lastUsedAt = lastUsedAt
        self.lastUsedIP = lastUsedIP
        self.lastUsedAgent = lastUsedAgent
        self.useCount = useCount
        self.id = id
        self.integrationID = integrationID
        self.kind = kind
        self.digest = digest
        self.displayHint = displayHint
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.rotatedFromID = rotatedFromID
    }

    /// Whether the token may be used at `now`.
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }
}

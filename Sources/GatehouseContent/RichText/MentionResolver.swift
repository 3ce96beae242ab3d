import GatehouseCore

/// What rendering a mention needs from elsewhere: names and titles, looked up by the caller.
///
/// The store answers from one batch query per response (collect ``RichText/mentionedIDs`` first);
/// `nil` means unknown or not visible to the caller, rendered as the API does for those.
public protocol MentionResolver: Sendable {
    /// The user's name, for `@Name`.
    func userName(id: String) -> String?
    /// The user object to embed in `mention.user`; `nil` embeds `{object: "user", id}`.
    func userObject(id: String) -> JSONValue?
    /// The page's title as plain text.
    func pageTitle(id: String) -> String?
    /// The database's title as plain text.
    func databaseTitle(id: String) -> String?
    /// Where an uploaded file can be downloaded, for the content that shows it (`name`: the name
    /// the content gives it, if any); `nil` when unknown.
    func fileLink(uploadID: String, name: String?) -> FileLink?
}

extension MentionResolver {
    public func userObject(id: String) -> JSONValue? { nil }
    public func fileLink(uploadID: String, name: String?) -> FileLink? { nil }
}

/// A link to download an uploaded file, as the API shows Notion-hosted files: `url` works without
/// authentication until `expiryTime` (ISO 8601).
public struct FileLink: Sendable, Equatable {
    public var url: String
    public var expiryTime: String

    public init(url: String, expiryTime: String) {
        self.url = url
        self.expiryTime = expiryTime
    }
}

/// A resolver that knows nothing: users show as `@Anonymous`, pages and databases as `Untitled`.
public struct UnresolvedMentions: MentionResolver {
    public init() {}
    public func userName(id: String) -> String? { nil }
    public func pageTitle(id: String) -> String? { nil }
    public func databaseTitle(id: String) -> String? { nil }
}

/// A resolver over fixed tables, for tests and for callers that loaded everything up front.
public struct MentionDirectory: MentionResolver {
    public var userNames: [String: String]
    public var pageTitles: [String: String]
    public var databaseTitles: [String: String]

    public init(
        userNames: [String: String] = [:],
        pageTitles: [String: String] = [:],
        databaseTitles: [String: String] = [:]
    ) {
        self.userNames = userNames
        self.pageTitles = pageTitles
        self.databaseTitles = databaseTitles
    }

    public func userName(id: String) -> String? { userNames[id] }
    public func pageTitle(id: String) -> String? { pageTitles[id] }
    public func databaseTitle(id: String) -> String? { databaseTitles[id] }
}

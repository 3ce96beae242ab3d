import Foundation

/// A user: a person, or an integration's bot (``bot`` is set).
public struct User: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    public let name: String?
    /// `person` or `bot`.
    public let type: String?
    public let avatarURL: String?
    public let person: Person?
    public let bot: Bot?

    /// A person's details; `email` only with the `user_info_with_email` capability.
    public struct Person: Decodable, Sendable, Equatable {
        public let email: String?
    }

    /// A bot's details; filled for `users/me`.
    public struct Bot: Decodable, Sendable, Equatable {
        public let owner: Owner?
        public let workspaceName: String?
        public let workspaceID: String?

        enum CodingKeys: String, CodingKey {
            case owner
            case workspaceName = "workspace_name"
            case workspaceID = "workspace_id"
        }
    }

    /// Whom a bot acts for: the workspace, or the person who authorized it (OAuth).
    public struct Owner: Decodable, Sendable, Equatable {
        /// `workspace` or `user`.
        public let type: String
        public let userID: String?
        public let userName: String?

        enum CodingKeys: String, CodingKey { case type, user }
        enum UserKeys: String, CodingKey { case id, name }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decode(String.self, forKey: .type)
            let user = try? container.nestedContainer(keyedBy: UserKeys.self, forKey: .user)
            userID = try user?.decodeIfPresent(String.self, forKey: .id)
            userName = try user?.decodeIfPresent(String.self, forKey: .name)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, type, person, bot
        case avatarURL = "avatar_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        avatarURL = try container.decodeIfPresent(String.self, forKey: .avatarURL)
        person = try container.decodeIfPresent(Person.self, forKey: .person)
        // An empty `bot: {}` (other bots in a user list) decodes to a Bot without details.
        bot = try container.decodeIfPresent(Bot.self, forKey: .bot)
    }
}

/// A database, with its title as plain text.
public struct Database: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    public let title: String
    public let url: String?
    public let archived: Bool
    public let createdTime: String?
    public let lastEditedTime: String?

    enum CodingKeys: String, CodingKey {
        case id, title, url, archived
        case createdTime = "created_time"
        case lastEditedTime = "last_edited_time"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = (try container.decodeIfPresent([RichText].self, forKey: .title) ?? []).map(\.plainText).joined()
        url = try container.decodeIfPresent(String.self, forKey: .url)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived) ?? false
        createdTime = try container.decodeIfPresent(String.self, forKey: .createdTime)
        lastEditedTime = try container.decodeIfPresent(String.self, forKey: .lastEditedTime)
    }
}

/// A page, with its title (the `title`-typed property) as plain text.
public struct Page: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    public let title: String
    public let archived: Bool
    public let url: String?
    /// The database the page is a row of, if any.
    public let databaseID: String?

    enum CodingKeys: String, CodingKey { case id, archived, url, properties, parent }
    enum ParentKeys: String, CodingKey {
        case databaseID = "database_id"
    }

    struct Property: Decodable {
        let type: String?
        let title: [RichText]?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived) ?? false
        url = try container.decodeIfPresent(String.self, forKey: .url)
        let properties = try container.decodeIfPresent([String: Property].self, forKey: .properties) ?? [:]
        title = properties.values.first { $0.type == "title" }?.title?.map(\.plainText).joined() ?? ""
        let parent = try? container.nestedContainer(keyedBy: ParentKeys.self, forKey: .parent)
        databaseID = try parent?.decodeIfPresent(String.self, forKey: .databaseID)
    }
}

/// A search hit: a page or a database.
public enum SearchResult: Decodable, Sendable, Equatable {
    case page(Page)
    case database(Database)

    enum CodingKeys: String, CodingKey { case object }

    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .object)
        self = object == "database" ? .database(try Database(from: decoder)) : .page(try Page(from: decoder))
    }
}

/// One page of a paginated list.
public struct ListResponse<Item: Decodable & Sendable & Equatable>: Decodable, Sendable, Equatable {
    public let results: [Item]
    /// Pass it as `startCursor` for the next page; `nil` on the last one.
    public let nextCursor: String?
    public let hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case results
        case nextCursor = "next_cursor"
        case hasMore = "has_more"
    }
}

struct RichText: Decodable {
    let plainText: String

    enum CodingKeys: String, CodingKey { case plainText = "plain_text" }
}

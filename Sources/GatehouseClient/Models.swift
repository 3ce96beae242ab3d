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

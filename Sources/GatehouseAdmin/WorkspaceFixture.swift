import Foundation
import GatehouseContent
import GatehouseCore

/// A workspace as a versioned JSON document (`docs/fixtures.md`), for test suites to start from a
/// known workspace: its users, content and internal integrations with their shares, ids preserved.
///
/// It never holds a secret: no password hashes, second factors, sessions, tokens or client
/// secrets. Content is kept in the store's own encodings (schemas, property values, block content,
/// rich text), so an import writes exactly what was exported.
public struct WorkspaceFixture: Codable, Equatable, Sendable {
    /// What the `format` field must say.
    public static let formatName = "gatehouse-workspace"
    /// The version this build writes and reads.
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var workspace: WorkspaceEntry
    public var users: [UserEntry]
    public var integrations: [IntegrationEntry]
    public var databases: [DatabaseEntry]
    public var dataSources: [DataSourceEntry]
    public var pages: [PageEntry]
    public var blocks: [BlockEntry]
    public var comments: [CommentEntry]

    enum CodingKeys: String, CodingKey {
        case format, version, workspace, users, integrations, databases, pages, blocks, comments
        case dataSources = "data_sources"
    }

    /// The workspace itself: id, name, icon, plan and creation time.
    public struct WorkspaceEntry: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var icon: String?
        public var plan: Plan
        public var createdTime: Date

        enum CodingKeys: String, CodingKey {
            case id, name, icon, plan
            case createdTime = "created_time"
        }
    }

    /// A person; imported without a password (set one with `gatehouse set-password`).
    public struct UserEntry: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var email: String
        public var role: Role
        public var createdTime: Date

        enum CodingKeys: String, CodingKey {
            case id, name, email, role
            case createdTime = "created_time"
        }
    }

    /// An internal integration with its capabilities and shares; imported without a key.
    public struct IntegrationEntry: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var botID: String
        public var capabilities: [String]
        public var shares: [ShareEntry]
        public var createdTime: Date

        enum CodingKeys: String, CodingKey {
            case id, name, capabilities, shares
            case botID = "bot_id"
            case createdTime = "created_time"
        }
    }

    /// A database or page shared with an integration.
    public struct ShareEntry: Codable, Equatable, Sendable {
        /// `database` or `page`.
        public var type: String
        public var id: String
    }

    /// A database: its title, the page it lives in (if any), its authors (when recorded) and its
    /// times.
    public struct DatabaseEntry: Codable, Equatable, Sendable {
        public var id: String
        public var title: String
        public var parentPageID: String?
        public var createdBy: String?
        public var lastEditedBy: String?
        public var createdTime: Date
        public var lastEditedTime: Date

        enum CodingKeys: String, CodingKey {
            case id, title
            case parentPageID = "parent_page_id"
            case createdBy = "created_by"
            case lastEditedBy = "last_edited_by"
            case createdTime = "created_time"
            case lastEditedTime = "last_edited_time"
        }
    }

    /// A data source; the one whose id is its database's is the database's first.
    public struct DataSourceEntry: Codable, Equatable, Sendable {
        public var id: String
        public var databaseID: String
        public var name: String
        public var inTrash: Bool
        public var schema: DataSourceSchema
        public var createdBy: String?
        public var lastEditedBy: String?
        public var createdTime: Date
        public var lastEditedTime: Date

        enum CodingKeys: String, CodingKey {
            case id, name, schema
            case databaseID = "database_id"
            case inTrash = "in_trash"
            case createdBy = "created_by"
            case lastEditedBy = "last_edited_by"
            case createdTime = "created_time"
            case lastEditedTime = "last_edited_time"
        }
    }

    /// Where a page or block hangs: `workspace`, `data_source_id`, `page_id` or `block_id`.
    public struct ParentEntry: Codable, Equatable, Sendable {
        public var type: String
        public var id: String?
    }

    /// A page: its parent, its property values in the store's encoding, its trash state and times.
    public struct PageEntry: Codable, Equatable, Sendable {
        public var id: String
        public var parent: ParentEntry
        public var inTrash: Bool
        public var createdBy: String
        public var lastEditedBy: String
        public var createdTime: Date
        public var lastEditedTime: Date
        /// Values keyed by property id, as stored.
        public var properties: [String: PropertyValue]
        public var uniqueNumber: Int?
        /// The icon and cover as the API writes them (`{type: "emoji", emoji}`, `{type: "external", external: {url}}`).
        public var icon: JSONValue?
        public var cover: JSONValue?

        enum CodingKeys: String, CodingKey {
            case id, parent, properties, icon, cover
            case inTrash = "in_trash"
            case createdBy = "created_by"
            case lastEditedBy = "last_edited_by"
            case createdTime = "created_time"
            case lastEditedTime = "last_edited_time"
            case uniqueNumber = "unique_number"
        }
    }

    /// A block; the list holds parents before their children, siblings in order.
    public struct BlockEntry: Codable, Equatable, Sendable {
        public var id: String
        public var parent: ParentEntry
        public var pageID: String
        public var position: Int64
        public var inTrash: Bool
        public var content: BlockContent
        public var createdBy: String
        public var lastEditedBy: String
        public var createdTime: Date
        public var lastEditedTime: Date

        enum CodingKeys: String, CodingKey {
            case id, parent, position, content
            case pageID = "page_id"
            case inTrash = "in_trash"
            case createdBy = "created_by"
            case lastEditedBy = "last_edited_by"
            case createdTime = "created_time"
            case lastEditedTime = "last_edited_time"
        }
    }

    /// A comment: where it hangs, its discussion, author, rich text and times.
    public struct CommentEntry: Codable, Equatable, Sendable {
        public var id: String
        /// `page_id` or `block_id`.
        public var parent: ParentEntry
        public var pageID: String
        public var discussionID: String
        public var richText: RichText
        /// `integration`, `user` or `custom`.
        public var displayType: String
        public var displayName: String?
        public var createdBy: String
        public var createdTime: Date
        public var lastEditedTime: Date

        enum CodingKeys: String, CodingKey {
            case id, parent
            case pageID = "page_id"
            case discussionID = "discussion_id"
            case richText = "rich_text"
            case displayType = "display_type"
            case displayName = "display_name"
            case createdBy = "created_by"
            case createdTime = "created_time"
            case lastEditedTime = "last_edited_time"
        }
    }

    // MARK: JSON

    /// The fixture as JSON: keys sorted, timestamps ISO 8601 with milliseconds (as stored).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.timestamp.string(from: date))
        }
        return try encoder.encode(self)
    }

    /// Reads a fixture; a malformed one is an ``AdminError`` naming the JSON path (`$.pages[2].parent`).
    public static func decode(_ data: Data) throws -> WorkspaceFixture {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Self.timestamp.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "expected an ISO 8601 timestamp"
                )
            }
            // Whole milliseconds, as the store keeps them, whatever the parser's floating point did.
            return Date(epochMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
        do {
            let header = try decoder.decode(Header.self, from: data)
            guard header.format == formatName else {
                throw AdminError("the fixture at $.format must be \"\(formatName)\"")
            }
            guard header.version == currentVersion else {
                throw AdminError(
                    "the fixture's $.version \(header.version) is not one this build reads (\(currentVersion))"
                )
            }
            return try decoder.decode(WorkspaceFixture.self, from: data)
        } catch let error as DecodingError {
            throw AdminError(describing: error)
        }
    }

    private struct Header: Decodable {
        var format: String
        var version: Int
    }

    /// ISO8601DateFormatter is documented thread-safe; it is never mutated after this.
    nonisolated(unsafe) private static let timestamp: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

extension AdminError {
    /// A decoding failure as one line with the JSON path of what was wrong.
    init(describing error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("$") { path, key in
                if let index = key.intValue { return "\(path)[\(index)]" }
                return "\(path).\(key.stringValue)"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init("the fixture has no \(path(context.codingPath + [key]))")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            self.init("the fixture's \(path(context.codingPath)) is not valid: \(context.debugDescription.prefix(120))")
        case .dataCorrupted(let context):
            self.init(
                context.codingPath.isEmpty
                    ? "the fixture is not valid JSON"
                    : "the fixture's \(path(context.codingPath)) is not valid: \(context.debugDescription.prefix(120))"
            )
        @unknown default:
            self.init("the fixture is not valid")
        }
    }
}

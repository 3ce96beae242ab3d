import Foundation
import GatehouseCore

/// The changes a webhook subscription can be told about, named as Notion names them in API
/// version 2025-09-03 (``named(forVersion:)`` gives an older subscription's names).
public enum WebhookEventType: String, CaseIterable, Sendable {
    case pageCreated = "page.created"
    case pagePropertiesUpdated = "page.properties_updated"
    case pageContentUpdated = "page.content_updated"
    case pageMoved = "page.moved"
    case pageDeleted = "page.deleted"
    case pageUndeleted = "page.undeleted"
    case databaseCreated = "database.created"
    case databaseMoved = "database.moved"
    case databaseDeleted = "database.deleted"
    case databaseUndeleted = "database.undeleted"
    case dataSourceCreated = "data_source.created"
    case dataSourceContentUpdated = "data_source.content_updated"
    case dataSourceSchemaUpdated = "data_source.schema_updated"
    case dataSourceMoved = "data_source.moved"
    case dataSourceDeleted = "data_source.deleted"
    case dataSourceUndeleted = "data_source.undeleted"
    case commentCreated = "comment.created"
    case commentUpdated = "comment.updated"
    case commentDeleted = "comment.deleted"

    /// The capability a subscription's integration needs to be told: comments need
    /// `read_comments`, everything else `read_content`.
    public var neededCapability: Capabilities.Content {
        switch self {
        case .commentCreated, .commentUpdated, .commentDeleted: .readComments
        default: .readContent
        }
    }

    /// Whether events of this type for one entity close together are sent as one (their
    /// `updated_blocks` or `updated_properties` merged), after a short delay, as Notion
    /// aggregates everything but comments.
    public var isAggregated: Bool {
        switch self {
        case .commentCreated, .commentUpdated, .commentDeleted: false
        default: true
        }
    }

    /// The name a subscription on API version `version` knows this event by, or `nil` when that
    /// version is not sent it: before 2025-09-03 a data source's content and schema events were
    /// its database's, and the other data source events did not exist.
    public func named(forVersion version: String) -> String? {
        guard version < "2025-09-03" else { return rawValue }
        switch self {
        case .dataSourceContentUpdated: return "database.content_updated"
        case .dataSourceSchemaUpdated: return "database.schema_updated"
        case .dataSourceCreated, .dataSourceMoved, .dataSourceDeleted, .dataSourceUndeleted: return nil
        default: return rawValue
        }
    }

    /// Reads a comma- or space-separated list of event types (either version's names); throws
    /// naming the first unknown one.
    public static func list(parsing text: String) throws(WebhookSubscriptionError) -> [WebhookEventType] {
        var types: [WebhookEventType] = []
        for name in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !name.isEmpty {
            let canonical: String =
                switch name {
                case "database.content_updated": "data_source.content_updated"
                case "database.schema_updated": "data_source.schema_updated"
                default: String(name)
                }
            guard let type = WebhookEventType(rawValue: canonical) else {
                throw .unknownEventType(String(name.prefix(60)))
            }
            if !types.contains(type) { types.append(type) }
        }
        return types
    }
}

/// What an event is about: `entity` in the envelope.
public struct WebhookEntity: Sendable, Equatable {
    /// `page`, `block`, `data_source`, `database` or `comment`.
    public var type: String
    public var id: String

    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }
}

/// One change to tell subscriptions about, recorded in the transaction of the write that made it
/// and later fanned out to every subscription whose integration may see it.
public struct WebhookEvent: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var type: WebhookEventType
    public var entity: WebhookEntity
    /// The content node whose sharing decides who is told: the page for a comment, the page or
    /// data source itself otherwise. `kind` is the store's node kind (`page`, `source`, `database`).
    public var subjectKind: String
    public var subjectID: String
    /// Who made the change: `[{id, type}]`, `type` `person` or `bot`.
    public var authors: [WebhookAuthor]
    /// The event's `data` member (an object).
    public var data: JSONValue
    public var occurredAt: Date

    public init(
        id: String = UUIDv4.string(),
        workspaceID: String,
        type: WebhookEventType,
        entity: WebhookEntity,
        subjectKind: String,
        subjectID: String,
        authors: [WebhookAuthor],
        data: JSONValue,
        occurredAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.type = type
        self.entity = entity
        self.subjectKind = subjectKind
        self.subjectID = subjectID
        self.authors = authors
        self.data = data
        self.occurredAt = occurredAt
    }
}

/// Someone who made a change: a person or an integration's bot.
public struct WebhookAuthor: Sendable, Equatable, Hashable {
    public var id: String
    /// `person` or `bot`.
    public var type: String

    public init(id: String, type: String) {
        self.id = id
        self.type = type
    }

    public var json: JSONValue { ["id": .string(id), "type": .string(type)] }
}

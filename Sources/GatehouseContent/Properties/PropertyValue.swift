import GatehouseCore

/// A date property value: `start`, optional `end` and `time_zone`, kept as the request wrote them.
public struct DateValue: Codable, Equatable, Sendable {
    public var start: String
    public var end: String?
    public var timeZone: String?

    public init(start: String, end: String? = nil, timeZone: String? = nil) {
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// `start` in milliseconds since 1970 (UTC; a date without time is its midnight UTC).
    public var startMilliseconds: Int64? { ISODate.parse(start)?.milliseconds }
    /// `end` in milliseconds since 1970, when there is an end.
    public var endMilliseconds: Int64? { end.flatMap { ISODate.parse($0)?.milliseconds } }
}

/// A page's stored value of one writable property (computed ones come from ``PageMetadata``).
///
/// Select, multi-select and status values hold option ids, so renaming an option renames it on every
/// page; people hold user ids and relations page ids, which the caller resolves when rendering.
public enum PropertyValue: Codable, Equatable, Sendable {
    case title(RichText)
    case richText(RichText)
    case number(Double?)
    case select(optionId: String?)
    case multiSelect(optionIds: [String])
    case status(optionId: String?)
    case date(DateValue?)
    case people(userIds: [String])
    case checkbox(Bool)
    case url(String?)
    case email(String?)
    case phoneNumber(String?)
    case relation(pageIds: [String])
    /// File objects in response form (`{name, type, external|file}`).
    case files([JSONValue])

    /// The `plain_text` of a title or rich text value, mentions unresolved (what filters and sorts
    /// compare); `nil` for other types.
    public var plainText: String? {
        switch self {
        case .title(let text), .richText(let text): text.plainText(resolving: UnresolvedMentions())
        default: nil
        }
    }
}

/// What the API computes for a page rather than stores in its properties: passed in by the caller.
public struct PageMetadata: Codable, Equatable, Sendable {
    /// Milliseconds since 1970.
    public var createdTime: Int64
    public var lastEditedTime: Int64
    public var createdBy: String
    public var lastEditedBy: String
    /// The page's `unique_id` number within its data source, when the schema has one.
    public var uniqueNumber: Int?

    public init(
        createdTime: Int64,
        lastEditedTime: Int64,
        createdBy: String,
        lastEditedBy: String,
        uniqueNumber: Int? = nil
    ) {
        self.createdTime = createdTime
        self.lastEditedTime = lastEditedTime
        self.createdBy = createdBy
        self.lastEditedBy = lastEditedBy
        self.uniqueNumber = uniqueNumber
    }
}

/// A page as the query rules see it: its stored values keyed by property id, and its metadata.
public struct PageProperties: Codable, Equatable, Sendable {
    public var values: [String: PropertyValue]
    public var metadata: PageMetadata

    public init(values: [String: PropertyValue], metadata: PageMetadata) {
        self.values = values
        self.metadata = metadata
    }
}

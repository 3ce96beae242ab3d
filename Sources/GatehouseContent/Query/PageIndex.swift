import GatehouseCore

/// One row of a page's query index: what the store writes so it can filter and sort in SQL.
///
/// A page has, per filterable property, one row per element (one for a title, number, date,
/// checkbox or select; one per option of a multi-select, per user, per related page, per file) and
/// **no row when the value is empty**: `is_empty` is `NOT EXISTS` a row. Exactly one column besides
/// `propertyId` is set, except `dateEnd` which accompanies `dateStart`.
public struct IndexedValue: Codable, Equatable, Hashable, Sendable {
    /// The property id, or ``IndexedValue/createdTimeKey`` / ``IndexedValue/lastEditedTimeKey``.
    public var propertyId: String
    /// Text lowercased (``foldedForFilter(_:)``): title, rich_text, url, email, phone_number.
    public var text: String?
    /// An exact key: option id, user id, page id, file name.
    public var key: String?
    public var number: Double?
    /// Epoch milliseconds: a date's start, or a timestamp.
    public var dateStart: Int64?
    public var dateEnd: Int64?
    /// A checkbox.
    public var flag: Bool?

    public init(
        propertyId: String,
        text: String? = nil,
        key: String? = nil,
        number: Double? = nil,
        dateStart: Int64? = nil,
        dateEnd: Int64? = nil,
        flag: Bool? = nil
    ) {
        self.propertyId = propertyId
        self.text = text
        self.key = key
        self.number = number
        self.dateStart = dateStart
        self.dateEnd = dateEnd
        self.flag = flag
    }

    /// The reserved id of the page's `created_time` timestamp rows (not a valid Notion property id:
    /// those are URL-encoded, so never hold `@`).
    public static let createdTimeKey = "@created_time"
    /// The reserved id of the page's `last_edited_time` timestamp rows.
    public static let lastEditedTimeKey = "@last_edited_time"
}

/// Builds a page's index rows from its values, the schema and its metadata.
///
/// Re-index a page when it is written, and every page of a data source when its schema changes a
/// property's type or adds a computed property (created_*, last_edited_*, unique_id).
public enum PageIndexer {
    /// The rows for every filterable property of `schema`, plus both timestamps.
    public static func rows(for page: PageProperties, schema: DataSourceSchema) -> [IndexedValue] {
        var rows = rows(IndexedValue.createdTimeKey, .date(start: page.metadata.createdTime, end: nil))
        rows += Self.rows(IndexedValue.lastEditedTimeKey, .date(start: page.metadata.lastEditedTime, end: nil))
        for property in schema.properties {
            let target = FilterTarget.property(id: property.id, type: property.type)
            rows += Self.rows(property.id, FilterableValue.of(target, in: page))
        }
        return rows
    }

    /// The rows of one value; none when it is empty.
    public static func rows(_ propertyId: String, _ value: FilterableValue) -> [IndexedValue] {
        switch value {
        case .text(let text): text.isEmpty ? [] : [IndexedValue(propertyId: propertyId, text: foldedForFilter(text))]
        case .number(let number): number.map { [IndexedValue(propertyId: propertyId, number: $0)] } ?? []
        case .flag(let flag): [IndexedValue(propertyId: propertyId, flag: flag)]
        case .keys(let keys): Array(Set(keys)).sorted().map { IndexedValue(propertyId: propertyId, key: $0) }
        case .date(let start?, let end): [IndexedValue(propertyId: propertyId, dateStart: start, dateEnd: end)]
        case .date(nil, _), .none: []
        }
    }

    /// The index key a filter target reads.
    public static func key(of target: FilterTarget) -> String {
        switch target {
        case .createdTime: IndexedValue.createdTimeKey
        case .lastEditedTime: IndexedValue.lastEditedTimeKey
        case .property(let id, let type):
            switch type {
            case .createdTime: IndexedValue.createdTimeKey
            case .lastEditedTime: IndexedValue.lastEditedTimeKey
            default: id
            }
        }
    }
}

/// The kind of object a search keeps (`filter: {"property": "object", "value": …}`).
public enum SearchFilter: String, Sendable, Hashable {
    case page
    /// 2025-09-03 on.
    case dataSource = "data_source"
    /// Before 2025-09-03.
    case database
}

/// One sort of a query: by a property, or by a page's created or last-edited time.
public struct QuerySort: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable {
        case ascending
        case descending
    }

    public enum Timestamp: String, Sendable, Hashable {
        case createdTime = "created_time"
        case lastEditedTime = "last_edited_time"
    }

    /// The sort as the request sends it.
    public let json: JSONValue

    /// By the property named (or with the id) `property`.
    public static func property(_ property: String, _ direction: Direction = .ascending) -> QuerySort {
        QuerySort(json: ["property": .string(property), "direction": .string(direction.rawValue)])
    }

    public static func timestamp(_ timestamp: Timestamp, _ direction: Direction = .ascending) -> QuerySort {
        QuerySort(json: ["timestamp": .string(timestamp.rawValue), "direction": .string(direction.rawValue)])
    }
}

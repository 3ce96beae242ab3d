import Foundation

/// Where a page, database, data source, block or comment lives.
///
/// Used in requests (`.page(id)` to create under a page, `.dataSource(id)` to create a row) and
/// read from responses, at every version: before 2025-09-03 a row's parent is `.database`, from
/// it on `.dataSource` (which also names the database).
public enum Parent: Codable, Sendable, Hashable {
    case workspace
    case page(String)
    case database(String)
    /// A data source, with the id of the database that contains it (in responses).
    case dataSource(String, databaseID: String? = nil)
    case block(String)
    /// A parent this SDK has no case for, as sent.
    case other(JSONValue)

    /// The parent's id (`nil` for the workspace).
    public var id: String? {
        switch self {
        case .workspace: nil
        case .page(let id), .database(let id), .block(let id), .dataSource(let id, _): id
        case .other(let json): json["type"]?.stringValue.flatMap { json[$0]?.stringValue }
        }
    }

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        let keys = ["workspace", "page_id", "data_source_id", "database_id", "block_id"]
        let type = json["type"]?.stringValue ?? keys.first { json[$0] != nil }
        let id = type.flatMap { json[$0]?.stringValue }
        switch (type, id) {
        case ("workspace", _): self = .workspace
        case ("page_id", .some(let id)): self = .page(id)
        case ("database_id", .some(let id)): self = .database(id)
        case ("data_source_id", .some(let id)): self = .dataSource(id, databaseID: json["database_id"]?.stringValue)
        case ("block_id", .some(let id)): self = .block(id)
        default: self = .other(json)
        }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// The parent as a request sends it (`{"type": "page_id", "page_id": …}`).
    public var json: JSONValue {
        switch self {
        case .workspace: ["type": "workspace", "workspace": true]
        case .page(let id): ["type": "page_id", "page_id": .string(id)]
        case .database(let id): ["type": "database_id", "database_id": .string(id)]
        case .dataSource(let id, _): ["type": "data_source_id", "data_source_id": .string(id)]
        case .block(let id): ["type": "block_id", "block_id": .string(id)]
        case .other(let json): json
        }
    }
}

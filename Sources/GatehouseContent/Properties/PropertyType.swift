import GatehouseCore

/// A data source property's type, as named on the wire (`"multi_select"`).
///
/// Source: `PropertyConfigurationRequest` in notion-sdk-js `src/api-endpoints/common.ts`.
public enum PropertyType: String, CaseIterable, Codable, Sendable {
    case title, number, select, status, date, people, checkbox, url, email, relation, files, formula, rollup
    case richText = "rich_text"
    case multiSelect = "multi_select"
    case phoneNumber = "phone_number"
    case createdTime = "created_time"
    case lastEditedTime = "last_edited_time"
    case createdBy = "created_by"
    case lastEditedBy = "last_edited_by"
    case uniqueId = "unique_id"

    /// Whether pages cannot write this property: its value is computed by Notion.
    public var isReadOnly: Bool {
        switch self {
        case .formula, .rollup, .uniqueId, .createdTime, .lastEditedTime, .createdBy, .lastEditedBy: true
        default: false
        }
    }

    /// Whether the property's value is a list that `GET /v1/pages/{id}/properties/{property_id}` pages.
    public var isPaginatedItem: Bool {
        switch self {
        case .title, .richText, .people, .relation, .rollup: true
        default: false
        }
    }
}

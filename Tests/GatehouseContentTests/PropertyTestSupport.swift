import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport

/// JSON text as a value, for fixtures copied from the API reference.
func propsJSON(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

/// The schema of the Tasks data source the property tests use, built through the parser.
///
/// The top level is built in order rather than parsed: `JSONValue.parse` does not keep key order,
/// and ids are drawn in property order, so every call must see the same order.
func tasksSchema() throws -> DataSourceSchema {
    var ids = SeededShortIds(seed: 7)
    let properties: [(String, String)] = [
        ("Name", #"{"title": {}}"#),
        ("Notes", #"{"rich_text": {}}"#),
        ("Estimate", #"{"number": {"format": "number_with_commas"}}"#),
        (
            "Tags",
            #"{"multi_select": {"options": [{"name": "bug", "color": "red"}, {"name": "ui"}, {"name": "api", "color": "blue"}]}}"#
        ),
        (
            "Priority",
            #"{"select": {"options": [{"name": "High", "color": "red"}, {"name": "Low", "color": "green"}]}}"#
        ),
        ("Status", #"{"status": {}}"#),
        ("Due", #"{"date": {}}"#),
        ("Assignee", #"{"people": {}}"#),
        ("Done", #"{"checkbox": {}}"#),
        ("Link", #"{"url": {}}"#),
        ("Contact", #"{"email": {}}"#),
        ("Phone", #"{"phone_number": {}}"#),
        (
            "Blocked by",
            #"{"relation": {"data_source_id": "1c2b3a4d-0000-4000-8000-000000000001", "single_property": {}}}"#
        ),
        ("Attachments", #"{"files": {}}"#),
        ("Created", #"{"created_time": {}}"#),
        ("Edited", #"{"last_edited_time": {}}"#),
        ("Creator", #"{"created_by": {}}"#),
        ("Editor", #"{"last_edited_by": {}}"#),
        ("Score", #"{"formula": {"expression": "prop(\"Estimate\") * 2"}}"#),
        ("Task ID", #"{"unique_id": {"prefix": "TASK"}}"#),
    ]
    return try SchemaParser.create(.object(try properties.map { ($0.0, try propsJSON($0.1)) }), ids: &ids)
}

/// Random JSON of bounded depth, for the never-crash tests.
func randomJSON(_ random: inout SeededGenerator, depth: Int = 0) -> JSONValue {
    let words: [String] = [
        "equals", "and", "or", "property", "title", "Name", "select", "me", "2024-01-01", "", "is_empty", "type",
    ]
    switch Int.random(in: 0..<(depth > 3 ? 4 : 7), using: &random) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &random))
    case 2: return .number(Double(Int.random(in: -5...5, using: &random)))
    case 3: return .string(words.randomElement(using: &random) ?? "")
    case 4:
        return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in randomJSON(&random, depth: depth + 1) })
    default:
        return .object(
            (0..<Int.random(in: 0...3, using: &random)).map { _ in
                (words.randomElement(using: &random) ?? "", randomJSON(&random, depth: depth + 1))
            }
        )
    }
}

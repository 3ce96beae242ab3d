import GatehouseCore

/// Answers `GET /v1/pages/{id}/properties/{property_id}`: a paginated `list` of `property_item`
/// objects for title, rich_text, people and relation (and rollup), a single `property_item` otherwise.
///
/// Cursors are the offset of the next item, opaque to clients; `next_url` is built from the
/// `baseURL` the caller passes (the request URL without query).
public enum PropertyItemPager {
    /// The response for `property` of a page, from its rendered value object (``PropertyValueRenderer``).
    public static func respond(
        property: PropertyDefinition,
        renderedValue: JSONValue,
        pageSize: Int?,
        startCursor: String?,
        baseURL: String
    ) throws -> JSONValue {
        let type = property.type.rawValue
        let payload = renderedValue[type] ?? .null
        guard property.type.isPaginatedItem else {
            return item(property, payload)
        }
        let size = pageSize ?? PropertyValueLimits.pageSize
        guard (1...PropertyValueLimits.pageSize).contains(size) else {
            throw ContentValidationError.expected(
                "a number between 1 and \(PropertyValueLimits.pageSize)",
                at: "query.page_size",
                got: .number(Double(size))
            )
        }
        let start: Int
        if let startCursor {
            guard let offset = Int(startCursor), offset >= 0 else {
                throw ContentValidationError(
                    path: "query.start_cursor",
                    message: "start_cursor should be a valid cursor."
                )
            }
            start = offset
        } else {
            start = 0
        }
        let elements: [JSONValue] =
            if case .array(let items) = payload { items } else { [] }
        let slice = elements.dropFirst(start).prefix(size)
        let end = start + slice.count
        let hasMore = end < elements.count
        var summary: [(String, JSONValue)] = [("type", .string(type)), (type, [:])]
        if property.type == .rollup, case .object(let rollup) = payload {
            summary = [("type", "rollup"), ("rollup", .object(rollup))]
        }
        summary += [
            ("next_url", hasMore ? .string("\(baseURL)?start_cursor=\(end)") : .null), ("id", .string(property.id)),
        ]
        return [
            "object": "list",
            "results": .array(slice.map { item(property, $0) }),
            "next_cursor": hasMore ? .string(String(end)) : .null,
            "has_more": .bool(hasMore),
            "type": "property_item",
            "property_item": .object(summary),
        ]
    }

    /// One `property_item` object: `{object, id, type, <type>: value}`.
    static func item(_ property: PropertyDefinition, _ value: JSONValue) -> JSONValue {
        .object([
            ("object", "property_item"), ("id", .string(property.id)), ("type", .string(property.type.rawValue)),
            (property.type.rawValue, value),
        ])
    }
}

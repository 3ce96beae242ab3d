import GatehouseCore

/// One entry of a query's `sorts`: a property or a timestamp, and the direction.
public struct QuerySort: Equatable, Sendable {
    public var target: FilterTarget
    public var ascending: Bool

    public init(target: FilterTarget, ascending: Bool) {
        self.target = target
        self.ascending = ascending
    }

    /// Parses `sorts`: `[{property, direction}]` or `[{timestamp, direction}]` entries, properties by
    /// name or id.
    public static func parse(
        _ value: JSONValue?,
        schema: DataSourceSchema,
        at path: String = "body.sorts"
    ) throws -> [QuerySort] {
        guard let value, !value.isNull else { return [] }
        return try PropertyJSONReader.array(value, at: path).enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            _ = try PropertyJSONReader.object(item, at: itemPath)
            let direction = try PropertyJSONReader.string(item["direction"], at: "\(itemPath).direction")
            guard direction == "ascending" || direction == "descending" else {
                throw ContentValidationError.expected(
                    "`ascending` or `descending`",
                    at: "\(itemPath).direction",
                    got: item["direction"]
                )
            }
            let ascending = direction == "ascending"
            switch (item["property"], item["timestamp"]) {
            case (let property?, nil):
                let key = try PropertyJSONReader.string(property, at: "\(itemPath).property")
                guard let definition = schema.property(named: key) else {
                    throw ContentValidationError(
                        path: "\(itemPath).property",
                        message: "Could not find sort property with name or id: \(key)"
                    )
                }
                return QuerySort(target: .property(id: definition.id, type: definition.type), ascending: ascending)
            case (nil, let timestamp?):
                switch timestamp {
                case "created_time": return QuerySort(target: .createdTime, ascending: ascending)
                case "last_edited_time": return QuerySort(target: .lastEditedTime, ascending: ascending)
                default:
                    throw ContentValidationError.expected(
                        "`created_time` or `last_edited_time`",
                        at: "\(itemPath).timestamp",
                        got: timestamp
                    )
                }
            default:
                throw ContentValidationError(
                    path: itemPath,
                    message: "\(itemPath) should have exactly one of `property` or `timestamp`."
                )
            }
        }
    }
}

/// What a page sorts by for one target: the store keeps it beside the index rows (one per page and
/// sorted property) and orders by it with empty values last in both directions.
public enum SortKey: Comparable, Sendable {
    case number(Double)
    case text(String)

    /// The key of `target` for `page`; `nil` when the value is empty.
    ///
    /// Text sorts lowercased; checkboxes as 0/1; dates by start; select, status and multi-select by
    /// the position of their (first) option in the schema, as Notion orders options; people,
    /// relations and files by their first id or name.
    public static func of(_ target: FilterTarget, in page: PageProperties, schema: DataSourceSchema) -> SortKey? {
        let value = FilterableValue.of(target, in: page)
        switch value {
        case .text(let text): return text.isEmpty ? nil : .text(foldedForFilter(text))
        case .number(let number): return number.map(SortKey.number)
        case .flag(let flag): return .number(flag ? 1 : 0)
        case .date(let start, _): return start.map { .number(Double($0)) }
        case .none: return nil
        case .keys(let keys):
            guard !keys.isEmpty else { return nil }
            if case .property(let id, let type) = target, [.select, .status, .multiSelect].contains(type),
                let options = schema.properties.first(where: { $0.id == id })?.options
            {
                let positions = keys.compactMap { key in options.firstIndex { $0.id == key } }
                return positions.min().map { .number(Double($0)) }
            }
            return keys.min().map(SortKey.text)
        }
    }
}

/// Orders pages by a query's sorts: the reference for the store's `ORDER BY`.
public enum PageComparator {
    /// Negative when `lhs` comes first, positive when `rhs` does, zero when the sorts tie (the caller
    /// breaks ties, e.g. by creation order).
    public static func compare(
        _ lhs: PageProperties,
        _ rhs: PageProperties,
        by sorts: [QuerySort],
        schema: DataSourceSchema
    ) -> Int {
        for sort in sorts {
            let left = SortKey.of(sort.target, in: lhs, schema: schema)
            let right = SortKey.of(sort.target, in: rhs, schema: schema)
            switch (left, right) {
            case (nil, nil): continue
            case (nil, _): return 1
            case (_, nil): return -1
            case (let left?, let right?):
                if left == right { continue }
                return (left < right) == sort.ascending ? -1 : 1
            }
        }
        return 0
    }
}

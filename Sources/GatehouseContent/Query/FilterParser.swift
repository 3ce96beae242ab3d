import GatehouseCore

/// Parses a query's `filter` against a data source's schema.
///
/// Properties are named by name or id; select, multi-select and status options by name (resolved
/// to option ids here, so an unknown name matches nothing); people conditions accept `"me"`.
public struct FilterParser: Sendable {
    public var schema: DataSourceSchema
    /// "Now" in epoch milliseconds, for relative date conditions.
    public var now: Int64
    /// The user `"me"` stands for in people conditions (the integration's bot user).
    public var currentUserId: String?
    /// Before 2022-02-22 filters also named rich_text `text` and phone_number `phone` (and string
    /// formulas `text`); https://developers.notion.com/changelog/releasing-notion-version-2022-02-22.
    public var acceptsLegacyKeys: Bool

    public init(schema: DataSourceSchema, now: Int64, currentUserId: String? = nil, version: NotionVersion? = nil) {
        self.schema = schema
        self.now = now
        self.currentUserId = currentUserId
        self.acceptsLegacyKeys = version.map { $0.value < "2022-02-22" } ?? false
    }

    /// The filter in `value`; `nil` when absent or `null` (every page matches).
    public func parse(_ value: JSONValue?, at path: String = "body.filter") throws -> QueryFilter? {
        guard let value, !value.isNull else { return nil }
        return try filter(value, at: path, depth: 0)
    }

    static let propertyFilterTypes = [
        "title", "rich_text", "number", "checkbox", "select", "multi_select", "status", "date", "people", "files",
        "url",
        "email", "phone_number", "relation", "created_by", "created_time", "last_edited_by", "last_edited_time",
        "formula",
        "unique_id", "rollup",
    ]

    func filter(_ value: JSONValue, at path: String, depth: Int) throws -> QueryFilter {
        let members = try PropertyJSONReader.object(value, at: path)
        for compound in ["and", "or"] {
            guard let operands = members.last(where: { $0.0 == compound })?.1 else { continue }
            let compoundPath = "\(path).\(compound)"
            guard depth < PropertyValueLimits.filterNestingDepth else {
                throw ContentValidationError(
                    path: compoundPath,
                    message: "\(compoundPath) should be not present: compound filters nest at most "
                        + "\(PropertyValueLimits.filterNestingDepth) levels deep."
                )
            }
            let items = try PropertyJSONReader.array(operands, at: compoundPath)
            let parsed = try items.enumerated().map { try filter($1, at: "\(compoundPath)[\($0)]", depth: depth + 1) }
            return compound == "and" ? .and(parsed) : .or(parsed)
        }
        if let timestamp = members.last(where: { $0.0 == "timestamp" })?.1 {
            let name = try PropertyJSONReader.string(timestamp, at: "\(path).timestamp")
            guard name == "created_time" || name == "last_edited_time" else {
                throw ContentValidationError.expected(
                    "`created_time` or `last_edited_time`",
                    at: "\(path).timestamp",
                    got: timestamp
                )
            }
            let condition = try dateCondition(value[name], at: "\(path).\(name)")
            return .condition(name == "created_time" ? .createdTime : .lastEditedTime, condition)
        }
        guard let propertyValue = value["property"] else {
            throw ContentValidationError.expected(
                "an object with `and`, `or`, `property` or `timestamp`",
                at: path,
                got: value
            )
        }
        let key = try PropertyJSONReader.string(propertyValue, at: "\(path).property")
        guard let property = schema.property(named: key) else {
            throw ContentValidationError(
                path: "\(path).property",
                message: "Could not find property with name or id: \(key)"
            )
        }
        let legacy = acceptsLegacyKeys ? ["text", "phone"] : []
        let (filterType, conditionValue) = try PropertyJSONReader.variant(
            members.filter { $0.0 != "property" },
            among: Self.propertyFilterTypes + legacy,
            at: path
        )
        let compatible =
            filterType == property.type.rawValue
            || ((filterType == "rich_text" || filterType == "text") && [.title, .richText].contains(property.type))
            || (filterType == "phone" && property.type == .phoneNumber)
        guard compatible else {
            throw ContentValidationError(
                path: "\(path).\(filterType)",
                message: "database property \(property.type.rawValue) does not match filter \(filterType)"
            )
        }
        let conditionPath = "\(path).\(filterType)"
        return .condition(
            .property(id: property.id, type: property.type),
            try condition(for: property, conditionValue, at: conditionPath)
        )
    }

    func condition(for property: PropertyDefinition, _ value: JSONValue, at path: String) throws -> FilterCondition {
        switch property.type {
        case .title, .richText, .url, .email, .phoneNumber: try textCondition(value, at: path)
        case .number, .uniqueId: try numberCondition(value, at: path)
        case .checkbox: try checkboxCondition(value, at: path)
        case .select, .status:
            try keysCondition(value, ["equals", "does_not_equal"], at: path) { try optionIds($0, $1, of: property) }
        case .multiSelect:
            try keysCondition(value, ["contains", "does_not_contain"], at: path) { try optionIds($0, $1, of: property) }
        case .people, .createdBy, .lastEditedBy:
            try keysCondition(value, ["contains", "does_not_contain"], at: path) { operand, operandPath in
                let id = try PropertyJSONReader.string(operand, at: operandPath)
                return [id == "me" ? currentUserId ?? id : id]
            }
        case .relation:
            try keysCondition(value, ["contains", "does_not_contain"], at: path) {
                [try PropertyJSONReader.string($0, at: $1)]
            }
        case .date, .createdTime, .lastEditedTime: try dateCondition(value, at: path)
        case .files: try existenceOnly(value, at: path)
        case .formula: try formulaCondition(value, at: path)
        case .rollup: try rollupCondition(value, at: path)
        }
    }

    func textCondition(_ value: JSONValue, at path: String) throws -> FilterCondition {
        let (name, operand) = try operatorOf(value, TextOperator.allCases.map(\.rawValue), at: path)
        if let empty = try existence(name, operand, at: path) { return empty }
        return .text(
            TextOperator(rawValue: name) ?? .equals,
            try PropertyJSONReader.string(operand, at: "\(path).\(name)")
        )
    }

    func numberCondition(_ value: JSONValue, at path: String) throws -> FilterCondition {
        let (name, operand) = try operatorOf(value, NumberOperator.allCases.map(\.rawValue), at: path)
        if let empty = try existence(name, operand, at: path) { return empty }
        return .number(
            NumberOperator(rawValue: name) ?? .equals,
            try PropertyJSONReader.number(operand, at: "\(path).\(name)")
        )
    }

    func checkboxCondition(_ value: JSONValue, at path: String) throws -> FilterCondition {
        let (name, operand) = try PropertyJSONReader.variant(
            try PropertyJSONReader.object(value, at: path),
            among: ["equals", "does_not_equal"],
            at: path
        )
        let flag = try PropertyJSONReader.bool(operand, at: "\(path).\(name)")
        return .checkbox(name == "equals" ? flag : !flag)
    }

    func keysCondition(
        _ value: JSONValue,
        _ operators: [String],
        at path: String,
        keys: (JSONValue, String) throws -> [String]
    ) throws -> FilterCondition {
        let (name, operand) = try operatorOf(value, operators, at: path)
        if let empty = try existence(name, operand, at: path) { return empty }
        return .hasAny(try keys(operand, "\(path).\(name)"), negated: name != operators[0])
    }

    func dateCondition(_ value: JSONValue?, at path: String) throws -> FilterCondition {
        let operators = FilterDates.operandOperators + FilterDates.rangeOperators
        let (name, operand) = try operatorOf(value, operators, at: path)
        if let empty = try existence(name, operand, at: path) { return empty }
        return .date(try FilterDates.interval(name, operand: operand, at: "\(path).\(name)", now: now))
    }

    func existenceOnly(_ value: JSONValue, at path: String) throws -> FilterCondition {
        let (name, operand) = try operatorOf(value, [], at: path)
        return try existence(name, operand, at: path) ?? .isEmpty(true)
    }

    func formulaCondition(_ value: JSONValue, at path: String) throws -> FilterCondition {
        let (kind, inner) = try PropertyJSONReader.variant(
            try PropertyJSONReader.object(value, at: path),
            among: ["string", "checkbox", "number", "date"] + (acceptsLegacyKeys ? ["text"] : []),
            at: path
        )
        let innerPath = "\(path).\(kind)"
        switch kind {
        case "string", "text": return try textCondition(inner, at: innerPath)
        case "checkbox": return try checkboxCondition(inner, at: innerPath)
        case "number": return try numberCondition(inner, at: innerPath)
        default: return try dateCondition(inner, at: innerPath)
        }
    }

    func rollupCondition(_ value: JSONValue, at path: String) throws -> FilterCondition {
        let (kind, inner) = try PropertyJSONReader.variant(
            try PropertyJSONReader.object(value, at: path),
            among: ["any", "every", "none", "number", "date"],
            at: path
        )
        let innerPath = "\(path).\(kind)"
        switch kind {
        case "number": return .rollup(nil, try numberCondition(inner, at: innerPath))
        case "date": return .rollup(nil, try dateCondition(inner, at: innerPath))
        default:
            let subtypes = [
                "rich_text", "number", "checkbox", "select", "multi_select", "relation", "date", "people", "files",
                "status",
            ]
            let (subtype, condition) = try PropertyJSONReader.variant(
                try PropertyJSONReader.object(inner, at: innerPath),
                among: subtypes,
                at: innerPath
            )
            let stand = PropertyDefinition(id: "", name: "", type: PropertyType(rawValue: subtype) ?? .richText)
            return .rollup(
                RollupQuantifier(rawValue: kind),
                try self.condition(for: stand, condition, at: "\(innerPath).\(subtype)")
            )
        }
    }

    /// The single operator key of a condition object, among `operators` plus `is_empty`/`is_not_empty`.
    func operatorOf(_ value: JSONValue?, _ operators: [String], at path: String) throws -> (String, JSONValue) {
        try PropertyJSONReader.variant(
            try PropertyJSONReader.object(value, at: path),
            among: operators + ["is_empty", "is_not_empty"],
            at: path
        )
    }

    /// `is_empty: true` / `is_not_empty: true` as a condition; `nil` for other operators.
    func existence(_ name: String, _ operand: JSONValue, at path: String) throws -> FilterCondition? {
        guard name == "is_empty" || name == "is_not_empty" else { return nil }
        guard operand == .bool(true) else {
            throw ContentValidationError.expected("`true`", at: "\(path).\(name)", got: operand)
        }
        return .isEmpty(name == "is_empty")
    }

    /// Option names (a string or an array of strings) as the ids of the property's options.
    func optionIds(_ operand: JSONValue, _ path: String, of property: PropertyDefinition) throws -> [String] {
        let names: [String]
        if case .array(let items) = operand {
            names = try items.enumerated().map { try PropertyJSONReader.string($1, at: "\(path)[\($0)]") }
        } else {
            names = [try PropertyJSONReader.string(operand, at: path)]
        }
        return names.compactMap { property.option(named: $0)?.id }
    }
}

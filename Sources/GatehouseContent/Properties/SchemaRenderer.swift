import GatehouseCore

/// Renders a schema as the `properties` object of a data source (2025-09-03 on) or database
/// (2022-06-28 and earlier): `{name: {id, name, type, <type>: config}}`.
public enum SchemaRenderer {
    public static func render(_ schema: DataSourceSchema, version: NotionVersion) -> JSONValue {
        .object(schema.properties.map { ($0.name, render($0, version: version)) })
    }

    /// One property's configuration object.
    public static func render(_ property: PropertyDefinition, version: NotionVersion) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(property.id)), ("name", .string(property.name)), ("type", .string(property.type.rawValue)),
        ]
        if version.usesDataSources { members.append(("description", .optional(property.description))) }
        members.append((property.type.rawValue, configuration(property, version: version)))
        return .object(members)
    }

    static func configuration(_ property: PropertyDefinition, version: NotionVersion) -> JSONValue {
        switch property.type {
        case .number: return ["format": .string(property.numberFormat ?? "number")]
        case .select, .multiSelect: return ["options": .array(property.options.map(render))]
        case .status:
            return [
                "options": .array(property.options.map(render)),
                "groups": .array(
                    property.groups.map {
                        [
                            "id": .string($0.id), "name": .string($0.name), "color": .string($0.color),
                            "option_ids": .array($0.optionIds.map(JSONValue.string)),
                        ]
                    }
                ),
            ]
        case .relation:
            guard let relation = property.relation else { return [:] }
            var members: [(String, JSONValue)] = []
            if version.usesDataSources { members.append(("data_source_id", .optional(relation.dataSourceId))) }
            members.append(("database_id", .optional(relation.databaseId ?? relation.dataSourceId)))
            if relation.isDual {
                members.append(("type", "dual_property"))
                members.append(
                    (
                        "dual_property",
                        [
                            "synced_property_id": .optional(relation.syncedPropertyId),
                            "synced_property_name": .optional(relation.syncedPropertyName),
                        ]
                    )
                )
            } else {
                members.append(("type", "single_property"))
                members.append(("single_property", [:]))
            }
            return .object(members)
        case .formula: return ["expression": .string(property.expression ?? "")]
        case .rollup: return property.rollup?.value ?? [:]
        case .uniqueId: return ["prefix": .optional(property.prefix)]
        default: return [:]
        }
    }

    /// An option as schemas and values show it: `{id, name, color, description}`.
    public static func render(_ option: SelectOption) -> JSONValue {
        [
            "id": .string(option.id), "name": .string(option.name), "color": .string(option.color),
            "description": .optional(option.description),
        ]
    }
}

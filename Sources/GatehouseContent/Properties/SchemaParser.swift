import GatehouseCore

/// Parses the `properties` of `POST /v1/data_sources`, `PATCH /v1/data_sources/{id}` and the
/// pre-2025 `POST|PATCH /v1/databases`: property configuration objects keyed by property name.
public enum SchemaParser {
    /// The types a request may configure (every ``PropertyType``).
    static let typeNames = PropertyType.allCases.map(\.rawValue)

    /// A new schema from a create request's `properties`; exactly one must be a title.
    public static func create(
        _ properties: JSONValue?,
        at path: String = "body.properties",
        ids: inout some ShortIdSource
    ) throws -> DataSourceSchema {
        var schema = DataSourceSchema()
        for (name, config) in try PropertyJSONReader.object(properties, at: path) {
            let propertyPath = "\(path).\(name)"
            if config.isNull { continue }
            let members = try PropertyJSONReader.object(config, at: propertyPath)
            let id = uniqueId(in: schema, ids: &ids)
            var definition = try definition(from: members, id: id, name: name, at: propertyPath, ids: &ids)
            if definition.type == .title { definition.id = "title" }
            schema.properties.append(definition)
        }
        let titles = schema.properties.filter { $0.type == .title }.count
        guard titles == 1 else {
            throw ContentValidationError(
                path: path,
                message: "\(path) should have exactly one title property, instead had \(titles)."
            )
        }
        return schema
    }

    /// `schema` with an update request's `properties` applied: keys name existing properties by name
    /// or id (rename with `name`, reconfigure or change type with a type key, remove with `null`), or
    /// add new ones. Options of select, multi_select and status are merged by id or name.
    public static func update(
        _ schema: DataSourceSchema,
        with properties: JSONValue?,
        at path: String = "body.properties",
        ids: inout some ShortIdSource
    ) throws -> DataSourceSchema {
        var schema = schema
        for (key, config) in try PropertyJSONReader.object(properties, at: path) {
            let propertyPath = "\(path).\(key)"
            let existing = schema.index(of: key)
            if config.isNull {
                guard let index = existing else { continue }
                guard schema.properties[index].type != .title else {
                    throw ContentValidationError(path: propertyPath, message: "Cannot delete the title property.")
                }
                schema.properties.remove(at: index)
                continue
            }
            let members = try PropertyJSONReader.object(config, at: propertyPath)
            let newName = try PropertyJSONReader.optionalString(config["name"], at: "\(propertyPath).name")
            let hasType = members.contains { typeNames.contains($0.0) } || config["type"] != nil
            guard let index = existing else {
                let id = uniqueId(in: schema, ids: &ids)
                let added = try definition(from: members, id: id, name: newName ?? key, at: propertyPath, ids: &ids)
                guard added.type != .title else {
                    throw ContentValidationError(
                        path: propertyPath,
                        message: "A data source has only one title property."
                    )
                }
                schema.properties.append(added)
                continue
            }
            var current = schema.properties[index]
            if hasType {
                var changed = try definition(
                    from: members,
                    id: current.id,
                    name: current.name,
                    at: propertyPath,
                    ids: &ids
                )
                guard (changed.type == .title) == (current.type == .title) else {
                    throw ContentValidationError(
                        path: "\(propertyPath).type",
                        message: "Cannot change the type of the title property, or add a second one."
                    )
                }
                if changed.type == current.type, [.select, .multiSelect, .status].contains(changed.type) {
                    changed.options = merge(current.options, with: changed.options)
                    changed.groups = current.groups
                    if changed.type == .status { changed.groups = assignUngrouped(changed.options, to: current.groups) }
                }
                if changed.type == .relation, current.type == .relation, let kept = current.relation,
                    let sent = config["relation"], sent["type"] == nil, sent["single_property"] == nil,
                    sent["dual_property"] == nil
                {
                    // A relation restated without its kind keeps the one it has (a two-way one
                    // stays two-way, its pair intact).
                    changed.relation?.isDual = kept.isDual
                    changed.relation?.syncedPropertyId = kept.syncedPropertyId
                    changed.relation?.syncedPropertyName = kept.syncedPropertyName
                }
                changed.description = changed.description ?? current.description
                current = changed
            }
            if let newName {
                guard newName == current.name || schema.property(named: newName) == nil else {
                    throw ContentValidationError(
                        path: "\(propertyPath).name",
                        message: "A property named \(newName) already exists."
                    )
                }
                current.name = newName
            }
            if let description = config["description"] {
                current.description = try PropertyJSONReader.optionalString(
                    description,
                    at: "\(propertyPath).description"
                )
            }
            schema.properties[index] = current
        }
        return schema
    }

    /// Parses one property configuration (`{"type"?: T, T: {...}, "description"?: …}`).
    static func definition(
        from members: [(String, JSONValue)],
        id: String,
        name: String,
        at path: String,
        ids: inout some ShortIdSource
    ) throws -> PropertyDefinition {
        let (typeName, config) = try PropertyJSONReader.variant(members, among: typeNames, at: path)
        guard let type = PropertyType(rawValue: typeName) else {
            throw ContentValidationError.expected("a property type", at: path, got: .string(typeName))
        }
        let configPath = "\(path).\(typeName)"
        var definition = PropertyDefinition(id: id, name: name, type: type)
        definition.description = try PropertyJSONReader.optionalString(
            members.last { $0.0 == "description" }?.1,
            at: "\(path).description"
        )
        switch type {
        case .number:
            let format = try PropertyJSONReader.object(config, at: configPath).last { $0.0 == "format" }?.1
            definition.numberFormat =
                try PropertyJSONReader.optionalString(format, at: "\(configPath).format") ?? "number"
        case .select, .multiSelect:
            definition.options = try options(config["options"], at: "\(configPath).options", ids: &ids)
            _ = try PropertyJSONReader.object(config, at: configPath)
        case .status:
            _ = try PropertyJSONReader.object(config, at: configPath)
            if config["options"] == nil {
                (definition.options, definition.groups) = defaultStatus(ids: &ids)
            } else {
                definition.options = try options(config["options"], at: "\(configPath).options", ids: &ids)
                definition.groups = assignUngrouped(
                    definition.options,
                    to: defaultStatus(ids: &ids).1.map {
                        StatusGroup(id: $0.id, name: $0.name, color: $0.color, optionIds: [])
                    }
                )
            }
        case .relation:
            definition.relation = try relation(config, at: configPath)
        case .formula:
            _ = try PropertyJSONReader.object(config, at: configPath)
            definition.expression =
                try PropertyJSONReader.optionalString(config["expression"], at: "\(configPath).expression") ?? ""
        case .rollup:
            _ = try PropertyJSONReader.object(config, at: configPath)
            _ = try PropertyJSONReader.string(config["function"], at: "\(configPath).function")
            definition.rollup = JSONValueBox(config)
        case .uniqueId:
            _ = try PropertyJSONReader.object(config, at: configPath)
            definition.prefix = try PropertyJSONReader.optionalString(config["prefix"], at: "\(configPath).prefix")
        default:
            try PropertyJSONReader.emptyObject(config, at: configPath)
        }
        return definition
    }

    static func options(_ value: JSONValue?, at path: String, ids: inout some ShortIdSource) throws -> [SelectOption] {
        guard let value, !value.isNull else { return [] }
        let items = try PropertyJSONReader.array(value, at: path)
        var options: [SelectOption] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            _ = try PropertyJSONReader.object(item, at: itemPath)
            let id = try PropertyJSONReader.optionalString(item["id"], at: "\(itemPath).id")
            let name = try PropertyJSONReader.optionalString(item["name"], at: "\(itemPath).name")
            guard id != nil || name != nil else {
                throw ContentValidationError.expected("defined", at: "\(itemPath).name", got: nil)
            }
            if let name { try PropertyValueLimits.checkOptionName(name, at: "\(itemPath).name") }
            let color = try PropertyJSONReader.optionalString(item["color"], at: "\(itemPath).color") ?? "default"
            guard SelectOption.colors.contains(color) else {
                throw ContentValidationError.expected(
                    "one of " + SelectOption.colors.sorted().map { "`\($0)`" }.joined(separator: ", "),
                    at: "\(itemPath).color",
                    got: .string(color)
                )
            }
            let description = try PropertyJSONReader.optionalString(item["description"], at: "\(itemPath).description")
            options.append(
                SelectOption(id: id ?? ids.nextShortId(), name: name ?? "", color: color, description: description)
            )
        }
        return options
    }

    /// Existing options updated by id or name from `changes`, new ones appended; none removed.
    static func merge(_ existing: [SelectOption], with changes: [SelectOption]) -> [SelectOption] {
        var merged = existing
        for change in changes {
            if let index = merged.firstIndex(where: {
                $0.id == change.id || (!change.name.isEmpty && $0.name == change.name)
            }) {
                if !change.name.isEmpty { merged[index].name = change.name }
                merged[index].color = change.color
                merged[index].description = change.description ?? merged[index].description
            } else {
                merged.append(change)
            }
        }
        return merged
    }

    /// Options no group holds go to the first (To-do) group, as the API assigns new status options.
    static func assignUngrouped(_ options: [SelectOption], to groups: [StatusGroup]) -> [StatusGroup] {
        var groups = groups
        let grouped = Set(groups.flatMap(\.optionIds))
        let known = Set(options.map(\.id))
        for index in groups.indices { groups[index].optionIds.removeAll { !known.contains($0) } }
        if !groups.isEmpty { groups[0].optionIds += options.map(\.id).filter { !grouped.contains($0) } }
        return groups
    }

    /// The options and groups Notion gives a new status property: Not started / In progress / Done
    /// in the groups To-do / In progress / Complete.
    public static func defaultStatus(ids: inout some ShortIdSource) -> ([SelectOption], [StatusGroup]) {
        let options = [
            SelectOption(id: ids.nextShortId(), name: "Not started", color: "default"),
            SelectOption(id: ids.nextShortId(), name: "In progress", color: "blue"),
            SelectOption(id: ids.nextShortId(), name: "Done", color: "green"),
        ]
        let groups = [
            StatusGroup(id: ids.nextShortId(), name: "To-do", color: "gray", optionIds: [options[0].id]),
            StatusGroup(id: ids.nextShortId(), name: "In progress", color: "blue", optionIds: [options[1].id]),
            StatusGroup(id: ids.nextShortId(), name: "Complete", color: "green", optionIds: [options[2].id]),
        ]
        return (options, groups)
    }

    static func relation(_ config: JSONValue, at path: String) throws -> RelationConfig {
        _ = try PropertyJSONReader.object(config, at: path)
        let dataSourceId = try PropertyJSONReader.optionalString(config["data_source_id"], at: "\(path).data_source_id")
        let databaseId = try PropertyJSONReader.optionalString(config["database_id"], at: "\(path).database_id")
        guard dataSourceId != nil || databaseId != nil else {
            throw ContentValidationError.expected("defined", at: "\(path).data_source_id", got: nil)
        }
        var relation = RelationConfig(dataSourceId: dataSourceId, databaseId: databaseId)
        let kind =
            try PropertyJSONReader.optionalString(config["type"], at: "\(path).type")
            ?? (config["dual_property"] != nil ? "dual_property" : "single_property")
        switch kind {
        case "single_property": break
        case "dual_property":
            relation.isDual = true
            if let dual = config["dual_property"] {
                _ = try PropertyJSONReader.object(dual, at: "\(path).dual_property")
                relation.syncedPropertyId = try PropertyJSONReader.optionalString(
                    dual["synced_property_id"],
                    at: "\(path).dual_property.synced_property_id"
                )
                relation.syncedPropertyName = try PropertyJSONReader.optionalString(
                    dual["synced_property_name"],
                    at: "\(path).dual_property.synced_property_name"
                )
            }
        default:
            throw ContentValidationError.expected(
                "`single_property` or `dual_property`",
                at: "\(path).type",
                got: .string(kind)
            )
        }
        return relation
    }

    static func uniqueId(in schema: DataSourceSchema, ids: inout some ShortIdSource) -> String {
        var id = ids.nextShortId()
        while schema.properties.contains(where: { $0.id == id }) || id == "title" { id = ids.nextShortId() }
        return id
    }
}

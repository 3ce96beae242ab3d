import GatehouseCore

/// What a page keeps of its property values when it moves to a new parent
/// (`POST /v1/pages/{id}/move`): its title always, under the new schema's title property; and a
/// value of any other property whose namesake in the new schema has the same type, select,
/// multi-select and status options matched by name (an option the new schema lacks is dropped,
/// not created), relations only when both point at the same data source. Everything else is
/// dropped: a page under a page has a title only.
public enum PageMove {
    /// `values`, stored under `old`, as they are stored under `new`.
    public static func values(
        _ values: [String: PropertyValue],
        from old: DataSourceSchema,
        to new: DataSourceSchema
    ) -> [String: PropertyValue] {
        var moved: [String: PropertyValue] = [:]
        for property in old.properties {
            guard let value = values[property.id] else { continue }
            if property.type == .title {
                if let title = new.title { moved[title.id] = value }
                continue
            }
            guard let target = new.properties.first(where: { $0.name == property.name && $0.type == property.type }),
                let carried = carried(value, from: property, to: target)
            else { continue }
            moved[target.id] = carried
        }
        return moved
    }

    private static func carried(
        _ value: PropertyValue,
        from old: PropertyDefinition,
        to new: PropertyDefinition
    ) -> PropertyValue? {
        func option(_ id: String?) -> String? {
            guard let id, let name = old.option(id: id)?.name else { return nil }
            return new.option(named: name)?.id
        }
        switch value {
        case .select(let id): return .select(optionId: option(id))
        case .status(let id): return .status(optionId: option(id))
        case .multiSelect(let ids): return .multiSelect(optionIds: ids.compactMap(option))
        case .relation:
            let from = old.relation?.dataSourceId.flatMap(ResourceID.canonical)
            return from != nil && from == new.relation?.dataSourceId.flatMap(ResourceID.canonical) ? value : nil
        default: return value
        }
    }
}

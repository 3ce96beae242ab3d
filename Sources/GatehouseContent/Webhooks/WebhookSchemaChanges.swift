import GatehouseCore

/// The `updated_properties` of a `data_source.schema_updated` event: each property created,
/// changed or deleted between two schemas, as `{id, name, action}` (`name` null once deleted).
public enum WebhookSchemaChanges {
    public static func between(_ old: DataSourceSchema, _ new: DataSourceSchema) -> [JSONValue] {
        let before = Dictionary(old.properties.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(new.properties.map(\.id))
        var changes: [JSONValue] = []
        for property in new.properties {
            switch before[property.id] {
            case nil: changes.append(change(property.id, property.name, "created"))
            case let earlier? where earlier != property: changes.append(change(property.id, property.name, "updated"))
            default: break
            }
        }
        for property in old.properties where !after.contains(property.id) {
            changes.append(change(property.id, nil, "deleted"))
        }
        return changes
    }

    private static func change(_ id: String, _ name: String?, _ action: String) -> JSONValue {
        ["id": .string(id), "name": .optional(name), "action": .string(action)]
    }
}

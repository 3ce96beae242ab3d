/// A page's values, validated against a schema read before the write, made to agree with the
/// schema stored when the write commits.
///
/// Select and multi-select options are created on first use: a write that names a new option
/// adds it to the schema it read. Two writes that raced from the same schema would each store their
/// own copy of it, and the later one would drop the other's new option. Reconciling instead adds
/// to the stored schema only the options the page's values name and the stored schema lacks, and,
/// when a racing write already added an option of the same name, gives the page that option's id
/// (option names are unique within a property, as in the API).
public struct SchemaReconciliation: Equatable, Sendable {
    /// The stored schema with the page's missing options added; `nil` when it lacks none.
    public var addedTo: DataSourceSchema?
    /// The page's values, naming options by their stored ids.
    public var values: [String: PropertyValue]

    /// Reconciles `values`, parsed against `written` (the stored schema as it was read, plus the
    /// options the parse created), with `stored`. A property the stored schema no longer has, or
    /// whose type changed, is left as it is: its value no longer renders, as after any such change.
    public init(values: [String: PropertyValue], writtenWith written: DataSourceSchema, stored: DataSourceSchema) {
        var schema = stored
        var changed = false
        var reconciled = values
        for (propertyID, value) in values {
            let named: [String]
            let type: PropertyType
            switch value {
            case .select(let id?): (named, type) = ([id], .select)
            case .multiSelect(let ids): (named, type) = (ids, .multiSelect)
            default: continue
            }
            guard
                let index = schema.properties.firstIndex(where: { $0.id == propertyID }),
                schema.properties[index].type == type,
                let writtenProperty = written.properties.first(where: { $0.id == propertyID })
            else { continue }
            var ids: [String] = []
            for id in named {
                let storedProperty = schema.properties[index]
                if storedProperty.option(id: id) != nil {
                    ids.append(id)
                } else if let option = writtenProperty.option(id: id) {
                    if let existing = storedProperty.option(named: option.name) {
                        ids.append(existing.id)
                    } else {
                        schema.properties[index].options.append(option)
                        changed = true
                        ids.append(id)
                    }
                } else {
                    ids.append(id)
                }
            }
            var unique: [String] = []
            for id in ids where !unique.contains(id) { unique.append(id) }
            switch value {
            case .select: reconciled[propertyID] = .select(optionId: unique.first)
            default: reconciled[propertyID] = .multiSelect(optionIds: unique)
            }
        }
        self.addedTo = changed ? schema : nil
        self.values = reconciled
    }
}

extension DataSourceSchema {
    /// This schema (a data source update, computed from an earlier read) with the select and
    /// multi-select options `stored` gained meanwhile. Page writes add options on first use and an
    /// update never removes one (options are merged), so an option the stored schema has and this
    /// one lacks was added by a racing write, and is kept.
    public func keepingOptions(addedIn stored: DataSourceSchema) -> DataSourceSchema {
        var schema = self
        for (index, property) in schema.properties.enumerated()
        where property.type == .select || property.type == .multiSelect {
            guard
                let storedProperty = stored.properties.first(where: { $0.id == property.id && $0.type == property.type }
                )
            else { continue }
            for option in storedProperty.options
            where schema.properties[index].option(id: option.id) == nil
                && schema.properties[index].option(named: option.name) == nil
            {
                schema.properties[index].options.append(option)
            }
        }
        return schema
    }
}

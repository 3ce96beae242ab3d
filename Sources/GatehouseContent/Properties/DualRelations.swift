import GatehouseCore

/// Two-way relations (`dual_property`): a relation whose related data source has a synced
/// relation property pointing back, each side naming the other (`synced_property_id`,
/// `synced_property_name`), and whose values mirror each other: when page A lists page B, B's
/// synced property lists A.
///
/// These rules are pure: the schemas and values go in, the changes to make come out; the server
/// loads the data sources involved and the store writes the mirrored values
/// (`docs/content/data-sources-pages-and-query.md`, "Two-way relations").
public enum DualRelations {
    /// The related data source of `property`, canonical, when it is a two-way relation.
    public static func target(of property: PropertyDefinition) -> String? {
        guard property.type == .relation, let relation = property.relation, relation.isDual else { return nil }
        return relation.dataSourceId.flatMap(ResourceID.canonical)
    }

    /// The data sources a schema change from `previous` to `updated` touches: the related data
    /// sources of every two-way relation on either side (the source itself when it relates to itself).
    public static func dataSourcesTouched(from previous: DataSourceSchema, to updated: DataSourceSchema) -> Set<String>
    {
        Set((previous.properties + updated.properties).compactMap(target(of:)))
    }

    /// The name Notion gives a synced property when the request names none:
    /// `Related to <data source> (<property>)`.
    public static func defaultSyncedName(source: String, property: String) -> String {
        "Related to \(source.isEmpty ? "Untitled" : source) (\(property))"
    }

    /// Keeps both sides of every two-way relation of the data source `source` as its schema goes
    /// from `previous` (empty for a new data source) to `schemas[source]`.
    ///
    /// `schemas` holds the updated source schema and the current schema of every data source in
    /// ``dataSourcesTouched(from:to:)`` that exists; on return it holds them as they must be
    /// stored. A new two-way relation gets a synced property on its related data source (named as
    /// the request asked, else ``defaultSyncedName(source:property:)``, made unique there); one
    /// removed, made one-way or pointed elsewhere loses its synced property; one renamed renames
    /// the other side's `synced_property_name`. A related data source missing from `schemas`
    /// (deleted) is left alone and the relation stays as the request gave it.
    ///
    /// Returns the ids of the source's properties that became one side of a new pair: the values
    /// its pages already hold there are to be mirrored on the other side.
    @discardableResult
    public static func reconcile(
        source: String,
        sourceDatabase: String,
        sourceName: String,
        previous: DataSourceSchema,
        schemas: inout [String: DataSourceSchema],
        ids: inout some ShortIdSource
    ) -> [String] {
        guard let updated = schemas[source] else { return [] }
        var paired: [String] = []
        let before = Dictionary(previous.properties.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Pairs that ended: the synced property goes.
        for old in previous.properties {
            guard let oldTarget = target(of: old), let synced = old.relation?.syncedPropertyId else { continue }
            let now = updated.properties.first { $0.id == old.id }
            if let now, target(of: now) == oldTarget { continue }
            schemas[oldTarget]?.properties.removeAll { $0.id == synced && $0.type == .relation }
        }
        // The source's properties once those went (a relation to itself may have lost one); the
        // synced properties added below are not visited.
        for propertyID in schemas[source]!.properties.map(\.id) {
            guard let property = schemas[source]!.properties.first(where: { $0.id == propertyID }),
                let related = target(of: property), schemas[related] != nil
            else { continue }
            let old = before[property.id]
            if let old, target(of: old) == related, let synced = old.relation?.syncedPropertyId,
                let index = schemas[related]?.properties.firstIndex(where: { $0.id == synced })
            {
                // The same pair: keep the synced ids (a request that restates the relation names
                // none), and tell the other side this side's name.
                setSynced(
                    id: synced,
                    name: schemas[related]!.properties[index].name,
                    on: property.id,
                    in: source,
                    &schemas
                )
                schemas[related]!.properties[index].relation?.syncedPropertyName = property.name
                continue
            }
            var target = schemas[related]!
            let requested = property.relation?.syncedPropertyName
            let name = uniqueName(
                requested ?? defaultSyncedName(source: sourceName, property: property.name),
                in: target
            )
            var id = ids.nextShortId()
            while id == "title" || target.properties.contains(where: { $0.id == id })
                || (related != source && schemas[source]!.properties.contains(where: { $0.id == id }))
            {
                id = ids.nextShortId()
            }
            var synced = PropertyDefinition(id: id, name: name, type: .relation)
            synced.relation = RelationConfig(
                dataSourceId: source,
                databaseId: sourceDatabase,
                isDual: true,
                syncedPropertyId: property.id,
                syncedPropertyName: property.name
            )
            target.properties.append(synced)
            schemas[related] = target
            setSynced(id: id, name: name, on: property.id, in: source, &schemas)
            paired.append(property.id)
        }
        return paired
    }

    private static func setSynced(
        id: String,
        name: String,
        on property: String,
        in source: String,
        _ schemas: inout [String: DataSourceSchema]
    ) {
        guard let index = schemas[source]?.properties.firstIndex(where: { $0.id == property }) else { return }
        schemas[source]!.properties[index].relation?.syncedPropertyId = id
        schemas[source]!.properties[index].relation?.syncedPropertyName = name
    }

    /// `name`, or `name 2`, `name 3`… when `schema` has a property of that name already.
    private static func uniqueName(_ name: String, in schema: DataSourceSchema) -> String {
        var candidate = name
        var number = 2
        while schema.properties.contains(where: { $0.name == candidate }) {
            candidate = "\(name) \(number)"
            number += 1
        }
        return candidate
    }

    /// What a page's write changes on the other side of its two-way relations: per relation, the
    /// related data source, its synced property, and the pages the page now lists or no longer lists.
    public struct Mirror: Equatable, Sendable {
        public var dataSource: String
        public var syncedProperty: String
        public var linked: [String]
        public var unlinked: [String]

        public init(dataSource: String, syncedProperty: String, linked: [String], unlinked: [String]) {
            self.dataSource = dataSource
            self.syncedProperty = syncedProperty
            self.linked = linked
            self.unlinked = unlinked
        }
    }

    /// The mirrors of a page whose values under `schema` go from `old` (empty for a new page) to `new`.
    public static func mirrors(
        in schema: DataSourceSchema,
        from old: [String: PropertyValue],
        to new: [String: PropertyValue]
    ) -> [Mirror] {
        schema.properties.compactMap { property in
            guard let related = target(of: property), let synced = property.relation?.syncedPropertyId else {
                return nil
            }
            let before = Set(pageIDs(old[property.id]).compactMap(ResourceID.canonical))
            let after = Set(pageIDs(new[property.id]).compactMap(ResourceID.canonical))
            guard before != after else { return nil }
            return Mirror(
                dataSource: related,
                syncedProperty: synced,
                linked: after.subtracting(before).sorted(),
                unlinked: before.subtracting(after).sorted()
            )
        }
    }

    /// `values` of a related page with `page` added to (`linked`) or taken from its synced
    /// property `property`; `nil` when that changes nothing.
    public static func mirrored(
        _ values: [String: PropertyValue],
        property: String,
        page: String,
        linked: Bool
    ) -> [String: PropertyValue]? {
        var listed = pageIDs(values[property])
        let position = listed.firstIndex { ResourceID.canonical($0) == page }
        switch (linked, position) {
        case (true, nil): listed.append(page)
        case (false, let index?): listed.remove(at: index)
        default: return nil
        }
        var values = values
        values[property] = .relation(pageIds: listed)
        return values
    }

    private static func pageIDs(_ value: PropertyValue?) -> [String] {
        if case .relation(let ids)? = value { return ids }
        return []
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// The data sources a data source's relations relate to, when its schema changes: each one a
/// relation names anew must be one the integration can see (a relation that names only a
/// database relates to its first data source), and each two-way relation (``DualRelations``) gets
/// or keeps its synced property on the other side. Returns what to save with the data source, in
/// the same transaction.
struct RelatedDataSources {
    let access: ContentAccess

    /// What changes on a related data source: its properties as read before the transaction
    /// (`read`) and as they must become (`wanted`). Only that difference is applied, to the data
    /// source as stored when the transaction runs, so a change made to it meanwhile (its title,
    /// its trash, another property) is kept.
    struct RelatedChange: Sendable {
        var id: String
        var read: DataSourceSchema
        var wanted: DataSourceSchema
        var editor: String
        var time: Date

        /// `stored` with the properties `read` had and `wanted` has not removed, those `wanted`
        /// changed replaced, and those it added appended.
        func applied(to stored: DataSourceSchema) -> DataSourceSchema {
            var schema = stored
            let kept = Set(wanted.properties.map(\.id))
            let removed = Set(read.properties.map(\.id)).subtracting(kept)
            schema.properties.removeAll { removed.contains($0.id) }
            for property in wanted.properties where !read.properties.contains(property) {
                if let index = schema.properties.firstIndex(where: { $0.id == property.id }) {
                    schema.properties[index] = property
                } else if !read.properties.contains(where: { $0.id == property.id }) {
                    schema.properties.append(property)
                }
            }
            return schema
        }
    }

    /// What saving a reconciled data source must also write: the related data sources changed,
    /// and the source's properties that became one side of a new pair (their stored values are
    /// mirrored on the other side).
    struct Changes: Sendable {
        var related: [RelatedChange] = []
        var newPairs: [String] = []
        /// Whether two-way relations are involved: the transaction then starts with the
        /// workspace's mirroring lock (``commit(_:of:workspaceID:in:saveSource:)``).
        var twoWay = false
    }

    /// Reconciles `dataSource`, whose schema was `previous` (empty when it is new), with the data
    /// sources its relations relate to; `dataSource.schema` gets each relation's data source id
    /// and each pair's synced id and name. A relation added, pointed elsewhere or made two-way
    /// must relate to a data source the integration can see: otherwise 400 `validation_error`,
    /// as for one that does not exist, and nothing is written.
    func reconcile(
        _ dataSource: inout DataSourceRecord,
        previous: DataSourceSchema,
        principal: Principal,
        at now: Date
    ) async throws -> Changes {
        let anew = Self.relationsNamingAnew(from: previous, to: dataSource.schema)
        try await resolveDatabases(of: anew, in: &dataSource.schema, for: principal)
        var related: [String: DataSourceRecord] = [:]
        let targets = dataSource.schema.properties.filter { anew.contains($0.id) }.compactMap {
            $0.relation?.dataSourceId.map { ResourceID.canonical($0) ?? $0 }
        }
        for id in Set(targets).sorted() where id != dataSource.id {
            related[id] = try await visibleDataSource(id, for: principal)
        }
        let touched = DualRelations.dataSourcesTouched(from: previous, to: dataSource.schema)
        guard !touched.isEmpty else { return Changes() }
        // An integration that saves a schema with two-way relations reaches the related data
        // sources and their pages: the same workspace lock as page writes that mirror.
        for id in touched.sorted() where id != dataSource.id && related[id] == nil {
            // Already related before this change: kept in step whether or not still shared.
            related[id] = try await access.store.dataSource(id: id)
        }
        var schemas = related.filter { touched.contains($0.key) }.mapValues(\.schema)
        schemas[dataSource.id] = dataSource.schema
        var ids = RandomShortIds()
        let newPairs = DualRelations.reconcile(
            source: dataSource.id,
            sourceDatabase: dataSource.databaseID,
            sourceName: dataSource.name,
            previous: previous,
            schemas: &schemas,
            ids: &ids
        )
        dataSource.schema = schemas[dataSource.id] ?? dataSource.schema
        let changed = related.values.sorted { $0.id < $1.id }.compactMap { record -> RelatedChange? in
            guard let schema = schemas[record.id], schema != record.schema else { return nil }
            return RelatedChange(id: record.id, read: record.schema, wanted: schema, editor: principal.botID, time: now)
        }
        return Changes(related: changed, newPairs: newPairs, twoWay: true)
    }

    /// The relations (property ids) of `updated` that name a data source or database `previous`
    /// did not relate them to: added, pointed elsewhere, or made two-way. Relations stored
    /// before are left as they are, whatever they name.
    static func relationsNamingAnew(from previous: DataSourceSchema, to updated: DataSourceSchema) -> Set<String> {
        func target(_ relation: RelationConfig?) -> String? {
            (relation?.dataSourceId ?? relation?.databaseId).map { ResourceID.canonical($0) ?? $0 }
        }
        var named: Set<String> = []
        for property in updated.properties where property.type == .relation {
            let old = previous.properties.first { $0.id == property.id && $0.type == .relation }?.relation
            let madeTwoWay = property.relation?.isDual == true && old?.isDual != true
            if old == nil || target(old) != target(property.relation) || madeTwoWay { named.insert(property.id) }
        }
        return named
    }

    /// Saves a data source (`saveSource`, whose id is `source`) with what
    /// ``reconcile(_:previous:principal:at:)`` changed besides it, in one transaction: first the
    /// workspace's mirroring lock when two-way relations are involved (before any data source or
    /// page is locked, as every page write that mirrors takes it), then the data source, then on
    /// each related data source only the properties that changed, applied to its schema as
    /// stored then, then the mirrored values of new pairs.
    static func commit(
        _ changes: Changes,
        of source: String,
        workspaceID: String,
        in store: any Store,
        saveSource: @escaping @Sendable (any Store) async throws -> Void
    ) async throws {
        try await store.atomically { store in
            if changes.twoWay { try await store.takeMirroringLock(workspaceID: workspaceID) }
            try await saveSource(store)
            for change in changes.related {
                try await store.changeSchema(of: change.id, by: change.editor, at: change.time) {
                    change.applied(to: $0)
                }
            }
            try await store.mirrorStoredValues(of: source, properties: changes.newPairs)
        }
    }

    /// Gives each relation of `properties` (ids) that names only a database its first data source.
    private func resolveDatabases(
        of properties: Set<String>,
        in schema: inout DataSourceSchema,
        for principal: Principal
    ) async throws {
        for index in schema.properties.indices where properties.contains(schema.properties[index].id) {
            guard schema.properties[index].type == .relation, let relation = schema.properties[index].relation,
                relation.dataSourceId == nil, let raw = relation.databaseId
            else { continue }
            // The database must be visible before its data sources are looked at: a hidden one
            // answers as one that does not exist.
            guard let databaseID = ResourceID.canonical(raw),
                (try? await access.database(databaseID, for: principal)) != nil,
                let first = try await access.store.dataSources(databaseID: databaseID).first
            else { throw Self.missing(raw, kind: "database") }
            schema.properties[index].relation?.dataSourceId = first.id
        }
    }

    private func visibleDataSource(_ id: String, for principal: Principal) async throws -> DataSourceRecord {
        do {
            return try await access.dataSource(id, for: principal)
        } catch is APIError {
            throw Self.missing(id, kind: "data source")
        }
    }

    private static func missing(_ id: String, kind: String) -> APIError {
        APIError.validation(
            "Could not find \(kind) with ID: \(id). Make sure the relevant pages and databases are shared with your integration."
        )
    }
}

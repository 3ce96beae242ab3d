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

    /// A related data source, changed, and whether it lost a property (its pages' index rows
    /// are then rebuilt).
    struct RelatedChange: Sendable {
        var dataSource: DataSourceRecord
        var lostProperty: Bool
    }

    /// What saving a reconciled data source must also write: the related data sources changed,
    /// and the source's properties that became one side of a new pair (their stored values are
    /// mirrored on the other side).
    struct Changes: Sendable {
        var related: [RelatedChange] = []
        var newPairs: [String] = []
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
        try await resolveDatabases(of: anew, in: &dataSource.schema)
        var related: [String: DataSourceRecord] = [:]
        let targets = dataSource.schema.properties.filter { anew.contains($0.id) }.compactMap {
            $0.relation?.dataSourceId.map { ResourceID.canonical($0) ?? $0 }
        }
        for id in Set(targets).sorted() where id != dataSource.id {
            related[id] = try await visibleDataSource(id, for: principal)
        }
        let touched = DualRelations.dataSourcesTouched(from: previous, to: dataSource.schema)
        guard !touched.isEmpty else { return Changes() }
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
            var changed = record
            let kept = Set(schema.properties.map(\.id))
            changed.schema = schema
            changed.lastEditedAt = now
            changed.lastEditedBy = principal.botID
            return RelatedChange(
                dataSource: changed,
                lostProperty: record.schema.properties.contains { !kept.contains($0.id) }
            )
        }
        return Changes(related: changed, newPairs: newPairs)
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

    /// Saves what ``reconcile(_:previous:principal:at:)`` changed besides the data source
    /// `source` itself, inside the caller's transaction, once `source` is saved.
    static func save(_ changes: Changes, of source: String, in store: any Store) async throws {
        for change in changes.related {
            try await store.updateDataSource(change.dataSource, reindex: change.lostProperty)
        }
        try await store.mirrorStoredValues(of: source, properties: changes.newPairs)
    }

    /// Gives each relation of `properties` (ids) that names only a database its first data source.
    private func resolveDatabases(of properties: Set<String>, in schema: inout DataSourceSchema) async throws {
        for index in schema.properties.indices where properties.contains(schema.properties[index].id) {
            guard schema.properties[index].type == .relation, let relation = schema.properties[index].relation,
                relation.dataSourceId == nil, let raw = relation.databaseId
            else { continue }
            guard let databaseID = ResourceID.canonical(raw),
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

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// The other side of a data source's two-way relations (``DualRelations``) when its schema
/// changes: loads the related data sources, gives each new pair its synced property, and returns
/// the related data sources to save in the same transaction as the data source itself.
struct TwoWayRelations {
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
    /// sources its two-way relations relate to; `dataSource.schema` gets each pair's synced id
    /// and name. A two-way relation that names only a database (`database_id`, before
    /// 2025-09-03) relates to its first data source. A new pair's related data source must be
    /// one the integration can see: otherwise 400 `validation_error`, as for a missing one.
    func reconcile(
        _ dataSource: inout DataSourceRecord,
        previous: DataSourceSchema,
        principal: Principal,
        at now: Date
    ) async throws -> Changes {
        try await resolveDatabases(in: &dataSource.schema)
        let touched = DualRelations.dataSourcesTouched(from: previous, to: dataSource.schema)
        guard !touched.isEmpty else { return Changes() }
        let paired = Set(
            previous.properties.compactMap { property in
                property.relation?.syncedPropertyId == nil ? nil : DualRelations.target(of: property)
            }
        )
        var related: [String: DataSourceRecord] = [:]
        for id in touched.sorted() where id != dataSource.id {
            if paired.contains(id) {
                related[id] = try await access.store.dataSource(id: id)
            } else {
                related[id] = try await visibleDataSource(id, for: principal)
            }
        }
        var schemas = related.mapValues(\.schema)
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

    /// Saves what ``reconcile(_:previous:principal:at:)`` changed besides the data source
    /// `source` itself, inside the caller's transaction, once `source` is saved.
    static func save(_ changes: Changes, of source: String, in store: any Store) async throws {
        for change in changes.related {
            try await store.updateDataSource(change.dataSource, reindex: change.lostProperty)
        }
        try await store.mirrorStoredValues(of: source, properties: changes.newPairs)
    }

    /// Gives each two-way relation that names only a database its first data source.
    private func resolveDatabases(in schema: inout DataSourceSchema) async throws {
        for index in schema.properties.indices {
            guard schema.properties[index].type == .relation, let relation = schema.properties[index].relation,
                relation.isDual, relation.dataSourceId == nil, let raw = relation.databaseId
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

import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``DataSourceStore``: databases' data sources and their schemas.
extension SQLStore {
    public func createDatabase(_ record: DatabaseRecord, schema: DataSourceSchema) async throws {
        let dataSource = DataSourceRecord(
            id: record.id,
            databaseID: record.id,
            workspaceID: record.workspaceID,
            name: record.title,
            schema: schema,
            createdAt: record.createdAt,
            lastEditedAt: record.lastEditedAt,
            createdBy: record.createdBy,
            lastEditedBy: record.lastEditedBy
        )
        try await mapUnique("database \(record.id)") {
            try await transaction { database in
                try await database.raw(
                    """
                    INSERT INTO databases (id, workspace_id, title, parent_page_id, created_at, last_edited_at, created_by, last_edited_by)
                    VALUES (\(bind: record.id), \(bind: record.workspaceID), \(bind: record.title), \(bind: record.parentPageID), \(bind: record.createdAt.epochMilliseconds), \(bind: record.lastEditedAt.epochMilliseconds), \(bind: record.createdBy), \(bind: record.lastEditedBy))
                    """
                ).run()
                try await Self.insert(dataSource, into: database)
            }
        }
    }

    public func createDataSource(_ dataSource: DataSourceRecord) async throws {
        try await mapUnique("data source \(dataSource.id)") {
            try await write { database in try await Self.insert(dataSource, into: database) }
        }
    }

    public func dataSource(id: String) async throws -> DataSourceRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM data_sources WHERE id = \(bind: id)").first().map(Self.dataSource)
        }
    }

    public func dataSources(databaseID: String) async throws -> [DataSourceRecord] {
        try await read { database in
            try await database.raw(
                """
                SELECT * FROM data_sources WHERE database_id = \(bind: databaseID)
                ORDER BY CASE WHEN id = database_id THEN 0 ELSE 1 END, created_at, id
                """
            ).all().map(Self.dataSource)
        }
    }

    public func dataSources(workspaceID: String) async throws -> [DataSourceRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM data_sources WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            ).all().map(Self.dataSource)
        }
    }

    public func updateDataSource(_ dataSource: DataSourceRecord, reindex: Bool) async throws {
        try await transaction { database in
            var dataSource = dataSource
            // The row locked and read again: options page writes added since the caller's read are kept.
            if let stored = try await Self.lockDataSource(dataSource.id, in: database) {
                dataSource.schema = dataSource.schema.keepingOptions(addedIn: stored.schema)
            }
            try await database.raw(
                """
                UPDATE data_sources SET name = \(bind: dataSource.name), schema = \(bind: try StoredJSON.text(dataSource.schema)),
                    trashed_at = \(bind: dataSource.inTrash ? dataSource.lastEditedAt.epochMilliseconds : nil),
                    last_edited_at = \(bind: dataSource.lastEditedAt.epochMilliseconds),
                    last_edited_by = \(bind: dataSource.lastEditedBy)
                WHERE id = \(bind: dataSource.id)
                """
            ).run()
            guard reindex else { return }
            try await Self.reindexPages(of: dataSource, in: database)
        }
    }

    public func changeSchema(
        of id: String,
        by editor: String,
        at time: Date,
        _ change: @escaping @Sendable (DataSourceSchema) -> DataSourceSchema
    ) async throws {
        try await transaction { database in
            guard
                let row = try await database.raw(
                    """
                    UPDATE data_sources SET unique_counter = unique_counter WHERE id = \(bind: id) RETURNING *
                    """
                ).first()
            else { return }
            var dataSource = try Self.dataSource(row)
            let before = dataSource.schema
            dataSource.schema = change(before)
            guard dataSource.schema != before else { return }
            try await database.raw(
                """
                UPDATE data_sources SET schema = \(bind: try StoredJSON.text(dataSource.schema)),
                    last_edited_at = \(bind: time.epochMilliseconds), last_edited_by = \(bind: editor)
                WHERE id = \(bind: id)
                """
            ).run()
            let kept = Set(dataSource.schema.properties.map(\.id))
            if before.properties.contains(where: { !kept.contains($0.id) }) {
                try await Self.reindexPages(of: dataSource, in: database)
            }
        }
    }

    /// Numbers the data source's unnumbered pages when its schema has a `unique_id`, and rewrites
    /// every page's index rows under its schema.
    static func reindexPages(of dataSource: DataSourceRecord, in database: any SQLDatabase) async throws {
        if dataSource.schema.properties.contains(where: { $0.type == .uniqueId }) {
            try await numberUnnumberedPages(of: dataSource.id, in: database)
        }
        let rows = try await database.raw(
            "SELECT * FROM pages WHERE parent_type = 'database' AND parent_id = \(bind: dataSource.id)"
        ).all()
        for row in rows {
            let page = try storedPage(row, titleID: dataSource.schema.title?.id ?? "title")
            try await writeIndex(of: page, dataSource: dataSource, in: database)
        }
    }

    /// Gives the data source's pages that have no `unique_id` number one, after its counter, in
    /// creation order, and moves the counter past them: a `unique_id` property added to a data
    /// source numbers its pages as they were created.
    static func numberUnnumberedPages(of dataSourceID: String, in database: any SQLDatabase) async throws {
        for (before, after) in numberingSequence {
            try await database.raw("\(unsafeRaw: before) = \(bind: dataSourceID)\(unsafeRaw: after)").run()
        }
    }

    /// The statements of ``numberUnnumberedPages(of:in:)``, each split where it names the data
    /// sources (by a condition on their id) it numbers: migration 22 numbers with them every data
    /// source that has a `unique_id` property. The counter is moved past the numbers pages already
    /// have (a fixture's, or those given before the property was removed), then the pages without
    /// one are numbered after it, then the counter is moved past them.
    static var numberingSequence: [(before: String, after: String)] {
        [counterPastNumbers, numberUnnumbered, counterPastNumbers]
    }

    /// Numbers the pages without a number after the counter, in creation order.
    private static let numberUnnumbered = (
        before: """
        UPDATE pages SET unique_number = numbered.n FROM (
            SELECT p.id, s.unique_counter + ROW_NUMBER() OVER (PARTITION BY p.parent_id ORDER BY p.created_at, p.id) AS n
            FROM pages p JOIN data_sources s ON s.id = p.parent_id
            WHERE p.parent_type = 'database' AND p.unique_number IS NULL AND s.id
        """,
        after: ") AS numbered WHERE pages.id = numbered.id"
    )

    /// Moves the counter past the highest number a page has.
    private static let counterPastNumbers = (
        before: "UPDATE data_sources SET unique_counter = (\(highestNumber)) WHERE id",
        after: " AND unique_counter < (\(highestNumber))"
    )

    /// Locks the data source's row and reads its schema and `unique_id` counter, first moving the
    /// counter by `advance` (1 to take a number); nil when there is no such data source.
    static func lockDataSource(
        _ id: String,
        advancingCounterBy advance: Int = 0,
        in database: any SQLDatabase
    ) async throws -> (schema: DataSourceSchema, counter: Int)? {
        guard
            let row = try await database.raw(
                """
                UPDATE data_sources SET unique_counter = unique_counter + \(bind: advance)
                WHERE id = \(bind: id) RETURNING schema, unique_counter
                """
            ).first()
        else { return nil }
        return (
            try decodedSchemas.value(of: try row.decode(column: "schema", as: String.self)),
            try row.decode(column: "unique_counter", as: Int.self)
        )
    }

    /// The highest `unique_id` number among a data source's pages, inside an update of `data_sources`.
    private static let highestNumber =
        "SELECT MAX(p.unique_number) FROM pages p WHERE p.parent_type = 'database' AND p.parent_id = data_sources.id"

    public func updateDatabase(_ record: DatabaseRecord) async throws {
        try await write { database in
            try await database.raw(
                """
                UPDATE databases SET title = \(bind: record.title), parent_page_id = \(bind: record.parentPageID),
                    last_edited_at = \(bind: record.lastEditedAt.epochMilliseconds),
                    last_edited_by = \(bind: record.lastEditedBy)
                WHERE id = \(bind: record.id)
                """
            ).run()
        }
    }

    static func insert(_ dataSource: DataSourceRecord, into database: any SQLDatabase) async throws {
        try await database.raw(
            """
            INSERT INTO data_sources (id, database_id, workspace_id, name, schema, trashed_at, created_at, last_edited_at, created_by, last_edited_by)
            VALUES (\(bind: dataSource.id), \(bind: dataSource.databaseID), \(bind: dataSource.workspaceID), \(bind: dataSource.name), \(bind: try StoredJSON.text(dataSource.schema)), \(bind: dataSource.inTrash ? dataSource.lastEditedAt.epochMilliseconds : nil), \(bind: dataSource.createdAt.epochMilliseconds), \(bind: dataSource.lastEditedAt.epochMilliseconds), \(bind: dataSource.createdBy), \(bind: dataSource.lastEditedBy))
            """
        ).run()
    }

    /// Data sources' schemas by their stored text: every request on a data source or its pages
    /// reads the schema, which changes far less often than it is read.
    static let decodedSchemas = DecodedJSONCache<DataSourceSchema>(byteBudget: 4 << 20, largestText: 256 << 10)

    static func dataSource(_ row: any SQLRow) throws -> DataSourceRecord {
        DataSourceRecord(
            id: try row.decode(column: "id", as: String.self),
            databaseID: try row.decode(column: "database_id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            schema: try decodedSchemas.value(of: try row.decode(column: "schema", as: String.self)),
            inTrash: try row.decode(column: "trashed_at", as: Int64?.self) != nil,
            createdAt: try date(row, "created_at"),
            lastEditedAt: try date(row, "last_edited_at"),
            createdBy: try row.decode(column: "created_by", as: String?.self),
            lastEditedBy: try row.decode(column: "last_edited_by", as: String?.self)
        )
    }

}

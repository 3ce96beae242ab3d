import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``DataSourceStore``: pages' property values and their index rows, written together.
extension SQLStore {
    public func storedPage(id: String, titleID: String) async throws -> StoredPage? {
        try await read { database in
            try await database.raw("SELECT * FROM pages WHERE id = \(bind: id)").first().map {
                try Self.storedPage($0, titleID: titleID)
            }
        }
    }

    public func writePage(_ page: StoredPage, create: Bool, dataSource: DataSourceRecord?) async throws {
        let record = page.record
        let (parentType, parentID) = Self.columns(of: record.parent)
        let values = try StoredJSON.text(page.properties.values)
        let archivedAt = record.archived ? record.lastEditedAt.epochMilliseconds : nil
        try await mapUnique("page \(record.id)") {
            try await transaction { database in
                if create {
                    try await database.raw(
                        """
                        INSERT INTO pages (id, workspace_id, title, parent_type, parent_id, archived_at, created_by, last_edited_by, created_at, last_edited_at, properties, unique_number)
                        VALUES (\(bind: record.id), \(bind: record.workspaceID), \(bind: record.title), \(bind: parentType), \(bind: parentID), \(bind: archivedAt), \(bind: record.createdBy), \(bind: record.lastEditedBy), \(bind: record.createdAt.epochMilliseconds), \(bind: record.lastEditedAt.epochMilliseconds), \(bind: values), \(bind: page.properties.metadata.uniqueNumber))
                        """
                    ).run()
                } else {
                    try await database.raw(
                        """
                        UPDATE pages SET title = \(bind: record.title), archived_at = \(bind: archivedAt),
                            last_edited_by = \(bind: record.lastEditedBy), last_edited_at = \(bind: record.lastEditedAt.epochMilliseconds),
                            properties = \(bind: values)
                        WHERE id = \(bind: record.id)
                        """
                    ).run()
                }
                if let dataSource {
                    // Written only when it changed (an option added, a counter moved): an update
                    // that changes nothing would still lock the row, and every page written to the
                    // data source at once would wait for it.
                    let schema = try StoredJSON.text(dataSource.schema)
                    try await database.raw(
                        """
                        UPDATE data_sources SET schema = \(bind: schema)
                        WHERE id = \(bind: dataSource.id) AND schema <> \(bind: schema)
                        """
                    ).run()
                    try await Self.writeIndex(of: page, dataSource: dataSource, in: database)
                }
            }
        }
    }

    /// Replaces the page's index rows and sort keys with those of its current values.
    static func writeIndex(of page: StoredPage, dataSource: DataSourceRecord, in database: any SQLDatabase) async throws
    {
        let id = page.record.id
        try await database.raw("DELETE FROM page_index WHERE page_id = \(bind: id)").run()
        try await database.raw("DELETE FROM page_sort_keys WHERE page_id = \(bind: id)").run()
        let rows = PageIndexer.rows(for: page.properties, schema: dataSource.schema)
        if !rows.isEmpty {
            let insert = database.insert(into: "page_index")
                .columns(
                    "page_id",
                    "data_source_id",
                    "property_id",
                    "text",
                    "key",
                    "number",
                    "date_start",
                    "date_end",
                    "flag"
                )
            for row in rows {
                insert.values(
                    SQLBind(id),
                    SQLBind(dataSource.id),
                    SQLBind(row.propertyId),
                    SQLBind(row.text),
                    SQLBind(row.key),
                    SQLBind(row.number),
                    SQLBind(row.dateStart),
                    SQLBind(row.dateEnd),
                    SQLBind(row.flag)
                )
            }
            try await insert.run()
        }
        var keys: [(String, SortKey)] = []
        for property in dataSource.schema.properties {
            let target = FilterTarget.property(id: property.id, type: property.type)
            if let key = SortKey.of(target, in: page.properties, schema: dataSource.schema) {
                keys.append((property.id, key))
            }
        }
        guard !keys.isEmpty else { return }
        let insert = database.insert(into: "page_sort_keys")
            .columns("page_id", "data_source_id", "property_id", "number", "text")
        for (propertyID, key) in keys {
            var number: Double?
            var text: String?
            switch key {
            case .number(let value): number = value
            case .text(let value): text = value
            }
            insert.values(SQLBind(id), SQLBind(dataSource.id), SQLBind(propertyID), SQLBind(number), SQLBind(text))
        }
        try await insert.run()
    }

    /// Pages' property values by their stored text: 16 MiB of texts, about 30,000 pages of a few
    /// properties each.
    static let decodedPropertyValues = DecodedJSONCache<[String: PropertyValue]>(byteBudget: 16 << 20)

    /// A page row with its values (a page written before properties existed has its title only).
    static func storedPage(_ row: any SQLRow, titleID: String) throws -> StoredPage {
        let record = try page(row)
        var values: [String: PropertyValue] = [:]
        if let json = try row.decode(column: "properties", as: String?.self) {
            values = try Self.decodedPropertyValues.value(of: json)
        } else if !record.title.isEmpty {
            values[titleID] = .title(RichText([.text(record.title)]))
        }
        let metadata = PageMetadata(
            createdTime: record.createdAt.epochMilliseconds,
            lastEditedTime: record.lastEditedAt.epochMilliseconds,
            createdBy: record.createdBy,
            lastEditedBy: record.lastEditedBy,
            uniqueNumber: try row.decode(column: "unique_number", as: Int?.self)
        )
        return StoredPage(record: record, properties: PageProperties(values: values, metadata: metadata))
    }
}

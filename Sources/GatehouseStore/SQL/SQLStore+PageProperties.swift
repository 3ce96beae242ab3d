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

    @discardableResult
    public func writePage(
        _ page: StoredPage,
        create: Bool,
        dataSource: DataSourceRecord?,
        setting: PageUpdate?
    ) async throws -> WrittenPage {
        let engine = self.engine
        return try await mapUnique("page \(page.record.id)") {
            try await transaction { database in
                // Lock order: the workspace's mirroring lock, the data source's row, this page's
                // row, then the pages it mirrors into.
                var mirroringLocked = dataSource.map { Self.hasTwoWayRelations($0.schema) } ?? false
                if mirroringLocked { try await Self.takeMirroringLock(of: page.record.workspaceID, in: database) }
                var written = WrittenPage(page: page, dataSource: dataSource)
                if let dataSource {
                    written = try await Self.reconcile(
                        page,
                        create: create,
                        with: dataSource,
                        mirroringLocked: &mirroringLocked,
                        in: database
                    )
                }
                let twoWay = written.dataSource.map { Self.hasTwoWayRelations($0.schema) } ?? false
                if twoWay, !mirroringLocked {
                    // Made two-way between reconcile's read and its lock of the data source: rare.
                    try await Self.takeMirroringLock(of: page.record.workspaceID, in: database)
                }
                var previousValues: [String: PropertyValue] = [:]
                var storedArchivedAt: Int64?
                if !create, setting != nil || twoWay,
                    let row = try await database.raw(
                        """
                        UPDATE pages SET title = title WHERE id = \(bind: page.record.id)
                        RETURNING title, properties, parent_type, parent_id, archived_at, icon, cover
                        """
                    ).first()
                {
                    let (parentType, parentID) = Self.columns(of: page.record.parent)
                    guard try row.decode(column: "parent_type", as: String.self) == parentType,
                        try row.decode(column: "parent_id", as: String?.self) == parentID
                    else {
                        // Moved since the caller read it: its values belong to another schema now.
                        throw StoreError(.conflict, "page \(page.record.id) moved meanwhile")
                    }
                    // The page as stored now, its row locked: a write that sets some properties
                    // or fields leaves the others as they are, whatever the caller read before.
                    if let json = try row.decode(column: "properties", as: String?.self) {
                        previousValues = try Self.decodedPropertyValues.value(of: json)
                    }
                    storedArchivedAt = try row.decode(column: "archived_at", as: Int64?.self)
                    written.wasInTrash = storedArchivedAt != nil
                    if let setting {
                        if !setting.setsTrash, !page.record.archived, storedArchivedAt != nil {
                            // Trashed since the caller read it: a trashed page takes no edits.
                            throw StoreError(.conflict, "page \(page.record.id) was trashed meanwhile")
                        }
                        try Self.keepUnset(of: setting, stored: row, previousValues, in: &written)
                    }
                }
                let page = written.page
                let record = page.record
                let (parentType, parentID) = Self.columns(of: record.parent)
                let values = try StoredJSON.text(page.properties.values)
                let icon = try record.icon.map { try StoredJSON.text($0) }
                // A page that stays in the trash keeps the moment it went there.
                let archivedAt = record.archived ? storedArchivedAt ?? record.lastEditedAt.epochMilliseconds : nil
                if create {
                    try await database.raw(
                        """
                        INSERT INTO pages (id, workspace_id, title, parent_type, parent_id, archived_at, created_by, last_edited_by, created_at, last_edited_at, properties, unique_number, icon, cover)
                        VALUES (\(bind: record.id), \(bind: record.workspaceID), \(bind: record.title), \(bind: parentType), \(bind: parentID), \(bind: archivedAt), \(bind: record.createdBy), \(bind: record.lastEditedBy), \(bind: record.createdAt.epochMilliseconds), \(bind: record.lastEditedAt.epochMilliseconds), \(bind: values), \(bind: page.properties.metadata.uniqueNumber), \(bind: icon), \(bind: record.cover?.stored))
                        """
                    ).run()
                } else {
                    try await database.raw(
                        """
                        UPDATE pages SET title = \(bind: record.title), archived_at = \(bind: archivedAt),
                            last_edited_by = \(bind: record.lastEditedBy), last_edited_at = \(bind: record.lastEditedAt.epochMilliseconds),
                            properties = \(bind: values), icon = \(bind: icon), cover = \(bind: record.cover?.stored)
                        WHERE id = \(bind: record.id)
                        """
                    ).run()
                }
                if !create {
                    try await Self.trashReference(ofPage: record.id, record.archived, engine: engine, in: database)
                }
                if let dataSource = written.dataSource {
                    try await Self.writeIndex(of: page, dataSource: dataSource, in: database)
                    if twoWay {
                        try await Self.mirror(
                            DualRelations.mirrors(
                                in: dataSource.schema,
                                from: previousValues,
                                to: page.properties.values
                            ),
                            of: record.id,
                            in: database
                        )
                    }
                }
                return written
            }
        }
    }

    /// Puts back in `written` what `update` does not set, from the page's locked `row`
    /// (`previousValues` holds its decoded values; a page without stored values keeps them).
    private static func keepUnset(
        of update: PageUpdate,
        stored row: any SQLRow,
        _ previousValues: [String: PropertyValue],
        in written: inout WrittenPage
    ) throws {
        if try row.decode(column: "properties", as: String?.self) != nil {
            var merged = previousValues
            for id in update.properties { merged[id] = written.page.properties.values[id] }
            written.page.properties.values = merged
            let titleID = written.dataSource?.schema.title?.id ?? "title"
            if !update.properties.contains(titleID) {
                written.page.record.title = try row.decode(column: "title", as: String.self)
            }
        }
        if !update.setsTrash {
            written.page.record.archived = try row.decode(column: "archived_at", as: Int64?.self) != nil
        }
        if !update.setsIcon {
            written.page.record.icon = try row.decode(column: "icon", as: String?.self).map {
                try StoredJSON.decode(Icon.self, from: $0)
            }
        }
        if !update.setsCover {
            written.page.record.cover = try row.decode(column: "cover", as: String?.self).map(PageCover.init(stored:))
        }
    }

    public func takeMirroringLock(workspaceID: String) async throws {
        try await write { database in try await Self.takeMirroringLock(of: workspaceID, in: database) }
    }

    /// Takes the workspace's mirroring lock (a no-op update of its row) until the transaction ends.
    ///
    /// Every write that mirrors takes it before it locks a page, so two writes that each list the
    /// other's page queue instead of deadlocking; a write without two-way relations locks only its
    /// own page and never waits on another.
    static func takeMirroringLock(of workspaceID: String, in database: any SQLDatabase) async throws {
        try await database.raw("UPDATE workspaces SET plan = plan WHERE id = \(bind: workspaceID)").run()
    }

    static func hasTwoWayRelations(_ schema: DataSourceSchema) -> Bool {
        schema.properties.contains { DualRelations.target(of: $0) != nil }
    }

    public func mirrorStoredValues(of dataSourceID: String, properties: [String]) async throws {
        guard !properties.isEmpty else { return }
        try await transaction { database in
            guard
                let row = try await database.raw("SELECT * FROM data_sources WHERE id = \(bind: dataSourceID)").first()
            else { return }
            let dataSource = try Self.dataSource(row)
            let paired = DataSourceSchema(
                properties: dataSource.schema.properties.filter { properties.contains($0.id) }
            )
            try await Self.takeMirroringLock(of: dataSource.workspaceID, in: database)
            let pages = try await database.raw(
                "SELECT id, properties FROM pages WHERE parent_type = 'database' AND parent_id = \(bind: dataSourceID)"
            ).all()
            for page in pages {
                guard let json = try page.decode(column: "properties", as: String?.self) else { continue }
                let mirrors = DualRelations.mirrors(
                    in: paired,
                    from: [:],
                    to: try Self.decodedPropertyValues.value(of: json)
                )
                try await Self.mirror(mirrors, of: try page.decode(column: "id", as: String.self), in: database)
            }
        }
    }

    /// Adds `pageID` to, or takes it from, the synced property of each page `mirrors` names,
    /// and indexes those pages again. A related page that is gone, or moved out of the related
    /// data source, is skipped, as is a data source that lost its synced property.
    static func mirror(_ mirrors: [DualRelations.Mirror], of pageID: String, in database: any SQLDatabase) async throws
    {
        for mirror in mirrors {
            guard
                let row = try await database.raw("SELECT * FROM data_sources WHERE id = \(bind: mirror.dataSource)")
                    .first()
            else { continue }
            let dataSource = try Self.dataSource(row)
            guard
                dataSource.schema.properties.contains(where: { $0.id == mirror.syncedProperty && $0.type == .relation })
            else { continue }
            let changes = mirror.linked.map { ($0, true) } + mirror.unlinked.map { ($0, false) }
            for (related, linked) in changes.sorted(by: { $0.0 < $1.0 }) {
                guard
                    let row = try await database.raw(
                        """
                        SELECT * FROM pages WHERE id = \(bind: related)
                            AND parent_type = 'database' AND parent_id = \(bind: dataSource.id)
                        """
                    ).first()
                else { continue }
                var page = try Self.storedPage(row, titleID: dataSource.schema.title?.id ?? "title")
                guard
                    let values = DualRelations.mirrored(
                        page.properties.values,
                        property: mirror.syncedProperty,
                        page: pageID,
                        linked: linked
                    )
                else { continue }
                page.properties.values = values
                try await database.raw(
                    "UPDATE pages SET properties = \(bind: try StoredJSON.text(values)) WHERE id = \(bind: related)"
                ).run()
                try await Self.writeIndex(of: page, dataSource: dataSource, in: database)
            }
        }
    }

    /// The page and its data source as they will be stored, inside the write's transaction.
    ///
    /// The stored schema is read first without a lock: most writes name only options it has and
    /// need no number, and leave the data source's row alone (a lock on it would queue every page
    /// written to the data source at once). Otherwise the row is locked by moving its `unique_id`
    /// counter (by one for a new number, by none to add options), the schema is read again under
    /// the lock and the page reconciled with it, so racing writes neither lose an option nor share
    /// a number.
    ///
    /// When the stored schema has a two-way relation and `mirroringLocked` is false, the
    /// workspace's mirroring lock is taken (and `mirroringLocked` set) before the data source's
    /// row, in the order every write of two-way relations takes them.
    static func reconcile(
        _ page: StoredPage,
        create: Bool,
        with dataSource: DataSourceRecord,
        mirroringLocked: inout Bool,
        in database: any SQLDatabase
    ) async throws -> WrittenPage {
        var page = page
        var stored = dataSource
        guard
            let row = try await database.raw(
                "SELECT schema, unique_counter FROM data_sources WHERE id = \(bind: dataSource.id)"
            ).first()
        else { return WrittenPage(page: page, dataSource: dataSource) }
        stored.schema = try decodedSchemas.value(of: try row.decode(column: "schema", as: String.self))
        if !mirroringLocked, hasTwoWayRelations(stored.schema) {
            try await takeMirroringLock(of: page.record.workspaceID, in: database)
            mirroringLocked = true
        }
        var reconciliation = SchemaReconciliation(
            values: page.properties.values,
            writtenWith: dataSource.schema,
            stored: stored.schema
        )
        let hasUniqueID = stored.schema.properties.contains { $0.type == .uniqueId }
        let needsNumber = create && hasUniqueID && page.properties.metadata.uniqueNumber == nil
        if needsNumber || reconciliation.addedTo != nil {
            if let locked = try await lockDataSource(
                dataSource.id,
                advancingCounterBy: needsNumber ? 1 : 0,
                in: database
            ) {
                stored.schema = locked.schema
                reconciliation = SchemaReconciliation(
                    values: page.properties.values,
                    writtenWith: dataSource.schema,
                    stored: stored.schema
                )
                if needsNumber { page.properties.metadata.uniqueNumber = locked.counter }
            }
            if let schema = reconciliation.addedTo {
                stored.schema = schema
                try await database.raw(
                    "UPDATE data_sources SET schema = \(bind: try StoredJSON.text(schema)) WHERE id = \(bind: dataSource.id)"
                ).run()
            }
        } else if create, let number = page.properties.metadata.uniqueNumber,
            try row.decode(column: "unique_counter", as: Int.self) < number
        {
            // A page that brings its number (a fixture): later pages are numbered after it.
            try await database.raw(
                """
                UPDATE data_sources SET unique_counter = \(bind: number)
                WHERE id = \(bind: dataSource.id) AND unique_counter < \(bind: number)
                """
            ).run()
        }
        page.properties.values = reconciliation.values
        return WrittenPage(page: page, dataSource: stored)
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

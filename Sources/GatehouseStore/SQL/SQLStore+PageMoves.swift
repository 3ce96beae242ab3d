import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``DataSourceStore/movePage(_:into:leaving:reference:)``: a page to a new parent page or data source.
extension SQLStore {
    @discardableResult
    public func movePage(
        _ page: StoredPage,
        into dataSource: DataSourceRecord?,
        leaving: DataSourceRecord?,
        reference: BlockAppendTarget?
    ) async throws -> WrittenPage {
        let engine = self.engine
        return try await transaction { database in
            let id = page.record.id
            let twoWay = [leaving, dataSource].contains { source in
                source?.schema.properties.contains { DualRelations.target(of: $0) != nil } ?? false
            }
            var previous: [String: PropertyValue] = [:]
            if twoWay { previous = try await Self.lockForMirroring(page: page.record, create: false, in: database) }
            var written = WrittenPage(page: page, dataSource: dataSource)
            if let dataSource {
                // As for a new page: reconciled with the stored schema, numbered when it has a `unique_id`.
                written = try await Self.reconcile(page, create: true, with: dataSource, in: database)
            }
            let moved = written.page
            let (parentType, parentID) = Self.columns(of: moved.record.parent)
            try await database.raw(
                """
                UPDATE pages SET title = \(bind: moved.record.title), parent_type = \(bind: parentType),
                    parent_id = \(bind: parentID), properties = \(bind: try StoredJSON.text(moved.properties.values)),
                    unique_number = \(bind: moved.properties.metadata.uniqueNumber),
                    last_edited_by = \(bind: moved.record.lastEditedBy),
                    last_edited_at = \(bind: moved.record.lastEditedAt.epochMilliseconds)
                WHERE id = \(bind: id)
                """
            ).run()
            // Its `child_page` block leaves the page or block it was under (which, if a block,
            // may have no child left).
            let parentBlock = try await Self.lockParentBlock(of: id, engine: engine, in: database)
            try await database.raw("DELETE FROM blocks WHERE id = \(bind: id)").run()
            if let parentBlock { try await Self.updateHasChildren(of: parentBlock, in: database) }
            if let reference {
                _ = try await Self.appendChildReference(
                    id: id,
                    content: .childPage(title: moved.record.title),
                    to: reference,
                    engine: engine,
                    in: database
                )
            }
            if let dataSource = written.dataSource {
                try await Self.writeIndex(of: moved, dataSource: dataSource, in: database)
            } else {
                try await database.raw("DELETE FROM page_index WHERE page_id = \(bind: id)").run()
                try await database.raw("DELETE FROM page_sort_keys WHERE page_id = \(bind: id)").run()
            }
            if twoWay, leaving?.id != written.dataSource?.id {
                if let leaving {
                    try await Self.mirror(
                        DualRelations.mirrors(in: leaving.schema, from: previous, to: [:]),
                        of: id,
                        in: database
                    )
                }
                if let entered = written.dataSource {
                    try await Self.mirror(
                        DualRelations.mirrors(in: entered.schema, from: [:], to: moved.properties.values),
                        of: id,
                        in: database
                    )
                }
            }
            return written
        }
    }
}

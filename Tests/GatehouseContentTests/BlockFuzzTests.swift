import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

/// Random JSON into every block parser: a value or a ``ContentValidationError``, never a trap.
@Suite struct BlockFuzzTests {
    private static let words =
        RandomJSON.richTextWords + BlockType.allCases.map(\.rawValue) + [
            "children", "rich_text", "checked", "is_toggleable", "language", "swift", "caption", "icon", "emoji",
            "external", "table_width", "cells", "synced_from", "block_id", "page_id", "position", "after_block",
            "after", "in_trash", "archived", "title",
        ]

    @Test func garbageAppendsNeverTrap() {
        var generator = SeededGenerator(seed: 2026)
        for _ in 0..<3_000 {
            let body = RandomJSON.value(depth: 6, using: &generator, vocabulary: Self.words)
            check {
                let request = try AppendRequest.parse(body, version: BlockFixtures.current)
                let rows = request.children.flattened(
                    under: .page(id: BlockFixtures.pageID),
                    positions: try SiblingOrder.placement(inserting: request.children.count, at: .end, among: [])
                        .positions,
                    makeID: { "id" }
                )
                for row in rows {
                    let meta = BlockMetadata(
                        id: row.id,
                        parent: row.parent,
                        createdTime: "t",
                        lastEditedTime: "t",
                        createdBy: "u",
                        lastEditedBy: "u",
                        hasChildren: row.hasChildren,
                        inTrash: false
                    )
                    _ = row.content.rendered(meta, version: BlockFixtures.latest, resolving: UnresolvedMentions())
                }
            }
            check {
                let wrapped: JSONValue = ["children": [body]]
                _ = try AppendRequest.parse(wrapped, version: BlockFixtures.old)
            }
        }
    }

    @Test func garbageUpdatesNeverTrap() {
        var generator = SeededGenerator(seed: 11)
        let stored = BlockType.allCases.map { type -> BlockContent in
            var content = BlockContent(type: type)
            content.cells = type == .tableRow ? [[]] : nil
            return content
        }
        for _ in 0..<3_000 {
            let body = RandomJSON.value(depth: 5, using: &generator, vocabulary: Self.words)
            for current in stored {
                check { _ = try BlockUpdate.parse(body, current: current, version: BlockFixtures.current) }
            }
        }
    }

    private func check(_ run: () throws -> Void) {
        do {
            try run()
        } catch let error as ContentValidationError {
            #expect(error.path.hasPrefix("body"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

import GatehouseContent
import GatehouseCore
import Testing

@Suite struct BlockAppendTests {
    private typealias F = BlockFixtures
    private let gap = SiblingOrder.gap
    private var siblings: [(id: String, position: Int64)] {
        [("a", gap), ("b", 2 * gap), ("c", 3 * gap)]
    }

    @Test func appendingAtTheEndFollowsTheLastSibling() throws {
        let placement = try SiblingOrder.placement(inserting: 2, at: .end, among: siblings)
        #expect(placement.positions == [4 * gap, 5 * gap])
        #expect(placement.renumbered.isEmpty)
        #expect(try SiblingOrder.placement(inserting: 1, at: .end, among: []).positions == [gap])
    }

    @Test func appendingAtTheStartPrecedesTheFirstSibling() throws {
        let placement = try SiblingOrder.placement(inserting: 2, at: .start, among: siblings)
        #expect(placement.positions == [-gap, 0])
        #expect(placement.positions.allSatisfy { $0 < gap })
    }

    @Test func insertingAfterABlockSpreadsKeysBetweenItAndTheNext() throws {
        let placement = try SiblingOrder.placement(
            inserting: 3,
            at: .afterBlock(id: "a", path: "body.after"),
            among: siblings
        )
        #expect(placement.positions == [gap + gap / 4, gap + gap / 2, gap + 3 * gap / 4])
        #expect(placement.renumbered.isEmpty)
        let last = try SiblingOrder.placement(
            inserting: 1,
            at: .afterBlock(id: "c", path: "body.after"),
            among: siblings
        )
        #expect(last.positions == [4 * gap])
    }

    @Test func aFullGapRenumbersTheSiblingsInTheirFinalOrder() throws {
        let tight: [(id: String, position: Int64)] = [("a", 1), ("b", 2)]
        let placement = try SiblingOrder.placement(
            inserting: 2,
            at: .afterBlock(id: "a", path: "body.after"),
            among: tight
        )
        #expect(placement.renumbered.map(\.id) == ["a", "b"])
        #expect(placement.renumbered.map(\.position) == [gap, 4 * gap])
        #expect(placement.positions == [2 * gap, 3 * gap])
    }

    @Test func keysAtTheEdgeOfTheIntegerRangeRenumberInsteadOfOverflowing() throws {
        let edge: [(id: String, position: Int64)] = [("a", .min), ("b", .max)]
        let atEnd = try SiblingOrder.placement(inserting: 1, at: .end, among: edge)
        #expect(atEnd.positions == [3 * gap])
        #expect(atEnd.renumbered.map(\.position) == [gap, 2 * gap])
        let between = try SiblingOrder.placement(
            inserting: 1,
            at: .afterBlock(id: "a", path: "body.after"),
            among: edge
        )
        #expect(between.positions == [2 * gap])
        let atStart = try SiblingOrder.placement(inserting: 1, at: .start, among: edge)
        #expect(atStart.positions == [gap])
        #expect(atStart.renumbered.map(\.position) == [2 * gap, 3 * gap])
    }

    @Test func afterABlockThatIsNotASiblingIsRefused() {
        let error = F.error {
            _ = try SiblingOrder.placement(
                inserting: 1,
                at: .afterBlock(id: "z", path: "body.position.after_block.id"),
                among: siblings
            )
        }
        #expect(error?.path == "body.position.after_block.id")
    }

    @Test func theRequestReadsPositionOrTheOlderAfter() throws {
        let children: JSONValue = [F.paragraph("x")]
        #expect(try AppendRequest.parse(["children": children], version: F.latest).position == .end)
        #expect(
            try AppendRequest.parse(["children": children, "position": ["type": "start"]], version: F.latest).position
                == .start
        )
        let after = try AppendRequest.parse(
            ["children": children, "position": ["type": "after_block", "after_block": ["id": .string(F.blockID)]]],
            version: F.latest
        )
        #expect(after.position == .afterBlock(id: F.blockID, path: "body.position.after_block.id"))
        let old = try AppendRequest.parse(["children": children, "after": .string(F.blockID)], version: F.current)
        #expect(old.position == .afterBlock(id: F.blockID, path: "body.after"))
    }

    @Test func afterIsRefusedFromTwentySixAndWithPosition() {
        let children: JSONValue = [F.paragraph("x")]
        #expect(
            F.error {
                _ = try AppendRequest.parse(["children": children, "after": .string(F.blockID)], version: F.latest)
            }?.path == "body.after"
        )
        let both: JSONValue = ["children": children, "after": .string(F.blockID), "position": ["type": "end"]]
        #expect(F.error { _ = try AppendRequest.parse(both, version: F.current) }?.path == "body.after")
        #expect(
            F.error {
                _ = try AppendRequest.parse(["children": children, "position": ["type": "middle"]], version: F.latest)
            }?.path == "body.position.type"
        )
    }

    @Test func appendingToABlockWithoutChildrenOrWithoutChildrenArrayIsRefused() {
        #expect(
            F.error {
                _ = try AppendRequest.parse(["children": []], version: F.current, parent: BlockContent(type: .divider))
            }?.path
                == "body.children"
        )
        #expect(F.error { _ = try AppendRequest.parse([:], version: F.current) }?.path == "body.children")
    }

    @Test func rowsAppendedToATableMustBeAsWideAsIt() throws {
        var table = BlockContent(type: .table)
        table.tableWidth = 2
        let wide: JSONValue = ["table_row": ["cells": [[], []]]]
        let narrow: JSONValue = ["table_row": ["cells": [[]]]]
        #expect(try AppendRequest.parse(["children": [wide]], version: F.current, parent: table).children.count == 1)
        let error = F.error {
            _ = try AppendRequest.parse(["children": [wide, narrow]], version: F.current, parent: table)
        }
        #expect(error?.path == "body.children[1].table_row.cells")
        #expect(
            F.error { _ = try AppendRequest.parse(["children": [F.paragraph("x")]], version: F.current, parent: table) }
                != nil
        )
    }

    @Test func aSyncedCopyTakesNoAppendedChildren() {
        var copy = BlockContent(type: .syncedBlock)
        copy.syncedFrom = F.blockID
        let error = F.error {
            _ = try AppendRequest.parse(["children": [F.paragraph("x")]], version: F.current, parent: copy)
        }
        #expect(error?.path == "body.children")
    }
}

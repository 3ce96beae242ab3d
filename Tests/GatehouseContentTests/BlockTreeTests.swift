import GatehouseContent
import GatehouseCore
import Testing

@Suite struct BlockTreeTests {
    private typealias F = BlockFixtures

    private func parse(_ children: JSONValue, under parent: BlockType? = nil) throws -> [BlockDraft] {
        try BlockDraft.parseChildren(children, at: "body.children", version: F.current, under: parent)
    }

    private func toggle(_ children: JSONValue) -> JSONValue {
        ["toggle": ["rich_text": [["text": ["content": "t"]]], "children": children]]
    }

    @Test func twoLevelsOfNestingAreAccepted() throws {
        let drafts = try parse([toggle([toggle([F.paragraph("deep")])])])
        #expect(drafts[0].children[0].children[0].content.richText == [.text("deep")])
        #expect(drafts[0].blockCount == 3)
    }

    @Test func aThirdLevelIsRefused() {
        let error = F.error { _ = try parse([toggle([toggle([toggle([F.paragraph("too deep")])])])]) }
        #expect(error?.path == "body.children[0].toggle.children[0].toggle.children[0].toggle.children")
    }

    @Test func moreThanAHundredChildrenAreRefused() {
        let error = F.error { _ = try parse(.array(Array(repeating: F.paragraph("x"), count: 101))) }
        #expect(error?.path == "body.children.length")
        #expect(error?.message == "body.children.length should be ≤ `100`, instead was `101`.")
    }

    @Test func moreThanAThousandBlocksInAllAreRefused() {
        let wide = toggle(
            .array(Array(repeating: toggle(.array(Array(repeating: F.paragraph("x"), count: 9))), count: 10))
        )
        // 100 top-level toggles, each with 10 toggles of 9 paragraphs: 10,000 blocks.
        let error = F.error { _ = try parse(.array(Array(repeating: wide, count: 100))) }
        #expect(error?.message.contains("at most 1000 blocks") == true)
    }

    @Test func aTableNeedsRowsAsWideAsItself() throws {
        let row: JSONValue = ["table_row": ["cells": [[["text": ["content": "a"]]], [["text": ["content": "b"]]]]]]
        let table: JSONValue = ["table": ["table_width": 2, "has_column_header": true, "children": [row, row]]]
        let drafts = try parse([table])
        #expect(drafts[0].content.tableWidth == 2)
        #expect(drafts[0].children.count == 2)
        let narrow: JSONValue = ["table": ["table_width": 3, "children": [row]]]
        #expect(F.error { _ = try parse([narrow]) }?.path == "body.children[0].table.children[0].table_row.cells")
        #expect(F.error { _ = try parse([["table": ["table_width": 2]]]) }?.path == "body.children[0].table.children")
        #expect(
            F.error { _ = try parse([["table": ["table_width": 0, "children": [row]]]]) }?.path
                == "body.children[0].table.table_width"
        )
        #expect(F.error { _ = try parse([["table": ["table_width": 1, "children": [F.paragraph("x")]]]]) } != nil)
    }

    @Test func aRowOutsideATableIsRefusedUnlessAppendedToATable() throws {
        let row: JSONValue = ["table_row": ["cells": [[]]]]
        #expect(F.error { _ = try parse([row]) }?.path == "body.children[0]")
        #expect(try parse([row], under: .table).count == 1)
    }

    @Test func aColumnListNeedsTwoColumnsEachWithAChild() throws {
        let column: JSONValue = ["column": ["children": [F.paragraph("x")]]]
        #expect(try parse([["column_list": ["children": [column, column]]]])[0].children.count == 2)
        #expect(
            F.error { _ = try parse([["column_list": ["children": [column]]]]) }?.path
                == "body.children[0].column_list.children"
        )
        let empty: JSONValue = ["column": ["children": []]]
        #expect(
            F.error { _ = try parse([["column_list": ["children": [column, empty]]]]) }?.path
                == "body.children[0].column_list.children[1].column.children"
        )
        #expect(F.error { _ = try parse([column]) }?.path == "body.children[0]")
    }

    @Test func aSyncedCopyCannotHaveChildren() {
        let copy: JSONValue = [
            "synced_block": ["synced_from": ["block_id": .string(F.blockID)], "children": [F.paragraph("x")]]
        ]
        #expect(F.error { _ = try parse([copy]) }?.path == "body.children[0].synced_block.children")
    }

    @Test func flatteningListsParentsBeforeChildrenWithPositionsAndFreshIDs() throws {
        let drafts = try parse([toggle([F.paragraph("a"), F.paragraph("b")]), F.paragraph("c")])
        var counter = 0
        let rows = drafts.flattened(under: .page(id: F.pageID), positions: [10, 20]) {
            counter += 1
            return "id-\(counter)"
        }
        #expect(rows.map(\.id) == ["id-1", "id-2", "id-3", "id-4"])
        #expect(
            rows.map(\.parent) == [.page(id: F.pageID), .block(id: "id-1"), .block(id: "id-1"), .page(id: F.pageID)]
        )
        #expect(rows.map(\.position) == [10, SiblingOrder.gap, 2 * SiblingOrder.gap, 20])
        #expect(rows.map(\.hasChildren) == [true, false, false, false])
    }
}

import GatehouseContent
import GatehouseCore
import Testing

@Suite struct BlockUpdateTests {
    private typealias F = BlockFixtures

    private func stored(_ block: JSONValue) throws -> BlockContent { try F.parse(block) }

    @Test func checkingAToDoKeepsItsText() throws {
        let current = try stored(["to_do": ["rich_text": [["text": ["content": "Buy kale"]]]]])
        let update = try BlockUpdate.parse(["to_do": ["checked": true]], current: current, version: F.current)
        #expect(update.content.checked == true)
        #expect(update.content.richText == [.text("Buy kale")])
        #expect(update.inTrash == nil)
    }

    @Test func newRichTextAndColorReplaceTheOldOnes() throws {
        let current = try stored(F.paragraph("old"))
        let update = try BlockUpdate.parse(
            ["type": "paragraph", "paragraph": ["rich_text": [["text": ["content": "new"]]], "color": "red"]],
            current: current,
            version: F.current
        )
        #expect(update.content.richText == [.text("new")])
        #expect(update.content.color == .red)
    }

    @Test func theTypeCannotChange() throws {
        let current = try stored(F.paragraph("x"))
        let error = F.error {
            _ = try BlockUpdate.parse(["to_do": ["checked": true]], current: current, version: F.current)
        }
        #expect(error?.path == "body.to_do")
        #expect(
            F.error { _ = try BlockUpdate.parse(["type": "quote"], current: current, version: F.current) }?.path
                == "body.type"
        )
    }

    @Test func inTrashAndBeforeTwentySixArchivedToggleTrash() throws {
        let current = try stored(F.paragraph("x"))
        #expect(try BlockUpdate.parse(["in_trash": true], current: current, version: F.latest).inTrash == true)
        #expect(try BlockUpdate.parse(["archived": false], current: current, version: F.current).inTrash == false)
        #expect(
            F.error { _ = try BlockUpdate.parse(["archived": true], current: current, version: F.latest) }?.path
                == "body.archived"
        )
        #expect(
            F.error {
                _ = try BlockUpdate.parse(["archived": true, "in_trash": false], current: current, version: F.old)
            }?.path
                == "body.archived"
        )
    }

    @Test func aTableKeepsItsWidthAndRowsKeepTheirCellCount() throws {
        let table = try stored(["table": ["table_width": 2, "children": []]])
        #expect(
            try BlockUpdate.parse(["table": ["has_row_header": true]], current: table, version: F.current).content
                .hasRowHeader == true
        )
        #expect(
            F.error { _ = try BlockUpdate.parse(["table": ["table_width": 3]], current: table, version: F.current) }?
                .path == "body.table.table_width"
        )
        var row = BlockContent(type: .tableRow)
        row.cells = [[.text("a")], [.text("b")]]
        let updated = try BlockUpdate.parse(
            ["table_row": ["cells": [[], [["text": ["content": "c"]]]]]],
            current: row,
            version: F.current
        )
        #expect(updated.content.cells == [[], [.text("c")]])
        #expect(
            F.error { _ = try BlockUpdate.parse(["table_row": ["cells": [[]]]], current: row, version: F.current) }?
                .path == "body.table_row.cells"
        )
    }

    @Test func childPagesAreRenamedElsewhereButMayBeTrashed() throws {
        let page = BlockContent.childPage(title: "Groceries")
        #expect(
            F.error { _ = try BlockUpdate.parse(["child_page": ["title": "New"]], current: page, version: F.current) }?
                .path == "body.child_page"
        )
        #expect(try BlockUpdate.parse(["in_trash": true], current: page, version: F.current).inTrash == true)
    }

    @Test func childrenCannotBeSentInAnUpdate() throws {
        let current = try stored(["toggle": ["rich_text": []]])
        let error = F.error {
            _ = try BlockUpdate.parse(
                ["toggle": ["children": [F.paragraph("x")]]],
                current: current,
                version: F.current
            )
        }
        #expect(error?.path == "body.toggle.children")
    }

    @Test func invalidFieldsInAnUpdateAreRefusedWithTheirPath() throws {
        let current = try stored(["code": ["rich_text": [], "language": "swift"]])
        #expect(
            F.error { _ = try BlockUpdate.parse(["code": ["language": 3]], current: current, version: F.current) }?.path
                == "body.code.language"
        )
        #expect(
            F.error { _ = try BlockUpdate.parse(["in_trash": "yes"], current: current, version: F.current) }?.path
                == "body.in_trash"
        )
        #expect(F.error { _ = try BlockUpdate.parse([1], current: current, version: F.current) }?.path == "body")
    }
}

extension BlockUpdateTests {
    @Test func aNullIconRemovesTheCalloutIconAndAnEmptyLinkPayloadChangesNothing() throws {
        let callout = try stored(["callout": ["rich_text": [], "icon": ["emoji": "💡"]]])
        #expect(
            try BlockUpdate.parse(["callout": ["icon": nil]], current: callout, version: F.current).content.icon == nil
        )
        let link = try stored(["link_to_page": ["page_id": .string(F.pageID)]])
        #expect(try BlockUpdate.parse(["link_to_page": [:]], current: link, version: F.current).content == link)
        let moved = try BlockUpdate.parse(
            ["link_to_page": ["database_id": .string(F.blockID)]],
            current: link,
            version: F.current
        )
        #expect(moved.content.linkTarget == .database(id: F.blockID))
    }
}

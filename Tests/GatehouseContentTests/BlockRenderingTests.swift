import GatehouseContent
import GatehouseCore
import Testing

@Suite struct BlockRenderingTests {
    private typealias F = BlockFixtures
    private let userID = "ee5f0f84-409a-440f-983a-a5315961c6e4"

    private func metadata(inTrash: Bool = false) -> BlockMetadata {
        BlockMetadata(
            id: F.blockID,
            parent: .page(id: F.pageID),
            createdTime: "2026-03-11T09:30:00.000Z",
            lastEditedTime: "2026-03-11T09:31:00.000Z",
            createdBy: userID,
            lastEditedBy: userID,
            hasChildren: false,
            inTrash: inTrash
        )
    }

    @Test func aParagraphRendersTheReferenceShapeWithArchivedBeforeTwentySix() throws {
        let content = try F.parse(F.paragraph("Lacinato kale"))
        let rendered = content.rendered(metadata(), version: F.current, resolving: UnresolvedMentions())
        guard case .object(let members) = rendered else {
            Issue.record("not an object")
            return
        }
        #expect(
            members.map(\.0) == [
                "object", "id", "parent", "created_time", "last_edited_time", "created_by", "last_edited_by",
                "has_children", "archived", "in_trash", "type", "paragraph",
            ]
        )
        #expect(rendered["parent"] == ["type": "page_id", "page_id": .string(F.pageID)])
        #expect(rendered["created_by"] == ["object": "user", "id": .string(userID)])
        #expect(rendered["paragraph"]?["color"] == "default")
        #expect(rendered["paragraph"]?["rich_text"]?.arrayValue?.first?["plain_text"] == "Lacinato kale")
    }

    @Test func fromTwentySixOnlyInTrashIsRendered() throws {
        let rendered = try F.parse(F.paragraph("x")).rendered(
            metadata(inTrash: true),
            version: F.latest,
            resolving: UnresolvedMentions()
        )
        #expect(rendered["archived"] == nil)
        #expect(rendered["in_trash"] == true)
    }

    @Test func beforeTwentyTwoJuneBlocksHaveNoParent() throws {
        let content = try F.parse(F.paragraph("x"))
        #expect(content.rendered(metadata(), version: F.old, resolving: UnresolvedMentions())["parent"] != nil)
        let older = NotionVersion("2022-02-22")!
        #expect(content.rendered(metadata(), version: older, resolving: UnresolvedMentions())["parent"] == nil)
    }

    @Test func beforeTheRenameRichTextIsCalledText() throws {
        let payload = try F.parse(F.paragraph("x")).payload(
            version: NotionVersion("2021-08-16")!,
            resolving: UnresolvedMentions()
        )
        #expect(payload["text"] != nil)
        #expect(payload["rich_text"] == nil)
    }

    @Test func eachTypeRendersItsFields() throws {
        let resolver = UnresolvedMentions()
        func payload(_ block: JSONValue) throws -> JSONValue {
            try F.parse(block).payload(version: F.current, resolving: resolver)
        }
        #expect(
            try payload(["to_do": ["rich_text": [], "checked": true]]) == [
                "rich_text": [], "checked": true, "color": "default",
            ]
        )
        #expect(
            try payload(["heading_1": ["rich_text": []]]) == [
                "rich_text": [], "is_toggleable": false, "color": "default",
            ]
        )
        #expect(try payload(["code": ["rich_text": []]]) == ["caption": [], "rich_text": [], "language": "plain text"])
        #expect(try payload(["callout": ["rich_text": []]]) == ["rich_text": [], "icon": nil, "color": "default"])
        #expect(try payload(["divider": [:]]) == [:])
        #expect(try payload(["equation": ["expression": "x"]]) == ["expression": "x"])
        #expect(try payload(["bookmark": ["url": "https://a.example"]]) == ["caption": [], "url": "https://a.example"])
        #expect(
            try payload(["file": ["external": ["url": "https://a.example/f"], "name": "f"]])
                == ["caption": [], "type": "external", "external": ["url": "https://a.example/f"], "name": "f"]
        )
        #expect(try payload(["table_of_contents": [:]]) == ["color": "default"])
        #expect(try payload(["synced_block": ["synced_from": nil]]) == ["synced_from": nil])
        #expect(
            try payload(["synced_block": ["synced_from": ["block_id": .string(F.blockID)]]])
                == ["synced_from": ["type": "block_id", "block_id": .string(F.blockID)]]
        )
        #expect(
            try payload(["link_to_page": ["page_id": .string(F.pageID)]]) == [
                "type": "page_id", "page_id": .string(F.pageID),
            ]
        )
        #expect(try payload(["template": [:]]) == ["block_type": "template"])
    }

    @Test func tablesAndRowsRenderTheirShape() throws {
        var table = BlockContent(type: .table)
        table.tableWidth = 2
        table.hasColumnHeader = true
        #expect(
            table.payload(version: F.current, resolving: UnresolvedMentions())
                == ["table_width": 2, "has_column_header": true, "has_row_header": false]
        )
        var row = BlockContent(type: .tableRow)
        row.cells = [[.text("a")], []]
        #expect(row.payload(version: F.current, resolving: UnresolvedMentions())["cells"]?.arrayValue?.count == 2)
    }

    @Test func childPagesShowTheirTitleAndBlocksUnderBlocksNameTheirParent() {
        var meta = metadata()
        meta.parent = .block(id: F.blockID)
        let rendered = BlockContent.childPage(title: "Groceries").rendered(
            meta,
            version: F.current,
            resolving: UnresolvedMentions()
        )
        #expect(rendered["child_page"] == ["title": "Groceries"])
        #expect(rendered["parent"] == ["type": "block_id", "block_id": .string(F.blockID)])
    }

    @Test func plainTextShowsWhatAReaderSees() throws {
        let resolver = UnresolvedMentions()
        #expect(try F.parse(F.paragraph("Lacinato kale")).plainText(resolving: resolver) == "Lacinato kale")
        #expect(try F.parse(["equation": ["expression": "x^2"]]).plainText(resolving: resolver) == "x^2")
        #expect(
            try F.parse(["bookmark": ["url": "https://a.example"]]).plainText(resolving: resolver)
                == "https://a.example"
        )
        let captioned = try F.parse([
            "image": ["external": ["url": "https://a.example/c.png"], "caption": [["text": ["content": "Cat"]]]]
        ])
        #expect(captioned.plainText(resolving: resolver) == "Cat")
        var row = BlockContent(type: .tableRow)
        row.cells = [[.text("a")], [.text("b")]]
        #expect(row.plainText(resolving: resolver) == "a | b")
        #expect(BlockContent.childPage(title: "Groceries").plainText(resolving: resolver) == "Groceries")
        #expect(BlockContent(type: .divider).plainText(resolving: resolver) == "")
    }

    @Test func mentionsInBlocksUseTheResolver() throws {
        let content = try F.parse(["paragraph": ["rich_text": [["mention": ["user": ["id": .string(userID)]]]]]])
        let payload = content.payload(version: F.current, resolving: MentionDirectory(userNames: [userID: "Ada"]))
        #expect(payload["rich_text"]?.arrayValue?.first?["plain_text"] == "@Ada")
    }

    /// Resolves one upload to a fixed link.
    struct OneFileLink: MentionResolver {
        let id: String
        func userName(id: String) -> String? { nil }
        func pageTitle(id: String) -> String? { nil }
        func databaseTitle(id: String) -> String? { nil }
        func fileLink(uploadID: String, name: String?) -> FileLink? {
            uploadID == id ? FileLink(url: "https://files.example/\(id)", expiryTime: "2026-12-07T21:00:00.000Z") : nil
        }
    }

    @Test func anUploadedFileRendersAsANotionHostedFileWithItsLink() throws {
        var content = BlockContent(type: .file)
        content.fileUpload = "f1"
        content.name = "report.pdf"
        content.caption = RichText()
        let payload = content.payload(version: F.current, resolving: OneFileLink(id: "f1"))
        #expect(payload["type"] == "file")
        #expect(payload["file"]?["url"] == "https://files.example/f1")
        #expect(payload["file"]?["expiry_time"] == "2026-12-07T21:00:00.000Z")
        #expect(payload["external"] == nil && payload["name"] == "report.pdf")
        // Without a link (an upload the reader cannot resolve): the shape stays, the URL is empty.
        let unresolved = content.payload(version: F.current, resolving: UnresolvedMentions())
        #expect(unresolved["file"]?["url"] == "" && unresolved["file"]?["expiry_time"] == .null)
    }
}

extension JSONValue {
    fileprivate var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }
}

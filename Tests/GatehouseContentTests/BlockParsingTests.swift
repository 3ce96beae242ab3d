import Foundation
import GatehouseContent
import GatehouseCore
import Testing

@Suite struct BlockParsingTests {
    private typealias F = BlockFixtures

    @Test func aParagraphFromTheReferenceParsesWithDefaultColor() throws {
        let content = try F.parse(F.paragraph("Lacinato kale"))
        #expect(content.type == .paragraph)
        #expect(content.richText == [.text("Lacinato kale")])
        #expect(content.color == .default)
    }

    @Test func theTypeMayBeOmittedWhenOneTypeKeyIsPresent() throws {
        let content = try F.parse([
            "heading_2": ["rich_text": [["text": ["content": "Lacinato"]]], "is_toggleable": true]
        ])
        #expect(content.type == .heading2)
        #expect(content.isToggleable == true)
    }

    @Test func aToDoKeepsCheckedAndDefaultsToUnchecked() throws {
        #expect(try F.parse(["to_do": ["rich_text": [], "checked": true]]).checked == true)
        #expect(try F.parse(["to_do": ["rich_text": []]]).checked == false)
        let error = F.error { _ = try F.parse(["to_do": ["rich_text": [], "checked": "yes"]]) }
        #expect(error?.path == "body.children[0].to_do.checked")
        #expect(error?.message == "body.children[0].to_do.checked should be a boolean, instead was `\"yes\"`.")
    }

    @Test func codeChecksItsLanguageAgainstTheAPIList() throws {
        let content = try F.parse(["code": ["rich_text": [["text": ["content": "let x = 1"]]], "language": "swift"]])
        #expect(content.language == "swift")
        #expect(content.caption == RichText())
        let error = F.error { _ = try F.parse(["code": ["rich_text": [], "language": "klingon"]]) }
        #expect(error?.path == "body.children[0].code.language")
    }

    @Test func aCalloutTakesAnEmojiOrExternalIcon() throws {
        let emoji = try F.parse(["callout": ["rich_text": [], "icon": ["emoji": "💡"], "color": "gray_background"]])
        #expect(emoji.icon == .emoji("💡"))
        #expect(emoji.color == .grayBackground)
        let external = try F.parse(
            [
                "callout": [
                    "rich_text": [], "icon": ["type": "external", "external": ["url": "https://a.example/i.png"]],
                ]
            ]
        )
        #expect(external.icon == .external(url: "https://a.example/i.png"))
        #expect(
            F.error { _ = try F.parse(["callout": ["rich_text": [], "icon": ["emoji": "ab"]]]) }?.path
                == "body.children[0].callout.icon.emoji"
        )
    }

    @Test func mediaNeedAnExternalURLOrAnUploadAndFilesKeepTheirName() throws {
        let image = try F.parse(["image": ["type": "external", "external": ["url": "https://a.example/cat.png"]]])
        #expect(image.url == "https://a.example/cat.png")
        let file = try F.parse([
            "file": ["external": ["url": "https://a.example/a.pdf"], "name": "a.pdf", "caption": []]
        ])
        #expect(file.name == "a.pdf")
        #expect(F.error { _ = try F.parse(["video": ["caption": []]]) }?.path == "body.children[0].video.external")
        #expect(
            F.error { _ = try F.parse(["pdf": ["file_upload": ["id": "x"]]]) }?.path
                == "body.children[0].pdf.file_upload.id"
        )
        let uploaded = try F.parse([
            "pdf": ["type": "file_upload", "file_upload": ["id": "21ad8e4e98ab814e8d9600b2ded97d6c"]]
        ])
        #expect(uploaded.fileUpload == "21ad8e4e-98ab-814e-8d96-00b2ded97d6c" && uploaded.url == nil)
        #expect(uploaded.fileUploadPlacement?.placement == .block(.pdf))
        #expect(
            F.error {
                _ = try F.parse([
                    "image": [
                        "file_upload": ["id": "21ad8e4e98ab814e8d9600b2ded97d6c"],
                        "external": ["url": "https://a.example/b.png"],
                    ]
                ])
            }?.path == "body.children[0].image"
        )
        #expect(
            F.error { _ = try F.parse(["image": ["type": "file", "file": ["url": "https://a.example/b.png"]]]) }?.path
                == "body.children[0].image.external"
        )
        #expect(
            F.error { _ = try F.parse(["image": ["external": ["url": "nope"]]]) }?.path
                == "body.children[0].image.external.url"
        )
    }

    @Test func bookmarksAndEmbedsNeedAURL() throws {
        #expect(try F.parse(["bookmark": ["url": "https://www.notion.so"]]).url == "https://www.notion.so")
        #expect(F.error { _ = try F.parse(["embed": [:]]) }?.path == "body.children[0].embed.url")
        let long = JSONValue.string("https://a.example/" + String(repeating: "a", count: 2_000))
        #expect(
            F.error { _ = try F.parse(["bookmark": ["url": long]]) }?.path == "body.children[0].bookmark.url.length"
        )
    }

    @Test func anEquationNeedsAnExpression() throws {
        #expect(try F.parse(["equation": ["expression": "e=mc^2"]]).expression == "e=mc^2")
        #expect(F.error { _ = try F.parse(["equation": [:]]) }?.path == "body.children[0].equation.expression")
    }

    @Test func emptyPayloadTypesParse() throws {
        #expect(try F.parse(["divider": [:]]).type == .divider)
        #expect(try F.parse(["type": "breadcrumb", "breadcrumb": [:]]).type == .breadcrumb)
        #expect(try F.parse(["table_of_contents": ["color": "blue"]]).color == .blue)
    }

    @Test func linkToPageAndSyncedBlocksKeepTheirTargets() throws {
        let link = try F.parse(["link_to_page": ["type": "page_id", "page_id": .string(F.pageID)]])
        #expect(link.linkTarget == .page(id: F.pageID))
        let database = try F.parse(["link_to_page": ["database_id": .string(F.pageID)]])
        #expect(database.linkTarget == .database(id: F.pageID))
        let copy = try F.parse(["synced_block": ["synced_from": ["block_id": .string(F.blockID)]]])
        #expect(copy.syncedFrom == F.blockID)
        #expect(try F.parse(["synced_block": ["synced_from": nil, "children": [F.paragraph("x")]]]).syncedFrom == nil)
    }

    @Test func pagesDatabasesAndLinkPreviewsCannotBeAppended() {
        for type in ["child_page", "child_database", "link_preview"] {
            let block: JSONValue = .object([(type, ["title": "x"] as JSONValue)])
            #expect(F.error { _ = try F.parse(block) }?.path == "body.children[0].type")
        }
    }

    @Test func knownButUnmodelledTypesAreStoredAsUnsupported() throws {
        let content = try F.parse(["template": ["rich_text": []]])
        #expect(content.type == .unsupported)
        #expect(content.unsupportedType == "template")
    }

    @Test func unknownTypesAreRefused() {
        #expect(F.error { _ = try F.parse(["type": "hologram", "hologram": [:]]) }?.path == "body.children[0].type")
        #expect(F.error { _ = try F.parse(["object": "page", "divider": [:]]) }?.path == "body.children[0].object")
    }

    @Test func childrenOnATypeWithoutChildrenAreRefused() {
        let error = F.error { _ = try F.parse(["divider": ["children": [F.paragraph("x")]]]) }
        #expect(error?.path == "body.children[0].divider.children")
    }

    @Test func beforeRichTextWasRenamedTheOldTextKeyIsAccepted() throws {
        let content = try F.parse(
            ["paragraph": ["text": [["text": ["content": "old"]]]]],
            version: NotionVersion("2021-08-16")!
        )
        #expect(content.richText == [.text("old")])
        #expect(
            F.error { _ = try F.parse(["paragraph": ["text": []]]) }?.path == "body.children[0].paragraph.rich_text"
        )
    }

    @Test(
        arguments: [
            (["heading_1": ["rich_text": [], "is_toggleable": 1]], "heading_1.is_toggleable"),
            (["paragraph": ["rich_text": "text"]], "paragraph.rich_text"),
            (["paragraph": ["rich_text": [], "color": "teal"]], "paragraph.color"),
            (["paragraph": [:]], "paragraph.rich_text"),
            (["paragraph": "text"], "paragraph"),
            (["code": ["rich_text": [], "caption": [1]]], "code.caption[0]"),
            (["image": ["type": "file", "external": ["url": "https://a.example"]]], "image.type"),
            (["callout": ["rich_text": [], "icon": ["type": "file", "file": [:]]]], "callout.icon.type"),
            (["link_to_page": ["page_id": "nope"]], "link_to_page.page_id"),
            (["link_to_page": ["comment_id": "x"]], "link_to_page.type"),
            (["synced_block": ["synced_from": ["block_id": 3]]], "synced_block.synced_from.block_id"),
            (["table_row": ["cells": [["x"]]]], "table_row.cells[0][0]"),
            (["file": ["external": ["url": "https://a.example"], "name": 3]], "file.name"),
            (["bookmark": ["url": "https://a.example", "caption": [:]]], "bookmark.caption"),
        ] as [(JSONValue, String)]
    )
    func eachBadFieldIsNamedByItsPath(block: JSONValue, field: String) {
        #expect(F.error { _ = try F.parse(block) }?.path == "body.children[0].\(field)")
    }

    @Test func aBlockThatIsNotAnObjectIsRefused() {
        #expect(F.error { _ = try F.parse("paragraph") }?.path == "body.children[0]")
    }

    @Test func theStoredFormRoundTripsThroughJSONText() throws {
        let content = try F.parse(
            ["callout": ["rich_text": [["mention": ["page": ["id": .string(F.pageID)]]]], "icon": ["emoji": "🥬"]]]
        )
        let data = try JSONEncoder().encode(content)
        #expect(try JSONDecoder().decode(BlockContent.self, from: data) == content)
    }
}

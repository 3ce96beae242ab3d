import GatehouseContent
import GatehouseCore
import Testing

@Suite struct RichTextRenderingTests {
    private let pageID = "b55c9c91-384d-452b-81db-d1ef79372b75"
    private let userID = "9a3b5ae0-c6e6-4e0c-92ec-4eb5aa0d2d11"

    @Test func aTextItemRendersWithAllAnnotationsPlainTextAndHref() {
        let item = RichTextItem.text("Some words ", link: "https://example.com")
        #expect(
            item.rendered(resolving: UnresolvedMentions()) == [
                "type": "text",
                "text": ["content": "Some words ", "link": ["url": "https://example.com"]],
                "annotations": [
                    "bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false,
                    "color": "default",
                ],
                "plain_text": "Some words ",
                "href": "https://example.com",
            ]
        )
    }

    @Test func anUnlinkedTextHasANullLinkAndHref() {
        let rendered = RichTextItem.text("a").rendered(resolving: UnresolvedMentions())
        #expect(rendered["text"]?["link"] == .null)
        #expect(rendered["href"] == .null)
    }

    @Test func aUserMentionShowsTheResolvedName() {
        let item = RichTextItem(content: .mention(.user(id: userID)))
        let rendered = item.rendered(resolving: MentionDirectory(userNames: [userID: "Ada Lovelace"]))
        #expect(rendered["plain_text"] == "@Ada Lovelace")
        #expect(rendered["mention"] == ["type": "user", "user": ["object": "user", "id": .string(userID)]])
        #expect(rendered["href"] == .null)
        #expect(item.plainText(resolving: UnresolvedMentions()) == "@Anonymous")
    }

    @Test func aPageMentionShowsItsTitleAndLinksToThePage() {
        let item = RichTextItem(content: .mention(.page(id: pageID)))
        let rendered = item.rendered(resolving: MentionDirectory(pageTitles: [pageID: "Groceries"]))
        #expect(rendered["plain_text"] == "Groceries")
        #expect(rendered["href"] == "https://www.notion.so/b55c9c91384d452b81dbd1ef79372b75")
        #expect(rendered["mention"] == ["type": "page", "page": ["id": .string(pageID)]])
        #expect(item.plainText(resolving: UnresolvedMentions()) == "Untitled")
    }

    @Test func aDatabaseMentionWithAnEmptyTitleIsUntitled() {
        let item = RichTextItem(content: .mention(.database(id: pageID)))
        #expect(item.plainText(resolving: MentionDirectory(databaseTitles: [pageID: ""])) == "Untitled")
        #expect(item.href == "https://www.notion.so/b55c9c91384d452b81dbd1ef79372b75")
    }

    @Test func aDateMentionRendersNullsAndShowsTheRange() {
        let item = RichTextItem(content: .mention(.date(DateMention(start: "2026-03-11", end: "2026-03-12"))))
        let rendered = item.rendered(resolving: UnresolvedMentions())
        #expect(rendered["mention"]?["date"] == ["start": "2026-03-11", "end": "2026-03-12", "time_zone": nil])
        #expect(rendered["plain_text"] == "2026-03-11 → 2026-03-12")
        #expect(RichTextItem(content: .mention(.date(DateMention(start: "2026-03-11")))).href == nil)
    }

    @Test func anEquationShowsItsExpression() {
        let rendered = RichTextItem(content: .equation(expression: "E = mc^2")).rendered(
            resolving: UnresolvedMentions()
        )
        #expect(rendered["plain_text"] == "E = mc^2")
        #expect(rendered["equation"] == ["expression": "E = mc^2"])
    }

    @Test func aLinkPreviewShowsAndLinksItsURL() {
        let item = RichTextItem(content: .mention(.linkPreview(url: "https://github.com/x")))
        #expect(item.href == "https://github.com/x")
        #expect(item.plainText(resolving: UnresolvedMentions()) == "https://github.com/x")
    }

    @Test func theArrayPlainTextConcatenatesItems() {
        let text: RichText = [.text("Hello "), RichTextItem(content: .mention(.user(id: userID))), .text("!")]
        #expect(text.plainText(resolving: MentionDirectory(userNames: [userID: "Ada"])) == "Hello @Ada!")
        #expect(text.rendered(resolving: UnresolvedMentions()).arrayCount == 3)
    }

    @Test func mentionedIDsCollectUsersPagesAndDatabases() {
        let text: RichText = [
            RichTextItem(content: .mention(.user(id: userID))), RichTextItem(content: .mention(.page(id: pageID))),
            .text("x"),
        ]
        #expect(text.mentionedIDs.users == [userID])
        #expect(text.mentionedIDs.pages == [pageID])
        #expect(text.mentionedIDs.databases.isEmpty)
    }
}

extension JSONValue {
    fileprivate var arrayCount: Int? {
        if case .array(let values) = self { return values.count }
        return nil
    }
}

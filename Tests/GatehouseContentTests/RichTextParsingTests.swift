import Foundation
import GatehouseContent
import GatehouseCore
import Testing

@Suite struct RichTextParsingTests {
    private let path = "body.children[0].paragraph.rich_text"
    private let pageID = "b55c9c91-384d-452b-81db-d1ef79372b75"

    private func parseError(_ value: JSONValue) -> ContentValidationError? {
        do {
            _ = try RichText.parse(value, at: path)
            return nil
        } catch let error as ContentValidationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func aTextItemWithoutTypeOrAnnotationsGetsTheDefaults() throws {
        let text = try RichText.parse([["text": ["content": "Lacinato kale"]]], at: path)
        #expect(text.items == [RichTextItem(content: .text(content: "Lacinato kale", link: nil))])
        #expect(text.items[0].annotations == RichTextItem.Annotations())
    }

    @Test func annotationsAndLinksAreKept() throws {
        let text = try RichText.parse(
            [
                [
                    "type": "text",
                    "text": ["content": "kale", "link": ["url": "https://en.wikipedia.org/wiki/Lacinato_kale"]],
                    "annotations": ["bold": true, "code": true, "color": "green_background"],
                ]
            ],
            at: path
        )
        #expect(text.items[0].content == .text(content: "kale", link: "https://en.wikipedia.org/wiki/Lacinato_kale"))
        #expect(text.items[0].annotations == .init(bold: true, code: true, color: .greenBackground))
    }

    @Test func aNullLinkIsNoLink() throws {
        let text = try RichText.parse([["text": ["content": "a", "link": nil]]], at: path)
        #expect(text.items[0].href == nil)
    }

    @Test func mentionsOfEachRequestTypeParseWithCanonicalIDs() throws {
        let text = try RichText.parse(
            [
                ["mention": ["user": ["id": "9A3B5AE0C6E64E0C92EC4EB5AA0D2D11"]]],
                ["type": "mention", "mention": ["type": "page", "page": ["id": .string(pageID)]]],
                ["mention": ["database": ["id": .string(pageID)]]],
                ["mention": ["date": ["start": "2026-03-11", "end": "2026-03-12T10:00:00.000+02:00"]]],
            ],
            at: path
        )
        #expect(
            text.items.map(\.content) == [
                .mention(.user(id: "9a3b5ae0-c6e6-4e0c-92ec-4eb5aa0d2d11")),
                .mention(.page(id: pageID)),
                .mention(.database(id: pageID)),
                .mention(.date(DateMention(start: "2026-03-11", end: "2026-03-12T10:00:00.000+02:00"))),
            ]
        )
    }

    @Test func anEquationItemKeepsItsExpression() throws {
        let text = try RichText.parse([["equation": ["expression": "E = mc^2"]]], at: path)
        #expect(text.items[0].content == .equation(expression: "E = mc^2"))
    }

    @Test func echoedPlainTextAndHrefAreIgnored() throws {
        let text = try RichText.parse(
            [["type": "text", "text": ["content": "x", "link": nil], "plain_text": "x", "href": nil]],
            at: path
        )
        #expect(text.items.count == 1)
    }

    @Test func textContentOverTwoThousandCharactersIsRefusedWithTheLengthPath() {
        let error = parseError([["text": ["content": .string(String(repeating: "a", count: 2_001))]]])
        #expect(error?.path == "\(path)[0].text.content.length")
        #expect(error?.message == "\(path)[0].text.content.length should be ≤ `2000`, instead was `2001`.")
        #expect(parseError([["text": ["content": .string(String(repeating: "a", count: 2_000))]]]) == nil)
    }

    @Test func moreThanAHundredItemsAreRefused() {
        let items = JSONValue.array(Array(repeating: ["text": ["content": "a"]], count: 101))
        #expect(parseError(items)?.path == "\(path).length")
    }

    @Test func equationsOverAThousandCharactersAreRefused() {
        let error = parseError([["equation": ["expression": .string(String(repeating: "x", count: 1_001))]]])
        #expect(error?.path == "\(path)[0].equation.expression.length")
    }

    @Test func linkURLsMustBeWebURLsOfAtMostTwoThousandCharacters() {
        #expect(
            parseError([["text": ["content": "a", "link": ["url": "not a url"]]]])?.path == "\(path)[0].text.link.url"
        )
        let long = "https://example.com/" + String(repeating: "a", count: 2_000)
        #expect(
            parseError([["text": ["content": "a", "link": ["url": .string(long)]]]])?.path
                == "\(path)[0].text.link.url.length"
        )
    }

    @Test func anUnknownColorNamesTheAcceptedOnes() {
        let error = parseError([["text": ["content": "a"], "annotations": ["color": "teal"]]])
        #expect(error?.path == "\(path)[0].annotations.color")
        #expect(error?.message.contains("`\"red_background\"`") == true)
    }

    @Test func aNonBooleanAnnotationIsRefused() {
        #expect(
            parseError([["text": ["content": "a"], "annotations": ["bold": "yes"]]])?.path
                == "\(path)[0].annotations.bold"
        )
    }

    @Test func aMentionIdMustBeAUUID() {
        #expect(parseError([["mention": ["page": ["id": "nope"]]]])?.path == "\(path)[0].mention.page.id")
    }

    @Test func aLinkPreviewMentionIsRefusedOnInput() {
        let error = parseError([["mention": ["type": "link_preview", "link_preview": ["url": "https://x.y"]]]])
        #expect(error?.path == "\(path)[0].mention.type")
    }

    @Test func datesMustBeISO8601() {
        #expect(parseError([["mention": ["date": ["start": "2026-13-01"]]]])?.path == "\(path)[0].mention.date.start")
        #expect(parseError([["mention": ["date": ["start": "yesterday"]]]]) != nil)
        #expect(parseError([["mention": ["date": ["start": "2026-01-01", "end": "2026-01-02T25:00"]]]]) != nil)
        #expect(parseError([["mention": ["date": ["start": "2026-01-01T09:30Z", "time_zone": nil]]]]) == nil)
    }

    @Test func aDeclaredTypeWithoutItsPayloadIsRefused() {
        #expect(parseError([["type": "text", "equation": ["expression": "x"]]])?.path == "\(path)[0].text")
    }

    @Test func anItemWithTwoTypeKeysIsRefused() {
        #expect(parseError([["text": ["content": "a"], "equation": ["expression": "x"]]])?.path == "\(path)[0]")
    }

    @Test func anUnknownTypeIsRefused() {
        #expect(parseError([["type": "sparkle", "sparkle": [:]]])?.path == "\(path)[0].type")
    }

    @Test func theStoredFormRoundTripsThroughJSONText() throws {
        let text = try RichText.parse(
            [
                ["text": ["content": "a", "link": ["url": "https://a.example"]], "annotations": ["italic": true]],
                ["mention": ["date": ["start": "2026-03-11", "time_zone": "Europe/Paris"]]],
                ["equation": ["expression": "x"]],
            ],
            at: path
        )
        let data = try JSONEncoder().encode(text)
        #expect(try JSONDecoder().decode(RichText.self, from: data) == text)
    }
}

import GatehouseContent
import GatehouseCore
import Testing

/// Shared helpers of the block suites.
enum BlockFixtures {
    static let current = NotionVersion("2025-09-03")!
    static let latest = NotionVersion("2026-03-11")!
    static let old = NotionVersion("2022-06-28")!
    static let pageID = "b55c9c91-384d-452b-81db-d1ef79372b75"
    static let blockID = "c02fc1d3-db8b-45c5-a222-27595b15aea7"

    /// The validation error `body` throws, or `nil` if it parses.
    static func error(_ run: () throws -> Void) -> ContentValidationError? {
        do {
            try run()
            return nil
        } catch let error as ContentValidationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static func paragraph(_ text: String) -> JSONValue {
        [
            "object": "block", "type": "paragraph",
            "paragraph": ["rich_text": [["type": "text", "text": ["content": .string(text)]]]],
        ]
    }

    static func parse(_ block: JSONValue, version: NotionVersion = current) throws -> BlockContent {
        try BlockContent.parse(block, at: "body.children[0]", version: version).content
    }
}

import GatehouseCore

/// A color of text or of a block: the API's `ApiColor` list, foregrounds and backgrounds.
///
/// Source: `ApiColor` in makenotion/notion-sdk-js `src/api-endpoints/common.ts`; the annotation
/// object in https://developers.notion.com/reference/rich-text.
public enum ContentColor: String, Sendable, Codable, CaseIterable {
    case `default`, gray, brown, orange, yellow, green, blue, purple, pink, red
    case defaultBackground = "default_background"
    case grayBackground = "gray_background"
    case brownBackground = "brown_background"
    case orangeBackground = "orange_background"
    case yellowBackground = "yellow_background"
    case greenBackground = "green_background"
    case blueBackground = "blue_background"
    case purpleBackground = "purple_background"
    case pinkBackground = "pink_background"
    case redBackground = "red_background"

    /// The color named by `value`, `default` when absent; throws for anything else.
    static func parse(_ value: JSONValue?, at path: String) throws -> ContentColor {
        guard let value else { return .default }
        guard let name = value.stringValue, let color = ContentColor(rawValue: name) else {
            let names = allCases.map { "`\"\($0.rawValue)\"`" }.joined(separator: ", ")
            throw ContentValidationError.expected("one of \(names)", at: path, got: value)
        }
        return color
    }
}

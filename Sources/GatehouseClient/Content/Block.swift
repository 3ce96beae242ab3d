import Foundation

/// A block: a paragraph, heading, to-do, image, child page, … (a page is a block too).
public struct Block: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    /// `paragraph`, `heading_1`, `to_do`, `child_page`, `unsupported`, …
    public let type: String
    /// The object under the type's key (`{"rich_text": […], "color": …}` for a paragraph).
    public let content: JSONValue
    public let parent: Parent?
    public let hasChildren: Bool
    public let inTrash: Bool
    /// Deprecated by the API in favour of ``inTrash``; either is read into both.
    public let archived: Bool
    public let createdTime: String?
    public let lastEditedTime: String?
    public let createdBy: PartialUser?
    public let lastEditedBy: PartialUser?

    /// The block's rich text (`content.rich_text`), when its type has one.
    public var richText: [RichText] {
        (try? content["rich_text"]?.decoded(as: [RichText].self)) ?? []
    }

    /// The block's text without styling (a child page's title for `child_page`).
    public var plainText: String {
        content["title"]?.stringValue ?? richText.plainText
    }

    public init(from decoder: any Decoder) throws {
        let object = try ObjectReader(decoder)
        id = try object.id()
        type = object.string("type") ?? "unsupported"
        content = object.json[type] ?? .object([:])
        parent = try object.decode("parent", as: Parent.self)
        hasChildren = object.bool("has_children") ?? false
        inTrash = object.trashed(preferring: "in_trash")
        archived = object.trashed(preferring: "archived")
        createdTime = object.string("created_time")
        lastEditedTime = object.string("last_edited_time")
        createdBy = try object.decode("created_by", as: PartialUser.self)
        lastEditedBy = try object.decode("last_edited_by", as: PartialUser.self)
    }
}

/// A block to append or the new content of one: its type and the type's object, with children.
///
/// ```swift
/// try await notion.appendBlockChildren(to: pageID, children: [
///     .heading1("Plan"),
///     .toDo("Ship the SDK", checked: false),
///     .toggle("Details", children: [.paragraph("Nested")]),
///     BlockContent(type: "embed", content: ["url": "https://example.com"]),
/// ])
/// ```
public struct BlockContent: Encodable, Sendable, Hashable {
    public var type: String
    /// The object under the type's key, as the API accepts it.
    public var content: JSONValue

    /// Any block the API accepts; `children` go into the type's object, as the API nests them.
    public init(type: String, content: JSONValue, children: [BlockContent] = []) {
        self.type = type
        var content = content
        if !children.isEmpty, case .object(var members) = content {
            members["children"] = .array(children.map(\.json))
            content = .object(members)
        }
        self.content = content
    }

    /// The block as a request sends it (`{"object": "block", "type": …, <type>: …}`).
    public var json: JSONValue { ["object": "block", "type": .string(type), type: content] }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// A block of rich text: paragraph, headings, list items, quote, toggle.
    public static func text(
        _ type: String,
        _ richText: [RichText],
        color: String? = nil,
        children: [BlockContent] = []
    ) -> BlockContent {
        var members: [String: JSONValue] = ["rich_text": richText.json]
        if let color { members["color"] = .string(color) }
        return BlockContent(type: type, content: .object(members), children: children)
    }

    public static func paragraph(_ text: String, children: [BlockContent] = []) -> BlockContent {
        .text("paragraph", [.text(text)], children: children)
    }
    public static func heading1(_ text: String) -> BlockContent { .text("heading_1", [.text(text)]) }
    public static func heading2(_ text: String) -> BlockContent { .text("heading_2", [.text(text)]) }
    public static func heading3(_ text: String) -> BlockContent { .text("heading_3", [.text(text)]) }
    public static func bulletedListItem(_ text: String, children: [BlockContent] = []) -> BlockContent {
        .text("bulleted_list_item", [.text(text)], children: children)
    }
    public static func numberedListItem(_ text: String, children: [BlockContent] = []) -> BlockContent {
        .text("numbered_list_item", [.text(text)], children: children)
    }
    public static func quote(_ text: String) -> BlockContent { .text("quote", [.text(text)]) }
    public static func toggle(_ text: String, children: [BlockContent] = []) -> BlockContent {
        .text("toggle", [.text(text)], children: children)
    }
    public static func toDo(_ text: String, checked: Bool = false) -> BlockContent {
        BlockContent(type: "to_do", content: ["rich_text": [RichText.text(text)].json, "checked": .bool(checked)])
    }
    public static func code(_ code: String, language: String = "plain text") -> BlockContent {
        BlockContent(type: "code", content: ["rich_text": [RichText.text(code)].json, "language": .string(language)])
    }
    public static func callout(_ text: String, emoji: String? = nil) -> BlockContent {
        var members: [String: JSONValue] = ["rich_text": [RichText.text(text)].json]
        if let emoji { members["icon"] = ["type": "emoji", "emoji": .string(emoji)] }
        return BlockContent(type: "callout", content: .object(members))
    }
    public static var divider: BlockContent { BlockContent(type: "divider", content: [:]) }
    public static func equation(_ expression: String) -> BlockContent {
        BlockContent(type: "equation", content: ["expression": .string(expression)])
    }
    public static func bookmark(_ url: String) -> BlockContent {
        BlockContent(type: "bookmark", content: ["url": .string(url)])
    }
    /// An image from an external URL.
    public static func image(url: String) -> BlockContent {
        BlockContent(type: "image", content: ["type": "external", "external": ["url": .string(url)]])
    }
}

/// Where appended children go (`position` in the append request).
public enum BlockPosition: Sendable, Hashable {
    case start
    case end
    /// Right after the block with this id, a child of the same parent.
    case afterBlock(String)

    var json: JSONValue {
        switch self {
        case .start: ["type": "start"]
        case .end: ["type": "end"]
        case .afterBlock(let id): ["type": "after_block", "after_block": ["id": .string(id)]]
        }
    }
}

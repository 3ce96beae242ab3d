/// A rich text array (`rich_text`, `title`, `caption`, a table cell): the items in order.
///
/// Stored as the JSON array of its items (``RichTextItem`` is `Codable`); parsed from a request
/// with ``parse(_:at:)`` and rendered with ``RichTextRenderer``.
public struct RichText: Sendable, Equatable, Codable, ExpressibleByArrayLiteral {
    public var items: [RichTextItem]

    public init(_ items: [RichTextItem] = []) {
        self.items = items
    }

    public init(arrayLiteral elements: RichTextItem...) {
        self.items = elements
    }

    public var isEmpty: Bool { items.isEmpty }

    public init(from decoder: any Decoder) throws {
        items = try decoder.singleValueContainer().decode([RichTextItem].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(items)
    }
}

import Foundation

/// One rich text item: `text`, `mention` or `equation`, with its annotations.
///
/// Read from responses with ``plainText`` and ``href`` as the API computed them; build request
/// items with ``text(_:link:annotations:)``, ``mention(_:annotations:)`` and
/// ``equation(_:annotations:)``. It encodes as a request item (`type`, the type's object and
/// `annotations`), which is what the API accepts back.
public struct RichText: Codable, Sendable, Hashable {
    /// `text`, `mention` or `equation`.
    public var type: String
    /// The type's object: `{"content", "link"}` for text, the mention (`{"type": "user", "user": …}`)
    /// for a mention, `{"expression"}` for an equation.
    public var content: JSONValue
    public var annotations: Annotations?
    /// The text without styling, as the API computed it (for a built item: the text or expression).
    public var plainText: String
    /// The link of the item, as the API computed it.
    public var href: String?

    public init(type: String, content: JSONValue, annotations: Annotations? = nil) {
        self.type = type
        self.content = content
        self.annotations = annotations
        self.plainText = content["content"]?.stringValue ?? content["expression"]?.stringValue ?? ""
        self.href = content["link"]?["url"]?.stringValue
    }

    /// Plain text, optionally linked.
    public static func text(_ content: String, link: String? = nil, annotations: Annotations? = nil) -> RichText {
        var text: [String: JSONValue] = ["content": .string(content)]
        if let link { text["link"] = ["url": .string(link)] }
        return RichText(type: "text", content: .object(text), annotations: annotations)
    }

    /// A mention: `["type": "user", "user": ["id": id]]`, `["type": "page", "page": ["id": id]]`,
    /// `["type": "date", "date": ["start": "2026-01-01"]]`, …
    public static func mention(_ mention: JSONValue, annotations: Annotations? = nil) -> RichText {
        RichText(type: "mention", content: mention, annotations: annotations)
    }

    /// An inline KaTeX expression.
    public static func equation(_ expression: String, annotations: Annotations? = nil) -> RichText {
        RichText(type: "equation", content: ["expression": .string(expression)], annotations: annotations)
    }

    /// Bold, italic, strikethrough, underline, code and a color (`default`, `red`, `blue_background`, …).
    public struct Annotations: Codable, Sendable, Hashable {
        public var bold: Bool
        public var italic: Bool
        public var strikethrough: Bool
        public var underline: Bool
        public var code: Bool
        public var color: String

        public init(
            bold: Bool = false,
            italic: Bool = false,
            strikethrough: Bool = false,
            underline: Bool = false,
            code: Bool = false,
            color: String = "default"
        ) {
            self.bold = bold
            self.italic = italic
            self.strikethrough = strikethrough
            self.underline = underline
            self.code = code
            self.color = color
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            bold = try container.decodeIfPresent(Bool.self, forKey: .bold) ?? false
            italic = try container.decodeIfPresent(Bool.self, forKey: .italic) ?? false
            strikethrough = try container.decodeIfPresent(Bool.self, forKey: .strikethrough) ?? false
            underline = try container.decodeIfPresent(Bool.self, forKey: .underline) ?? false
            code = try container.decodeIfPresent(Bool.self, forKey: .code) ?? false
            color = try container.decodeIfPresent(String.self, forKey: .color) ?? "default"
        }
    }

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        // The API always sends `type`; an item without one (a hand-written fixture) is text.
        let type = json["type"]?.stringValue ?? "text"
        self.type = type
        content = json[type] ?? .null
        annotations = try json["annotations"].map { try $0.decoded(as: Annotations.self) }
        plainText = json["plain_text"]?.stringValue ?? content["content"]?.stringValue ?? ""
        href = json["href"]?.stringValue
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// The item as the API accepts it in a request.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["type": .string(type), type: content]
        if let annotations {
            members["annotations"] = [
                "bold": .bool(annotations.bold), "italic": .bool(annotations.italic),
                "strikethrough": .bool(annotations.strikethrough), "underline": .bool(annotations.underline),
                "code": .bool(annotations.code), "color": .string(annotations.color),
            ]
        }
        return .object(members)
    }
}

extension [RichText] {
    /// The items' plain text, joined.
    public var plainText: String { map(\.plainText).joined() }

    var json: JSONValue { .array(map(\.json)) }
}

/// A user as other objects refer to one: its id (and, in some responses, more).
public struct PartialUser: Codable, Sendable, Hashable, Identifiable {
    public let id: String

    public init(id: String) { self.id = id }
}

extension JSONValue {
    /// Decodes this value as `type` (for typed views of open-ended payloads).
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
    }
}

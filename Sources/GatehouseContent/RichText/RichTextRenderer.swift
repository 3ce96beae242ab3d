import GatehouseCore

/// How the API writes things that rich text shows.
public enum NotionURL {
    /// The web address of a page or database: `https://www.notion.so/<id without dashes>`.
    public static func page(_ id: String) -> String {
        "https://www.notion.so/" + id.filter { $0 != "-" }
    }
}

extension RichText {
    /// The response array: each item with `annotations`, `plain_text` and `href`.
    public func rendered(resolving resolver: some MentionResolver) -> JSONValue {
        .array(items.map { $0.rendered(resolving: resolver) })
    }

    /// The concatenated `plain_text` of every item: a title or a search text.
    public func plainText(resolving resolver: some MentionResolver) -> String {
        items.map { $0.plainText(resolving: resolver) }.joined()
    }

    /// The ids of the users, pages and databases mentioned, for the caller to look up at once.
    public var mentionedIDs: (users: Set<String>, pages: Set<String>, databases: Set<String>) {
        var found: (users: Set<String>, pages: Set<String>, databases: Set<String>) = ([], [], [])
        for case .mention(let mention) in items.map(\.content) {
            switch mention {
            case .user(let id): found.users.insert(id)
            case .page(let id): found.pages.insert(id)
            case .database(let id): found.databases.insert(id)
            case .date, .linkPreview: break
            }
        }
        return found
    }
}

extension RichTextItem {
    /// The item as the API returns it.
    public func rendered(resolving resolver: some MentionResolver) -> JSONValue {
        let payload: JSONValue =
            switch content {
            case .text(let text, let link):
                ["content": .string(text), "link": link.map { ["url": .string($0)] } ?? .null]
            case .equation(let expression): ["expression": .string(expression)]
            case .mention(let mention): mention.rendered(resolving: resolver)
            }
        return [
            "type": .string(content.typeName),
            content.typeName: payload,
            "annotations": annotations.rendered,
            "plain_text": .string(plainText(resolving: resolver)),
            "href": .optional(href),
        ]
    }

    /// `plain_text`: the text, the expression, or what the mention shows.
    public func plainText(resolving resolver: some MentionResolver) -> String {
        switch content {
        case .text(let text, _): text
        case .equation(let expression): expression
        case .mention(.user(let id)): "@" + (resolver.userName(id: id) ?? "Anonymous")
        case .mention(.page(let id)): resolver.pageTitle(id: id).flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled"
        case .mention(.database(let id)):
            resolver.databaseTitle(id: id).flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled"
        case .mention(.date(let date)): date.end.map { "\(date.start) → \($0)" } ?? date.start
        case .mention(.linkPreview(let url)): url
        }
    }

    /// `href`: the link of a text, the page address of a page or database mention, else `null`.
    public var href: String? {
        switch content {
        case .text(_, let link): link
        case .equation: nil
        case .mention(.page(let id)), .mention(.database(let id)): NotionURL.page(id)
        case .mention(.linkPreview(let url)): url
        case .mention(.user), .mention(.date): nil
        }
    }
}

extension RichTextItem.Annotations {
    /// Every flag and the color, always all six.
    public var rendered: JSONValue {
        [
            "bold": .bool(bold), "italic": .bool(italic), "strikethrough": .bool(strikethrough),
            "underline": .bool(underline), "code": .bool(code), "color": .string(color.rawValue),
        ]
    }
}

extension Mention {
    /// The `mention` object: its `type` and the payload under that name.
    func rendered(resolving resolver: some MentionResolver) -> JSONValue {
        let payload: JSONValue =
            switch self {
            case .user(let id): resolver.userObject(id: id) ?? ["object": "user", "id": .string(id)]
            case .page(let id), .database(let id): ["id": .string(id)]
            case .date(let date): date.rendered
            case .linkPreview(let url): ["url": .string(url)]
            }
        return ["type": .string(typeName), typeName: payload]
    }
}

extension DateMention {
    /// `{start, end, time_zone}` with `null`s for the absent ones, as the API returns dates.
    public var rendered: JSONValue {
        ["start": .string(start), "end": .optional(end), "time_zone": .optional(timeZone)]
    }
}

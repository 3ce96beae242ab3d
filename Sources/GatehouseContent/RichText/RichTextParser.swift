import GatehouseCore

extension RichText {
    /// Parses the request array at `path` (`body.children[0].paragraph.rich_text`).
    ///
    /// Each item's `type` may be omitted when its one type key is present; annotations default to
    /// false and `default`; `plain_text` and `href`, which clients echo back from responses, are
    /// ignored. Throws ``ContentValidationError`` naming the first bad field.
    public static func parse(_ value: JSONValue?, at path: String) throws -> RichText {
        let elements = try FieldReading.array(value, at: path)
        guard elements.count <= RichTextLimits.itemsPerArray else {
            throw ContentValidationError.expected(
                "≤ `\(RichTextLimits.itemsPerArray)`",
                at: "\(path).length",
                got: .number(Double(elements.count))
            )
        }
        var items: [RichTextItem] = []
        items.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            items.append(try RichTextItem.parse(element, at: "\(path)[\(index)]"))
        }
        return RichText(items)
    }
}

extension RichTextItem {
    static let typeNames = ["text", "mention", "equation"]
    private static let echoedKeys: Set<String> = ["annotations", "plain_text", "href"]

    /// Parses one request item at `path` (`…rich_text[2]`).
    public static func parse(_ value: JSONValue, at path: String) throws -> RichTextItem {
        _ = try FieldReading.object(value, at: path)
        let type = try FieldReading.typeKey(of: value, at: path, known: typeNames, otherKeys: echoedKeys)
        let annotations = try Annotations.parse(value["annotations"], at: "\(path).annotations")
        let payloadPath = "\(path).\(type)"
        let content: Content
        switch type {
        case "text":
            let text = value["text"]
            _ = try FieldReading.object(text, at: payloadPath)
            let body = try FieldReading.string(
                text?["content"],
                at: "\(payloadPath).content",
                maxLength: RichTextLimits.textContentLength
            )
            content = .text(content: body, link: try parseLink(text?["link"], at: "\(payloadPath).link"))
        case "equation":
            let equation = value["equation"]
            _ = try FieldReading.object(equation, at: payloadPath)
            let expression = try FieldReading.string(
                equation?["expression"],
                at: "\(payloadPath).expression",
                maxLength: RichTextLimits.equationExpressionLength
            )
            content = .equation(expression: expression)
        case "mention":
            content = .mention(try Mention.parse(value["mention"], at: payloadPath))
        default:
            throw ContentValidationError.expected(
                "`\"text\"`, `\"mention\"`, or `\"equation\"`",
                at: "\(path).type",
                got: .string(type)
            )
        }
        return RichTextItem(content: content, annotations: annotations)
    }

    /// `text.link`: absent or `null` for none, else `{url}` with a URL of at most 2,000 characters.
    private static func parseLink(_ value: JSONValue?, at path: String) throws -> String? {
        guard let value, !value.isNull else { return nil }
        _ = try FieldReading.object(value, at: path)
        let url = try FieldReading.string(value["url"], at: "\(path).url", maxLength: RichTextLimits.linkURLLength)
        guard URLText.isWebURL(url) else {
            throw ContentValidationError(path: "\(path).url", message: "Invalid URL for link.")
        }
        return url
    }
}

extension RichTextItem.Annotations {
    /// The annotation object at `path`; each member optional.
    static func parse(_ value: JSONValue?, at path: String) throws -> Self {
        guard let value else { return Self() }
        _ = try FieldReading.object(value, at: path)
        return Self(
            bold: try FieldReading.bool(value["bold"], at: "\(path).bold", default: false),
            italic: try FieldReading.bool(value["italic"], at: "\(path).italic", default: false),
            strikethrough: try FieldReading.bool(value["strikethrough"], at: "\(path).strikethrough", default: false),
            underline: try FieldReading.bool(value["underline"], at: "\(path).underline", default: false),
            code: try FieldReading.bool(value["code"], at: "\(path).code", default: false),
            color: try ContentColor.parse(value["color"], at: "\(path).color")
        )
    }
}

extension Mention {
    /// The mention types a request may carry; `link_preview` is response-only.
    static let requestTypeNames = ["user", "page", "database", "date"]

    /// Parses a request's `mention` object at `path`.
    static func parse(_ value: JSONValue?, at path: String) throws -> Mention {
        _ = try FieldReading.object(value, at: path)
        guard let value else { throw ContentValidationError.expected("an object", at: path, got: nil) }
        let type = try FieldReading.typeKey(of: value, at: path, known: requestTypeNames)
        let payloadPath = "\(path).\(type)"
        switch type {
        case "user":
            _ = try FieldReading.object(value["user"], at: payloadPath)
            return .user(id: try FieldReading.id(value["user"]?["id"], at: "\(payloadPath).id"))
        case "page":
            _ = try FieldReading.object(value["page"], at: payloadPath)
            return .page(id: try FieldReading.id(value["page"]?["id"], at: "\(payloadPath).id"))
        case "database":
            _ = try FieldReading.object(value["database"], at: payloadPath)
            return .database(id: try FieldReading.id(value["database"]?["id"], at: "\(payloadPath).id"))
        case "date":
            return .date(try DateMention.parse(value["date"], at: payloadPath))
        default:
            let names = requestTypeNames.map { "`\"\($0)\"`" }.joined(separator: ", ")
            throw ContentValidationError.expected("one of \(names)", at: "\(path).type", got: .string(type))
        }
    }
}

extension DateMention {
    /// Parses `{start, end?, time_zone?}` at `path`; `start` and `end` must be ISO 8601 dates.
    static func parse(_ value: JSONValue?, at path: String) throws -> DateMention {
        _ = try FieldReading.object(value, at: path)
        let start = try FieldReading.string(value?["start"], at: "\(path).start")
        guard ISO8601Text.isDateOrDateTime(start) else {
            throw ContentValidationError.expected("a valid ISO 8601 date", at: "\(path).start", got: .string(start))
        }
        var end: String?
        if let value = value?["end"], !value.isNull {
            let text = try FieldReading.string(value, at: "\(path).end")
            guard ISO8601Text.isDateOrDateTime(text) else {
                throw ContentValidationError.expected("a valid ISO 8601 date", at: "\(path).end", got: value)
            }
            end = text
        }
        var timeZone: String?
        if let value = value?["time_zone"], !value.isNull {
            timeZone = try FieldReading.string(value, at: "\(path).time_zone")
        }
        return DateMention(start: start, end: end, timeZone: timeZone)
    }
}

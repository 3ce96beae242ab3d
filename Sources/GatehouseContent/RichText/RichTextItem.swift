/// One item of a rich text array, in the form Gatehouse stores it.
///
/// `plain_text` and `href` are not stored: they are computed when rendering, because a
/// mention's text follows the name or title it points at (see ``RichTextRenderer``).
public struct RichTextItem: Sendable, Equatable, Codable {
    /// What the item shows.
    public var content: Content
    /// Its styling, every flag false and the color `default` unless the request set them.
    public var annotations: Annotations

    public init(content: Content, annotations: Annotations = Annotations()) {
        self.content = content
        self.annotations = annotations
    }

    /// A plain text item, optionally linked.
    public static func text(_ content: String, link: String? = nil) -> RichTextItem {
        RichTextItem(content: .text(content: content, link: link))
    }

    /// The three item types of the API: `text`, `mention` and `equation`.
    public enum Content: Sendable, Equatable, Codable {
        /// `text.content`, and `text.link.url` when linked.
        case text(content: String, link: String?)
        /// An inline mention of a user, page, database, date or link.
        case mention(Mention)
        /// A KaTeX expression (`equation.expression`).
        case equation(expression: String)

        /// The API's `type` name.
        public var typeName: String {
            switch self {
            case .text: "text"
            case .mention: "mention"
            case .equation: "equation"
            }
        }
    }

    /// The annotation object: bold, italic, strikethrough, underline, code and color.
    public struct Annotations: Sendable, Equatable, Codable {
        public var bold = false
        public var italic = false
        public var strikethrough = false
        public var underline = false
        public var code = false
        public var color = ContentColor.default

        public init(
            bold: Bool = false,
            italic: Bool = false,
            strikethrough: Bool = false,
            underline: Bool = false,
            code: Bool = false,
            color: ContentColor = .default
        ) {
            self.bold = bold
            self.italic = italic
            self.strikethrough = strikethrough
            self.underline = underline
            self.code = code
            self.color = color
        }
    }
}

/// What a `mention` item points at.
public enum Mention: Sendable, Equatable, Codable {
    /// A user (`mention.user.id`), shown as `@Name`.
    case user(id: String)
    /// A page (`mention.page.id`), shown by its title.
    case page(id: String)
    /// A database (`mention.database.id`), shown by its title.
    case database(id: String)
    /// A date or date range (`mention.date`).
    case date(DateMention)
    /// A link preview (`mention.link_preview.url`): only ever returned, the API refuses it on input.
    case linkPreview(url: String)

    /// The API's `mention.type` name.
    public var typeName: String {
        switch self {
        case .user: "user"
        case .page: "page"
        case .database: "database"
        case .date: "date"
        case .linkPreview: "link_preview"
        }
    }
}

/// The date of a date mention: `start`, optional `end` and `time_zone`, ISO 8601 as sent.
public struct DateMention: Sendable, Equatable, Codable {
    public var start: String
    public var end: String?
    public var timeZone: String?

    public init(start: String, end: String? = nil, timeZone: String? = nil) {
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }
}

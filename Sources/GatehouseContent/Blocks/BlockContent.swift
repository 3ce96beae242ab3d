import GatehouseCore

/// The content of one block, in the form Gatehouse stores it (one JSON text per block).
///
/// One struct for every type: ``type`` says which fields apply, and the renderer writes exactly the
/// API's fields for that type. Fields a type does not use stay `nil`. Metadata (id, parent, times,
/// trash, children) is not part of it: the store keeps those in columns.
public struct BlockContent: Sendable, Equatable, Codable {
    public var type: BlockType
    /// `rich_text` of text-like blocks and `code`.
    public var richText: RichText?
    /// `color` of text-like blocks and `table_of_contents`.
    public var color: ContentColor?
    /// `is_toggleable` of headings.
    public var isToggleable: Bool?
    /// `checked` of `to_do`.
    public var checked: Bool?
    /// `language` of `code`.
    public var language: String?
    /// `caption` of `code`, `bookmark`, `embed` and media.
    public var caption: RichText?
    /// `icon` of `callout`.
    public var icon: BlockIcon?
    /// `expression` of `equation`.
    public var expression: String?
    /// `url` of `bookmark`, `embed`, `link_preview`; the external file URL of media.
    public var url: String?
    /// The file upload a media block shows (in place of `url`): rendered as a Notion-hosted
    /// `file` with a link that expires.
    public var fileUpload: String?
    /// `name` of `file`.
    public var name: String?
    /// `table_width`, `has_column_header`, `has_row_header` of `table`.
    public var tableWidth: Int?
    public var hasColumnHeader: Bool?
    public var hasRowHeader: Bool?
    /// `cells` of `table_row`.
    public var cells: [RichText]?
    /// `synced_from.block_id` of a `synced_block` copy; `nil` for an original.
    public var syncedFrom: String?
    /// The target of `link_to_page`.
    public var linkTarget: LinkTarget?
    /// `title` of `child_page` and `child_database`.
    public var title: String?
    /// The original type of an `unsupported` block.
    public var unsupportedType: String?

    public init(type: BlockType) {
        self.type = type
    }

    /// A `child_page` block, appended to its parent when a page is created there.
    public static func childPage(title: String) -> BlockContent {
        var content = BlockContent(type: .childPage)
        content.title = title
        return content
    }

    /// A `child_database` block, appended to its parent when a database is created there.
    public static func childDatabase(title: String) -> BlockContent {
        var content = BlockContent(type: .childDatabase)
        content.title = title
        return content
    }
}

/// A callout's icon (``Icon``, as a page's).
public typealias BlockIcon = Icon

/// What a `link_to_page` block points at.
public enum LinkTarget: Sendable, Equatable, Codable {
    case page(id: String)
    case database(id: String)
}

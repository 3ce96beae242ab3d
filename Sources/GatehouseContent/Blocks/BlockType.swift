/// A block's `type`, with what the API lets a request do with it.
///
/// Source: the block unions of makenotion/notion-sdk-js `src/api-endpoints/blocks.ts`
/// (`BlockObjectResponse`, `UpdateBlockBodyParameters`) and `common.ts` (`BlockObjectRequest`).
public enum BlockType: String, Sendable, Codable, CaseIterable {
    case paragraph
    case heading1 = "heading_1"
    case heading2 = "heading_2"
    case heading3 = "heading_3"
    case bulletedListItem = "bulleted_list_item"
    case numberedListItem = "numbered_list_item"
    case toDo = "to_do"
    case toggle, code, quote, callout, divider, equation, bookmark, embed
    case image, file, video, pdf, audio
    case table
    case tableRow = "table_row"
    case columnList = "column_list"
    case column
    case childPage = "child_page"
    case childDatabase = "child_database"
    case syncedBlock = "synced_block"
    case linkToPage = "link_to_page"
    case breadcrumb
    case tableOfContents = "table_of_contents"
    case linkPreview = "link_preview"
    /// A block the API cannot show; its original type is kept in ``BlockContent/unsupportedType``.
    case unsupported

    /// Types that exist in the API but that Gatehouse does not model: accepted on append, stored
    /// and returned as `unsupported`.
    static let storedAsUnsupported: Set<String> = ["heading_4", "template", "tab", "meeting_notes", "transcription"]

    /// Types an append may not create: pages and databases come from their own endpoints,
    /// link previews only from the Notion app.
    public var isCreatableByAppend: Bool {
        switch self {
        case .childPage, .childDatabase, .linkPreview, .unsupported: false
        default: true
        }
    }

    /// Whether a request may nest `children` inside this type's payload.
    public var acceptsChildren: Bool {
        switch self {
        case .paragraph, .heading1, .heading2, .heading3, .bulletedListItem, .numberedListItem, .toDo, .toggle,
            .quote, .callout, .syncedBlock, .table, .columnList, .column:
            true
        default: false
        }
    }

    /// Whether the payload has `rich_text` (and `color`).
    var hasRichText: Bool {
        switch self {
        case .paragraph, .heading1, .heading2, .heading3, .bulletedListItem, .numberedListItem, .toDo, .toggle,
            .quote, .callout, .code:
            true
        default: false
        }
    }

    /// Whether the payload is a file object (`external {url}`) with a caption.
    var isMedia: Bool {
        switch self {
        case .image, .file, .video, .pdf, .audio: true
        default: false
        }
    }
}

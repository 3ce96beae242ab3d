import GatehouseCore

/// What the store knows about a block besides its content: columns, not JSON.
public struct BlockMetadata: Sendable, Equatable {
    public var id: String
    public var parent: BlockParent
    /// ISO 8601 with milliseconds, as the API writes times (`2026-03-11T09:30:00.000Z`).
    public var createdTime: String
    public var lastEditedTime: String
    /// User ids.
    public var createdBy: String
    public var lastEditedBy: String
    public var hasChildren: Bool
    public var inTrash: Bool

    public init(
        id: String,
        parent: BlockParent,
        createdTime: String,
        lastEditedTime: String,
        createdBy: String,
        lastEditedBy: String,
        hasChildren: Bool,
        inTrash: Bool
    ) {
        self.id = id
        self.parent = parent
        self.createdTime = createdTime
        self.lastEditedTime = lastEditedTime
        self.createdBy = createdBy
        self.lastEditedBy = lastEditedBy
        self.hasChildren = hasChildren
        self.inTrash = inTrash
    }
}

extension BlockContent {
    /// The block object as the API returns it at `version`.
    ///
    /// `parent` is there from 2022-06-28 on; `archived` (an alias of `in_trash`) is present before
    /// 2026-03-11 and gone from it on;
    /// before 2022-02-22 text-like payloads call their rich text `text`, not `rich_text`.
    public func rendered(
        _ metadata: BlockMetadata,
        version: NotionVersion,
        resolving resolver: some MentionResolver
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("object", "block"), ("id", .string(metadata.id))]
        if version.value >= "2022-06-28" { members.append(("parent", metadata.parent.rendered)) }
        members += [
            ("created_time", .string(metadata.createdTime)), ("last_edited_time", .string(metadata.lastEditedTime)),
            ("created_by", ["object": "user", "id": .string(metadata.createdBy)]),
            ("last_edited_by", ["object": "user", "id": .string(metadata.lastEditedBy)]),
            ("has_children", .bool(metadata.hasChildren)),
        ]
        if version.value < "2026-03-11" { members.append(("archived", .bool(metadata.inTrash))) }
        members.append(("in_trash", .bool(metadata.inTrash)))
        members.append(("type", .string(type.rawValue)))
        members.append((type.rawValue, payload(version: version, resolving: resolver)))
        return .object(members)
    }

    /// The object under the type's key.
    public func payload(version: NotionVersion, resolving resolver: some MentionResolver) -> JSONValue {
        func text(_ richText: RichText?) -> JSONValue { (richText ?? RichText()).rendered(resolving: resolver) }
        let textKey = version.value < "2022-02-22" ? "text" : "rich_text"
        let color = JSONValue.string((color ?? .default).rawValue)
        switch type {
        case .paragraph, .bulletedListItem, .numberedListItem, .toggle, .quote:
            return [textKey: text(richText), "color": color]
        case .heading1, .heading2, .heading3:
            return [textKey: text(richText), "is_toggleable": .bool(isToggleable ?? false), "color": color]
        case .toDo:
            return [textKey: text(richText), "checked": .bool(checked ?? false), "color": color]
        case .callout:
            return [textKey: text(richText), "icon": icon?.rendered ?? .null, "color": color]
        case .code:
            return ["caption": text(caption), textKey: text(richText), "language": .string(language ?? "plain text")]
        case .tableOfContents:
            return ["color": color]
        case .equation:
            return ["expression": .string(expression ?? "")]
        case .bookmark, .embed:
            return ["caption": text(caption), "url": .string(url ?? "")]
        case .linkPreview:
            return ["url": .string(url ?? "")]
        case .image, .file, .video, .pdf, .audio:
            var media: [(String, JSONValue)] = [("caption", text(caption))]
            if let fileUpload {
                let link = resolver.fileLink(uploadID: fileUpload, name: name)
                media += [
                    ("type", "file"),
                    (
                        "file",
                        ["url": .string(link?.url ?? ""), "expiry_time": link.map { .string($0.expiryTime) } ?? .null]
                    ),
                ]
            } else {
                media += [("type", "external"), ("external", ["url": .string(url ?? "")])]
            }
            if type == .file { media.append(("name", .string(name ?? ""))) }
            return .object(media)
        case .table:
            return [
                "table_width": .number(Double(tableWidth ?? 1)), "has_column_header": .bool(hasColumnHeader ?? false),
                "has_row_header": .bool(hasRowHeader ?? false),
            ]
        case .tableRow:
            return ["cells": .array((cells ?? []).map { text($0) })]
        case .childPage, .childDatabase:
            return ["title": .string(title ?? "")]
        case .syncedBlock:
            return ["synced_from": syncedFrom.map { ["type": "block_id", "block_id": .string($0)] } ?? .null]
        case .linkToPage:
            switch linkTarget {
            case .page(let id)?: return ["type": "page_id", "page_id": .string(id)]
            case .database(let id)?: return ["type": "database_id", "database_id": .string(id)]
            case nil: return [:]
            }
        case .divider, .breadcrumb, .columnList, .column:
            return [:]
        case .unsupported:
            return ["block_type": .string(unsupportedType ?? "unsupported")]
        }
    }
}

extension BlockIcon {
    /// `{type: "emoji", emoji}` or `{type: "external", external: {url}}`.
    public var rendered: JSONValue {
        switch self {
        case .emoji(let emoji): ["type": "emoji", "emoji": .string(emoji)]
        case .external(let url): ["type": "external", "external": ["url": .string(url)]]
        // Only a page's icon is an upload; rendered with its link by `PageAppearance.renderedIcon`.
        case .fileUpload(let id): PageAppearance.hostedFile(id, resolving: UnresolvedMentions())
        }
    }
}

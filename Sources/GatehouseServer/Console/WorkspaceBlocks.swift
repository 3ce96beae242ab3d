import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// A page's blocks as the workspace view renders them: read parent by parent, a page of children
/// at a time, down to ``maxDepth`` levels and at most ``maxBlocks`` blocks per page (what is cut
/// off is said, not hidden); then turned into the values of the recursive `console_block` template.
struct WorkspaceBlocks {
    /// Nesting levels read below the page.
    static let maxDepth = 8
    /// Blocks read for one page view.
    static let maxBlocks = 1_000

    /// A block and the children read of it.
    struct Node {
        var record: BlockRecord
        var children: [Node]
        /// Its children were not read (the depth or size cap), though it has some.
        var childrenCut: Bool
    }

    var nodes: [Node] = []
    /// Whether the size cap left blocks unread.
    var truncated = false
    private var budget = maxBlocks

    /// The blocks of `pageID`, in order, nested.
    static func load(pageID: String, store: any Store) async throws -> WorkspaceBlocks {
        var tree = WorkspaceBlocks()
        tree.nodes = try await tree.children(of: pageID, depth: 1, store: store)
        return tree
    }

    private mutating func children(of parentID: String, depth: Int, store: any Store) async throws -> [Node] {
        var nodes: [Node] = []
        var cursor: String?
        repeat {
            guard budget > 0 else {
                truncated = true
                return nodes
            }
            let page = try await store.children(of: parentID, startCursor: cursor, pageSize: min(100, budget))
            budget -= page.blocks.count
            for record in page.blocks {
                // A child page's or database's blocks are its own: they are a link here.
                let nests = record.hasChildren && ![.childPage, .childDatabase].contains(record.content.type)
                var node = Node(record: record, children: [], childrenCut: false)
                if nests, depth < Self.maxDepth, budget > 0 {
                    node.children = try await children(of: record.id, depth: depth + 1, store: store)
                } else if nests {
                    node.childrenCut = true
                }
                nodes.append(node)
            }
            cursor = page.nextCursor
        } while cursor != nil
        return nodes
    }

    /// Every rich text of the blocks read (for the names their mentions need).
    var texts: [RichText] {
        var texts: [RichText] = []
        func collect(_ nodes: [Node]) {
            for node in nodes {
                let content = node.record.content
                texts += [content.richText, content.caption].compactMap { $0 } + (content.cells ?? [])
                collect(node.children)
            }
        }
        collect(nodes)
        return texts
    }

    /// The ids of the pages and databases that `link_to_page` blocks point at.
    var linkedIDs: (pages: Set<String>, databases: Set<String>) {
        var pages = Set<String>()
        var databases = Set<String>()
        func collect(_ nodes: [Node]) {
            for node in nodes {
                switch node.record.content.linkTarget {
                case .page(let id)?: pages.insert(id)
                case .database(let id)?: databases.insert(id)
                case nil: break
                }
                collect(node.children)
            }
        }
        collect(nodes)
        return (pages, databases)
    }

    // MARK: Template values

    /// Every key a block's values may have, so a child never reads its parent's.
    private static var blank: [String: Any] {
        [
            "isParagraph": false, "isHeading1": false, "isHeading2": false, "isHeading3": false,
            "isBulletedList": false, "isNumberedList": false, "isToDo": false, "isToggle": false, "isCode": false,
            "isQuote": false, "isCallout": false, "isDivider": false, "isEquation": false, "isLinked": false,
            "isTable": false, "isPageLink": false, "isContainer": false, "isNote": false,
            "spans": [[String: Any]](), "captionSpans": [[String: Any]](), "children": [[String: Any]](),
            "items": [[String: Any]](), "rows": [[String: Any]](), "hasChildren": false, "checked": false,
            "text": "", "label": "", "icon": "", "link": false, "linkText": "", "childrenCut": false, "id": "",
        ]
    }

    /// The values of `nodes` for `console_block`: consecutive list items grouped into one list.
    static func values(_ nodes: [Node], names: WorkspaceNames) -> [[String: Any]] {
        var values: [[String: Any]] = []
        for node in nodes {
            let type = node.record.content.type
            guard type == .bulletedListItem || type == .numberedListItem else {
                values.append(value(node, names: names))
                continue
            }
            let key = type == .bulletedListItem ? "isBulletedList" : "isNumberedList"
            if var last = values.last, last[key] as? Bool == true, var items = last["items"] as? [[String: Any]] {
                items.append(value(node, names: names))
                last["items"] = items
                values[values.count - 1] = last
            } else {
                var list = blank
                list[key] = true
                list["items"] = [value(node, names: names)]
                values.append(list)
            }
        }
        return values
    }

    private static func value(_ node: Node, names: WorkspaceNames) -> [String: Any] {
        let content = node.record.content
        var value = blank
        value["id"] = node.record.id
        value["spans"] = content.richText.map { WorkspaceText.spans($0, names: names) } ?? []
        value["captionSpans"] = content.caption.map { WorkspaceText.spans($0, names: names) } ?? []
        let children = values(node.children, names: names)
        value["children"] = children
        value["hasChildren"] = !children.isEmpty || node.childrenCut
        value["childrenCut"] = node.childrenCut
        switch content.type {
        case .paragraph: value["isParagraph"] = true
        case .heading1: value["isHeading1"] = true
        case .heading2: value["isHeading2"] = true
        case .heading3: value["isHeading3"] = true
        case .bulletedListItem, .numberedListItem: break
        case .toDo:
            value["isToDo"] = true
            value["checked"] = content.checked ?? false
        case .toggle: value["isToggle"] = true
        case .code:
            value["isCode"] = true
            value["text"] = content.richText?.plainText(resolving: names) ?? ""
            value["label"] = content.language ?? ""
        case .quote: value["isQuote"] = true
        case .callout:
            value["isCallout"] = true
            switch content.icon {
            case .emoji(let emoji)?: value["icon"] = emoji
            case .external?, .fileUpload?: value["icon"] = "▣"
            case nil: break
            }
        case .divider: value["isDivider"] = true
        case .equation:
            value["isEquation"] = true
            value["text"] = content.expression ?? ""
        case .image, .file, .video, .pdf, .audio, .bookmark, .embed, .linkPreview:
            value["isLinked"] = true
            value["label"] = content.type.rawValue
            let url = content.url ?? ""
            value["linkText"] = content.name ?? (content.fileUpload != nil ? "Uploaded file" : url)
            value["link"] = WorkspaceLinks.safeHref(url).map { ["url": $0] } ?? false
        case .table:
            value["isTable"] = true
            value["rows"] = rows(of: node, names: names)
            value["children"] = [[String: Any]]()
        case .tableRow:
            // Outside a table (it cannot be), a row shows as its cells' text.
            value["isNote"] = true
            value["text"] = (content.cells ?? []).map { $0.plainText(resolving: names) }.joined(separator: " | ")
        case .childPage:
            value["isPageLink"] = true
            value["label"] = "Page"
            value["linkText"] = content.title.flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled"
            value["link"] = ["url": WorkspaceLinks.page(node.record.id)]
        case .childDatabase:
            value["isPageLink"] = true
            value["label"] = "Database"
            value["linkText"] = content.title.flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled"
            value["link"] = ["url": WorkspaceLinks.database(node.record.id)]
        case .linkToPage:
            value["isPageLink"] = true
            value["label"] = "Link to page"
            switch content.linkTarget {
            case .page(let id)?:
                value["linkText"] = names.pages[id] ?? id
                value["link"] = names.pages[id] == nil ? false : ["url": WorkspaceLinks.page(id)]
            case .database(let id)?:
                value["label"] = "Link to database"
                value["linkText"] = names.databases[id] ?? id
                value["link"] = names.databases[id] == nil ? false : ["url": WorkspaceLinks.database(id)]
            case nil: break
            }
        case .columnList, .column:
            value["isContainer"] = true
            value["label"] = content.type.rawValue
        case .syncedBlock:
            value["isContainer"] = true
            value["label"] = content.syncedFrom.map { "synced_block (a copy of \($0))" } ?? "synced_block"
        case .breadcrumb, .tableOfContents:
            value["isNote"] = true
            value["text"] = content.type.rawValue
        case .unsupported:
            value["isNote"] = true
            value["text"] = "unsupported: " + (content.unsupportedType ?? "unknown type")
        }
        return value
    }

    /// A table's rows (its children): `[cells: [[spans]], header]`, the first row a header row
    /// when the table says so.
    private static func rows(of node: Node, names: WorkspaceNames) -> [[String: Any]] {
        let hasHeader = node.record.content.hasColumnHeader ?? false
        return node.children.enumerated().map { index, row in
            [
                "header": hasHeader && index == 0,
                "cells": (row.record.content.cells ?? []).map { ["spans": WorkspaceText.spans($0, names: names)] },
            ]
        }
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// The console's read-only workspace view: what the store holds for the signed-in user's workspace,
/// so a developer sees what an integration wrote. GET only. The tree is read one parent at a time
/// (a page of ``treePageSize`` entries, in SQL), a data source a page of ``tableRowsPerPage`` rows
/// with the query API's own paging, a page's blocks within ``WorkspaceBlocks``' caps. Another
/// workspace's page or database answers exactly as an unknown id does. Trashed pages are listed and
/// marked; trashed blocks, and trashed pages in a data source's table, are left out as the API does.
extension ConsoleController {
    /// Entries of the tree per request, before a "more" link.
    static let treePageSize = 100
    /// Rows of a data source's table per request.
    static let tableRowsPerPage = 100
    /// Comments read for one page.
    static let commentsPerPage = 500

    @Sendable func workspaceTree(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context) { viewer in
            var values = try await treeValues(viewer, parentPageID: nil, request: request)
            values["heading"] = viewer.workspace.name
            return render("console_workspace", "Workspace", viewer, values)
        }
    }

    @Sendable func workspacePage(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context) { viewer in
            guard let id = ResourceID.canonical(context.parameters.get("id") ?? ""),
                let page = try await store.page(id: id), page.workspaceID == viewer.workspace.id
            else { return noSuchContent() }
            var dataSource: DataSourceRecord?
            if case .database(let id) = page.parent { dataSource = try await store.dataSource(id: id) }
            let titleID = dataSource?.schema.title?.id ?? "title"
            guard let stored = try await store.storedPage(id: page.id, titleID: titleID) else { return noSuchContent() }
            let blocks = try await WorkspaceBlocks.load(pageID: page.id, store: store)
            let comments = try await store.comments(pageID: page.id, limit: Self.commentsPerPage)
            let commentTexts = comments.map(Self.richText)
            let mentioned = WorkspaceText.mentioned(in: blocks.texts + commentTexts + WorkspaceCells.texts([stored]))
            var pageIDs = mentioned.pages.union(blocks.linkedIDs.pages).union(WorkspaceCells.relatedPageIDs([stored]))
            if case .page(let parentID) = page.parent { pageIDs.insert(parentID) }
            let names = try await WorkspaceNames.load(
                workspaceID: viewer.workspace.id,
                pageIDs: pageIDs,
                databaseIDs: mentioned.databases.union(blocks.linkedIDs.databases),
                store: store
            )
            var values = try await treeValues(viewer, parentPageID: page.id, request: request)
            values["heading"] = page.title.isEmpty ? "Untitled" : page.title
            values["pageID"] = page.id
            values["trashed"] = page.archived
            values["createdBy"] = names.users[page.createdBy] ?? "Unknown user"
            values["createdAt"] = Self.dateTime(page.createdAt)
            values["lastEditedAt"] = Self.dateTime(page.lastEditedAt)
            values["parent"] = try await parentLink(of: page, dataSource: dataSource, names: names)
            let properties = (dataSource?.schema.properties ?? []).filter { $0.type != .title }.map {
                ["name": $0.name, "type": $0.type.rawValue, "value": WorkspaceCells.cell($0, of: stored, names: names)]
            }
            values["properties"] = properties
            values["hasProperties"] = !properties.isEmpty
            values["blocks"] = WorkspaceBlocks.values(blocks.nodes, names: names)
            values["blocksTruncated"] = blocks.truncated
            values["maxBlocks"] = WorkspaceBlocks.maxBlocks
            values["discussions"] = Self.discussions(comments, texts: commentTexts, pageID: page.id, names: names)
            return render("console_workspace_page", page.title.isEmpty ? "Untitled" : page.title, viewer, values)
        }
    }

    @Sendable func workspaceDatabase(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context) { viewer in
            guard let id = ResourceID.canonical(context.parameters.get("id") ?? ""),
                let database = try await store.database(id: id), database.workspaceID == viewer.workspace.id
            else { return noSuchContent() }
            let sources = try await store.dataSources(databaseID: database.id)
            let wanted = request.uri.queryParameters.get("data_source").flatMap(ResourceID.canonical)
            var values: [String: Any] = [
                "heading": database.title.isEmpty ? "Untitled" : database.title,
                "columns": [[String: Any]](), "rows": [[String: Any]](), "hasTable": false,
            ]
            if let parentID = database.parentPageID {
                let title = try await store.pageTitles(workspaceID: viewer.workspace.id, ids: [parentID])[parentID]
                values["parent"] = ["title": title ?? parentID, "href": WorkspaceLinks.page(parentID)]
            }
            guard
                let source = sources.first(where: { $0.id == wanted }) ?? sources.first(where: { !$0.inTrash })
                    ?? sources.first
            else { return render("console_workspace_table", database.title, viewer, values) }
            values["hasManySources"] = sources.count > 1
            values["sources"] = sources.map { other -> [String: Any] in
                [
                    "name": other.name.isEmpty ? "Untitled" : other.name, "trashed": other.inTrash,
                    "current": other.id == source.id,
                    "href": WorkspaceLinks.database(database.id) + "?data_source=" + other.id,
                ]
            }
            let offset: Int
            do {
                offset =
                    try DataSourceQuery.cursor(request.uri.queryParameters.get("cursor").map { String($0) })?.offset
                    ?? 0
            } catch {
                return pages.error(title: "No such rows", message: "That cursor is not one this table gave.")
            }
            // Rows in the order they were added, as a new table view shows them (the API's
            // unsorted query answers newest first).
            let rows = try await store.queryPages(
                dataSource: source,
                plan: .constant(true),
                sorts: [QuerySort(target: .createdTime, ascending: true)],
                offset: offset,
                limit: Self.tableRowsPerPage + 1
            )
            let shown = Array(rows.prefix(Self.tableRowsPerPage))
            let mentioned = WorkspaceText.mentioned(in: WorkspaceCells.texts(shown))
            let names = try await WorkspaceNames.load(
                workspaceID: viewer.workspace.id,
                pageIDs: mentioned.pages.union(WorkspaceCells.relatedPageIDs(shown)),
                databaseIDs: mentioned.databases,
                store: store
            )
            let columns =
                source.schema.properties.filter { $0.type == .title }
                + source.schema.properties.filter { $0.type != .title }
            values["hasTable"] = true
            values["sourceName"] = source.name.isEmpty ? "Untitled" : source.name
            values["sourceTrashed"] = source.inTrash
            values["columns"] = columns.map { ["name": $0.name, "type": $0.type.rawValue] }
            values["rows"] = shown.map { page -> [String: Any] in
                [
                    "cells": columns.map { property -> [String: Any] in
                        guard property.type == .title else {
                            return WorkspaceCells.cell(property, of: page, names: names)
                        }
                        let title = page.record.title.isEmpty ? "Untitled" : page.record.title
                        return [
                            "spans": [WorkspaceText.span(title, href: WorkspaceLinks.page(page.record.id))],
                            "labels": [[String: Any]](),
                        ]
                    }
                ]
            }
            values["hasRows"] = !shown.isEmpty
            values["pageSize"] = Self.tableRowsPerPage
            values["firstRow"] = offset + 1
            values["lastRow"] = offset + shown.count
            if rows.count > Self.tableRowsPerPage {
                values["nextHref"] =
                    WorkspaceLinks.database(database.id) + "?data_source=" + source.id + "&cursor="
                    + QueryCursor(offset: offset + Self.tableRowsPerPage, createdUpTo: nil).encoded
            }
            if offset > 0 {
                values["firstHref"] = WorkspaceLinks.database(database.id) + "?data_source=" + source.id
            }
            return render("console_workspace_table", database.title, viewer, values)
        }
    }

    /// The tree below `parentPageID` (the top level when `nil`): its databases and a page of its
    /// pages from the request's `offset`, with the query of the next page when there are more.
    private func treeValues(_ viewer: Viewer, parentPageID: String?, request: Request) async throws -> [String: Any] {
        let offset =
            request.uri.queryParameters.get("offset").flatMap { Int($0) }.map { max(0, min($0, 1_000_000)) } ?? 0
        let pages = try await store.childPages(
            workspaceID: viewer.workspace.id,
            parentPageID: parentPageID,
            offset: offset,
            limit: Self.treePageSize + 1
        )
        let databases =
            offset == 0
            ? try await store.childDatabases(
                workspaceID: viewer.workspace.id,
                parentPageID: parentPageID,
                limit: Self.treePageSize
            ) : []
        var entries: [[String: Any]] = databases.map {
            [
                "title": $0.title.isEmpty ? "Untitled" : $0.title, "href": WorkspaceLinks.database($0.id),
                "kind": "database", "trashed": false,
            ]
        }
        entries += pages.prefix(Self.treePageSize).map {
            [
                "title": $0.title.isEmpty ? "Untitled" : $0.title, "href": WorkspaceLinks.page($0.id),
                "kind": "page", "trashed": $0.archived,
            ]
        }
        var values: [String: Any] = ["entries": entries]
        if pages.count > Self.treePageSize { values["moreOffset"] = offset + Self.treePageSize }
        return values
    }

    /// Where the page sits: its parent page, its database, or the workspace's top level.
    private func parentLink(
        of page: PageRecord,
        dataSource: DataSourceRecord?,
        names: WorkspaceNames
    ) async throws
        -> [String: Any]
    {
        switch page.parent {
        case .workspace:
            return ["title": "Workspace", "href": "/console/workspace"]
        case .page(let id):
            return [
                "title": names.pages[id].flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled",
                "href": WorkspaceLinks.page(id),
            ]
        case .database:
            guard let dataSource else { return ["title": "Workspace", "href": "/console/workspace"] }
            return [
                "title": dataSource.name.isEmpty ? "Untitled" : dataSource.name,
                "href": WorkspaceLinks.database(dataSource.databaseID) + "?data_source=" + dataSource.id,
            ]
        }
    }

    /// The comments grouped by discussion, in the order each discussion began; each comment with
    /// its author's name, time and text.
    private static func discussions(
        _ comments: [CommentRecord],
        texts: [RichText],
        pageID: String,
        names: WorkspaceNames
    ) -> [[String: Any]] {
        var order: [String] = []
        var grouped: [String: [[String: Any]]] = [:]
        var onBlock: [String: Bool] = [:]
        for (comment, text) in zip(comments, texts) {
            if grouped[comment.discussionID] == nil {
                order.append(comment.discussionID)
                onBlock[comment.discussionID] = comment.parent.id != pageID
            }
            let bot = names.users[comment.createdBy] ?? "Unknown integration"
            let author =
                switch comment.displayName {
                case .custom(let name): "\(name) (via \(bot))"
                case .integration, .user: bot
                }
            grouped[comment.discussionID, default: []].append([
                "author": author, "time": dateTime(comment.createdAt),
                "spans": WorkspaceText.spans(text, names: names),
            ])
        }
        return order.map { ["id": $0, "onBlock": onBlock[$0] ?? false, "comments": grouped[$0] ?? []] }
    }

    private static func richText(_ comment: CommentRecord) -> RichText {
        (try? JSONDecoder().decode(RichText.self, from: Data(comment.richTextJSON.utf8))) ?? RichText()
    }

    func noSuchContent() -> Response {
        pages.error(
            title: "Not found",
            message: "There is no such page or database in your workspace.",
            status: .notFound
        )
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// The names the workspace view shows for ids: people and bots of the viewer's workspace, and the
/// titles of its pages and databases that rich text and relations point at. Loaded once per
/// response; anything of another workspace stays unknown (shown as the API shows the unknown).
struct WorkspaceNames: MentionResolver {
    var users: [String: String] = [:]
    var pages: [String: String] = [:]
    var databases: [String: String] = [:]

    /// Database mentions looked up one by one: at most this many per response.
    static let databaseLookups = 50

    /// The people and bots of `workspaceID`, and the titles of the pages and databases of that
    /// workspace among `pageIDs` and `databaseIDs`.
    static func load(
        workspaceID: String,
        pageIDs: Set<String>,
        databaseIDs: Set<String>,
        store: any Store
    ) async throws -> WorkspaceNames {
        var names = WorkspaceNames()
        for person in try await store.people(workspaceID: workspaceID) { names.users[person.id] = person.name }
        for integration in try await store.integrations(workspaceID: workspaceID) {
            names.users[integration.botID] = integration.name
        }
        names.pages = try await store.pageTitles(workspaceID: workspaceID, ids: pageIDs)
        for id in databaseIDs.sorted().prefix(databaseLookups) {
            if let database = try await store.database(id: id), database.workspaceID == workspaceID {
                names.databases[id] = database.title
            }
        }
        return names
    }

    func userName(id: String) -> String? { users[id] }
    func pageTitle(id: String) -> String? { pages[id] }
    func databaseTitle(id: String) -> String? { databases[id] }
}

/// Rich text as the workspace view's templates show it: one span per item, its annotations as
/// fixed class names, and a link only where ``WorkspaceLinks/safeHref(_:)`` allows one. The text
/// itself is left to the template engine's escaping.
enum WorkspaceText {
    /// The spans of `text`: `[text, classes, link: false | [url]]`, every key always present (the
    /// templates are recursive, and mustache would otherwise find a parent's key).
    static func spans(_ text: RichText, names: WorkspaceNames) -> [[String: Any]] {
        text.items.map { item in
            var classes: [String] = []
            let annotations = item.annotations
            if annotations.bold { classes.append("rt-bold") }
            if annotations.italic { classes.append("rt-italic") }
            if annotations.strikethrough { classes.append("rt-strike") }
            if annotations.underline { classes.append("rt-underline") }
            if annotations.code { classes.append("rt-code") }
            if annotations.color != .default { classes.append("rt-color-" + annotations.color.rawValue) }
            if case .equation = item.content { classes.append("rt-equation") }
            return span(item.plainText(resolving: names), href: href(of: item, names: names), classes: classes)
        }
    }

    /// One span of plain `text`, linked when `href` is given (the caller vouches for it).
    static func span(_ text: String, href: String? = nil, classes: [String] = []) -> [String: Any] {
        ["text": text, "classes": classes.joined(separator: " "), "link": href.map { ["url": $0] } ?? false]
    }

    /// Where an item links in the console: text links that are safe, console links for mentioned
    /// pages and databases of the workspace; nothing else.
    static func href(of item: RichTextItem, names: WorkspaceNames) -> String? {
        switch item.content {
        case .text(_, let link): link.flatMap(WorkspaceLinks.safeHref)
        case .mention(.page(let id)): names.pages[id] == nil ? nil : WorkspaceLinks.page(id)
        case .mention(.database(let id)): names.databases[id] == nil ? nil : WorkspaceLinks.database(id)
        case .mention(.linkPreview(let url)): WorkspaceLinks.safeHref(url)
        case .mention(.user), .mention(.date), .equation: nil
        }
    }

    /// The ids of pages and databases mentioned in `texts`.
    static func mentioned(in texts: [RichText]) -> (pages: Set<String>, databases: Set<String>) {
        var pages = Set<String>()
        var databases = Set<String>()
        for text in texts {
            let found = text.mentionedIDs
            pages.formUnion(found.pages)
            databases.formUnion(found.databases)
        }
        return (pages, databases)
    }
}

/// The links of the workspace view: its own routes, and what content may link to.
enum WorkspaceLinks {
    static func page(_ id: String) -> String { "/console/workspace/pages/\(id)" }
    static func database(_ id: String) -> String { "/console/workspace/databases/\(id)" }

    /// `url` when it is an absolute `http(s)` or a `mailto:` URL without control characters or
    /// spaces; `nil` otherwise (`javascript:`, `data:`, relative and malformed URLs are shown as
    /// text, never as a live link).
    static func safeHref(_ url: String) -> String? {
        guard !url.isEmpty, url.utf8.count <= 2_000,
            url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else { return nil }
        let lowered = url.lowercased()
        if lowered.hasPrefix("mailto:") { return url.count > 7 ? url : nil }
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
            let components = URLComponents(string: url), let host = components.host, !host.isEmpty
        else { return nil }
        return url
    }
}

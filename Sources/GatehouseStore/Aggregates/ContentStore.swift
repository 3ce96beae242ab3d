import Foundation
import GatehouseCore

/// The workspace's content (databases and pages) and what is shared with which integration.
public protocol ContentStore: Sendable {
    func createDatabase(_ database: DatabaseRecord) async throws
    func database(id: String) async throws -> DatabaseRecord?
    func databases(workspaceID: String) async throws -> [DatabaseRecord]
    func createPage(_ page: PageRecord) async throws
    func page(id: String) async throws -> PageRecord?
    /// Writes every field of the page as given (fixtures and tools; requests change a page with
    /// ``DataSourceStore/writePage(_:create:dataSource:setting:)`` or ``setPageTrash(id:_:by:at:)``).
    func updatePage(_ page: PageRecord) async throws
    /// Moves page `id` to the trash or out of it, and nothing else of it; returns the page as
    /// stored then and whether the flag changed, or nil when there is none.
    func setPageTrash(id: String, _ inTrash: Bool, by editor: String, at time: Date) async throws -> PageTrashChange?
    func pages(workspaceID: String) async throws -> [PageRecord]
    func pages(databaseID: String) async throws -> [PageRecord]
    /// Grants or, with `remove`, withdraws an integration's access to a database or page.
    func setShare(
        integrationID: String,
        resourceID: String,
        resourceType: String,
        remove: Bool,
        at time: Date
    )
        async throws
    /// The ids of the databases and pages shared with the integration.
    func shares(integrationID: String) async throws -> Set<String>
    /// The ids of what each of these integrations is shared, in one read.
    func shares(integrationIDs: [String]) async throws -> [String: Set<String>]
    /// The node and everything above it up to the workspace — parent blocks, pages, a row's data
    /// source and database, the page a database lives in — nearest first, in one read (at most
    /// 64 levels, which also stops a cycle). Empty when there is no such node; a walk stops where
    /// a parent is missing. With `integrationID`, each node also says whether it is shared with
    /// that integration, so that one read answers both "where is it" and "may it be seen".
    func ancestry(
        of kind: ContentNodeKind,
        id: String,
        sharedWith integrationID: String?
    ) async throws -> [ContentAncestor]
}

/// What a node of the content tree is: each kind has its own table.
public enum ContentNodeKind: String, Sendable {
    case block
    case page
    case dataSource = "source"
    case database
}

/// One node of a content tree, as ``ContentStore/ancestry(of:id:sharedWith:)`` reports it.
public struct ContentAncestor: Sendable, Equatable {
    public var kind: ContentNodeKind
    public var id: String
    /// In the trash itself (a block or data source in the trash, an archived page); databases
    /// have no trash of their own.
    public var inTrash: Bool
    /// Shared with the integration the ancestry was asked for (`false` when none was named).
    public var shared: Bool

    public init(kind: ContentNodeKind, id: String, inTrash: Bool, shared: Bool = false) {
        self.kind = kind
        self.id = id
        self.inTrash = inTrash
        self.shared = shared
    }
}

extension [ContentAncestor] {
    /// The ids of the pages, data sources and databases, once each, nearest first: what sharing
    /// comes down through (blocks are never shared, so they are left out).
    public var lineage: [String] {
        var seen = Set<String>()
        return compactMap { node in node.kind != .block && seen.insert(node.id).inserted ? node.id : nil }
    }

    /// Whether anything here is in the trash: what lies under it reads as trashed.
    public var anyInTrash: Bool { contains { $0.inTrash } }

    /// The ids here shared with the integration the ancestry was asked for.
    public var sharedIDs: Set<String> { Set(lazy.filter(\.shared).map(\.id)) }
}

/// What ``ContentStore/setPageTrash(id:_:by:at:)`` did.
public struct PageTrashChange: Sendable, Equatable {
    /// The page as stored then.
    public var page: PageRecord
    /// Whether the flag changed: the page was not already as asked, read under its row lock (so
    /// of two calls racing to trash it, one is told it changed).
    public var changed: Bool

    public init(page: PageRecord, changed: Bool) {
        self.page = page
        self.changed = changed
    }
}

import GatehouseCore
import GatehouseStore

/// Finds databases and pages for a principal, applying the sharing rules of ``AccessPolicy``.
struct ContentAccess: Sendable {
    let store: any Store
    let policy: AccessPolicy
    /// Download links for the uploaded files content shows.
    let fileLinks: FileLinks

    /// The database, if the principal may see it; otherwise the policy's 403 or 404.
    func database(_ id: String, for principal: Principal) async throws -> DatabaseRecord {
        try await databaseWithTrash(id, for: principal).0
    }

    /// ``database(_:for:)``, and whether a page above it is in the trash (from the same read).
    func databaseWithTrash(
        _ id: String,
        for principal: Principal
    ) async throws -> (DatabaseRecord, inTrash: Bool) {
        let record = try await store.database(id: id)
        let ancestry = try await check(record?.workspaceID, .database, id, kind: "database", principal: principal)
        return (record!, ancestry.anyInTrash)
    }

    /// The data source, if the principal may see it (sharing comes down from its database);
    /// otherwise the policy's 403 or 404.
    func dataSource(_ id: String, for principal: Principal) async throws -> DataSourceRecord {
        try await dataSourceWithTrash(id, for: principal).0
    }

    /// ``dataSource(_:for:)``, and whether it or a page above it is in the trash (from the same
    /// read).
    func dataSourceWithTrash(
        _ id: String,
        for principal: Principal
    ) async throws -> (DataSourceRecord, inTrash: Bool) {
        let record = try await store.dataSource(id: id)
        let ancestry = try await check(record?.workspaceID, .dataSource, id, kind: "data_source", principal: principal)
        return (record!, ancestry.anyInTrash)
    }

    /// The page, if the principal may see it; otherwise the policy's 403 or 404, naming the page
    /// or, when given, `subject` (a comment or discussion on it, whose page id must not leak).
    func page(
        _ id: String,
        for principal: Principal,
        naming subject: (kind: String, id: String)? = nil
    ) async throws -> PageRecord {
        try await pageWithTrash(id, for: principal, naming: subject).0
    }

    /// ``page(_:for:naming:)``, and whether it is in the trash, itself or through a page or data
    /// source above it (from the same read: trash is inherited).
    func pageWithTrash(
        _ id: String,
        for principal: Principal,
        naming subject: (kind: String, id: String)? = nil
    ) async throws -> (PageRecord, inTrash: Bool) {
        let record = try await store.page(id: id)
        let ancestry = try await check(
            record?.workspaceID,
            .page,
            id,
            kind: subject?.kind ?? "page",
            id: subject?.id ?? id,
            principal: principal
        )
        return (record!, ancestry.anyInTrash)
    }

    /// The ancestry of block (or page) `id` of `workspaceID` (`nil` if there is none), once the
    /// principal may see it (a block iff its page is); otherwise the policy's 403 or 404, naming
    /// the block. The caller learns from the ancestry whether the block is in the trash, with no
    /// second read.
    @discardableResult
    func blockAncestry(
        _ id: String,
        _ nodeKind: ContentNodeKind,
        workspaceID: String?,
        for principal: Principal
    ) async throws -> [ContentAncestor] {
        try await check(workspaceID, nodeKind, id, kind: "block", principal: principal)
    }

    /// Decides on the node `nodeID` of `workspaceID` (`nil`: no such node) from its ancestry,
    /// read with what of it is shared with the principal's integration, in one read; throws the
    /// policy's error naming `id` (the node's own id unless given) as a `kind`.
    @discardableResult
    private func check(
        _ workspaceID: String?,
        _ nodeKind: ContentNodeKind,
        _ nodeID: String,
        kind: String,
        id: String? = nil,
        principal: Principal
    ) async throws -> [ContentAncestor] {
        var ancestry: [ContentAncestor] = []
        if workspaceID == principal.workspaceID {
            ancestry = try await store.ancestry(of: nodeKind, id: nodeID, sharedWith: principal.integrationID)
        }
        let decision = policy.decide(
            workspaceID: principal.workspaceID,
            resourceWorkspaceID: workspaceID,
            lineage: ancestry.lineage,
            shares: ancestry.sharedIDs
        )
        if let error = policy.error(for: decision, kind: kind, id: id ?? nodeID, principal: principal) { throw error }
        return ancestry
    }

    /// What of the principal's workspace it may see, leaving out what is in the trash (itself or
    /// under a trashed page or data source).
    struct VisibleContent {
        var databases: [DatabaseRecord] = []
        var pages: [PageRecord] = []
        /// The data sources of ``databases`` that are not in the trash, by database id.
        var dataSources: [String: [DataSourceRecord]] = [:]
    }

    /// Every database, data source and page of the principal's workspace that it may see,
    /// computed in memory from one read of each table.
    func visibleContent(for principal: Principal) async throws -> VisibleContent {
        let shares = try await store.shares(integrationID: principal.integrationID)
        guard !shares.isEmpty else { return VisibleContent() }
        let databases = try await store.databases(workspaceID: principal.workspaceID)
        let pages = try await store.pages(workspaceID: principal.workspaceID)
        let dataSources = try await store.dataSources(workspaceID: principal.workspaceID)
        let graph = ContentGraph(databases: databases, dataSources: dataSources, pages: pages)
        // A database's first data source has the database's id: its trash hides its own pages, not
        // the database (whose other data sources live on).
        let trashedSources = dataSources.filter(\.inTrash)
        let trashed = Set(
            pages.filter(\.archived).map(\.id) + trashedSources.filter { $0.id != $0.databaseID }.map(\.id)
        )
        let trashedFirstSources = Set(trashedSources.filter { $0.id == $0.databaseID }.map(\.id))
        func visible(_ id: String) -> Bool {
            let lineage = graph.lineage(of: id)
            return lineage.contains(where: shares.contains) && !lineage.contains(where: trashed.contains)
        }
        let visiblePages = pages.filter { page in
            if case .database(let sourceID) = page.parent, trashedFirstSources.contains(sourceID) { return false }
            return visible(page.id)
        }
        let visibleDatabases = databases.filter { visible($0.id) }
        let shown = Set(visibleDatabases.map(\.id))
        return VisibleContent(
            databases: visibleDatabases,
            pages: visiblePages,
            dataSources: Dictionary(
                grouping: dataSources.filter { !$0.inTrash && shown.contains($0.databaseID) },
                by: \.databaseID
            )
        )
    }
}

/// Parent links of a workspace's content, for computing many lineages without the store: the
/// same lineages as the store's, a page in a second (or later) data source reaching its database.
struct ContentGraph {
    private var parents: [String: String] = [:]

    init(databases: [DatabaseRecord], dataSources: [DataSourceRecord], pages: [PageRecord]) {
        for database in databases { parents[database.id] = database.parentPageID }
        for dataSource in dataSources where dataSource.id != dataSource.databaseID {
            parents[dataSource.id] = dataSource.databaseID
        }
        for page in pages {
            switch page.parent {
            case .workspace: break
            case .database(let id), .page(let id): parents[page.id] = id
            }
        }
    }

    /// The id and every ancestor's id, nearest first (at most 64, which also stops a cycle).
    func lineage(of id: String) -> [String] {
        var lineage = [id]
        var current = id
        while lineage.count < 64, let parent = parents[current] {
            lineage.append(parent)
            current = parent
        }
        return lineage
    }
}

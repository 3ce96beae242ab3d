import Foundation
import GatehouseCore

/// The workspace's content (databases and pages) and what is shared with which integration.
public protocol ContentStore: Sendable {
    func createDatabase(_ database: DatabaseRecord) async throws
    func database(id: String) async throws -> DatabaseRecord?
    func databases(workspaceID: String) async throws -> [DatabaseRecord]
    func createPage(_ page: PageRecord) async throws
    func page(id: String) async throws -> PageRecord?
    func updatePage(_ page: PageRecord) async throws
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
}

extension ContentStore where Self: DataSourceStore {
    /// The ids of the page and every data source, database and page above it, nearest first (at
    /// most 64 levels, which also stops a cycle). A page in a database's second (or later) data
    /// source reaches the database through that data source, so the database's share covers it.
    public func lineage(ofPage page: PageRecord) async throws -> [String] {
        var lineage = [page.id]
        var parent = page.parent
        while lineage.count < 64 {
            switch parent {
            case .workspace:
                return lineage
            case .database(let id):
                lineage.append(id)
                var database = try await database(id: id)
                if database == nil, let dataSource = try await dataSource(id: id) {
                    lineage.append(dataSource.databaseID)
                    database = try await self.database(id: dataSource.databaseID)
                }
                guard let database, let above = database.parentPageID else { return lineage }
                guard let next = try await self.page(id: above) else { return lineage }
                lineage.append(next.id)
                parent = next.parent
            case .page(let id):
                guard let next = try await self.page(id: id) else { return lineage }
                lineage.append(next.id)
                parent = next.parent
            }
        }
        return lineage
    }

    /// The ids of the database and every page above it, nearest first.
    public func lineage(ofDatabase database: DatabaseRecord) async throws -> [String] {
        guard let parentID = database.parentPageID, let parent = try await page(id: parentID) else {
            return [database.id]
        }
        return [database.id] + (try await lineage(ofPage: parent))
    }

    /// The ids of the data source, its database and every page above them, nearest first (a
    /// database's first data source has the database's id, which appears once).
    public func lineage(ofDataSource dataSource: DataSourceRecord) async throws -> [String] {
        guard let database = try await database(id: dataSource.databaseID) else { return [dataSource.id] }
        let above = try await lineage(ofDatabase: database)
        return dataSource.id == database.id ? above : [dataSource.id] + above
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `POST /v1/search`: the pages and data sources (databases before 2025-09-03) shared with the
/// integration, filtered by title, rendered as their retrieve endpoints render them.
struct SearchController {
    let access: ContentAccess
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.post("search", use: search)
    }

    @Sendable func search(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.readContent, of: principal)
        let query = try Self.query(body)
        let objectFilter = try Self.objectFilter(body)
        let descending = try Self.descending(body)
        let page = try RequestInput.Page.from(body: body)

        let content = try await access.visibleContent(for: principal)
        var items: [SearchItem] = []
        if objectFilter != "page" {
            for database in content.databases {
                if context.version.usesDataSources {
                    items += (content.dataSources[database.id] ?? []).map { .dataSource($0, database) }
                } else {
                    items.append(.database(database))
                }
            }
        }
        if objectFilter != "database" { items += content.pages.map(SearchItem.page) }
        if let query, !query.isEmpty {
            items = items.filter { $0.title.localizedCaseInsensitiveContains(query) }
        }
        items.sort { descending ? ($0.edited, $0.id) > ($1.edited, $1.id) : ($0.edited, $0.id) < ($1.edited, $1.id) }
        let (results, next) = try page.slice(items) { $0.id }
        let type = context.version.usesDataSources ? "page_or_data_source" : "page_or_database"
        let rendered = try await render(results, principal: principal, version: context.version)
        return JSONResponse.ok(
            NotionObjects.list(rendered, nextCursor: next, type: type),
            requestID: context.requestID
        )
    }

    /// One result: a page, a database (before 2025-09-03) or a data source (from 2025-09-03).
    private enum SearchItem {
        case page(PageRecord)
        case database(DatabaseRecord)
        case dataSource(DataSourceRecord, DatabaseRecord)

        var id: String {
            switch self {
            case .page(let page): page.id
            case .database(let database): database.id
            case .dataSource(let dataSource, _): dataSource.id
            }
        }

        var edited: Date {
            switch self {
            case .page(let page): page.lastEditedAt
            case .database(let database): database.lastEditedAt
            case .dataSource(let dataSource, _): dataSource.lastEditedAt
            }
        }

        var title: String {
            switch self {
            case .page(let page): page.title
            case .database(let database): database.title
            case .dataSource(let dataSource, _): dataSource.name
            }
        }
    }

    /// The results of one response as the retrieve endpoints render them: pages with every
    /// property of their schema, data sources and databases with their schemas.
    private func render(
        _ items: [SearchItem],
        principal: Principal,
        version: NotionVersion
    ) async throws -> [JSONValue] {
        let users = try await WorkspaceUsers.load(for: principal, store: access.store, files: access.fileLinks)
        var dataSources: [String: DataSourceRecord?] = [:]
        func dataSource(_ id: String) async throws -> DataSourceRecord? {
            if let known = dataSources[id] { return known }
            let found = try await access.store.dataSource(id: id)
            dataSources[id] = found
            return found
        }
        var rendered: [JSONValue] = []
        for item in items {
            switch item {
            case .page(let record):
                var pageSchema = PropertyValueParser.pageParentSchema
                var databaseID: String?
                if case .database(let sourceID) = record.parent {
                    let source = try await dataSource(sourceID)
                    pageSchema = source?.schema ?? DataSourceDefaults.titleOnlySchema
                    databaseID = source?.databaseID
                }
                let titleID = pageSchema.title?.id ?? "title"
                guard let page = try await access.store.storedPage(id: record.id, titleID: titleID) else { continue }
                rendered.append(
                    ContentJSON.page(page, schema: pageSchema, databaseID: databaseID, users: users, version: version)
                )
            case .database(let database):
                rendered.append(
                    ContentJSON.database(
                        database,
                        dataSources: try await access.store.dataSources(databaseID: database.id),
                        requester: principal.botID,
                        version: version
                    )
                )
            case .dataSource(let dataSource, let database):
                rendered.append(
                    ContentJSON.dataSource(dataSource, database: database, requester: principal.botID, version: version)
                )
            }
        }
        return rendered
    }

    private static func query(_ body: JSONValue) throws(APIError) -> String? {
        switch body["query"] {
        case nil, .null?: return nil
        case .string(let query)?: return query
        case let other?:
            throw .validation("body failed validation: body.query should be a string, instead was `\(other.typeName)`.")
        }
    }

    /// `"page"`, `"database"` (also for `"data_source"`), or `nil` for both.
    private static func objectFilter(_ body: JSONValue) throws(APIError) -> String? {
        guard let filter = body["filter"], !filter.isNull else { return nil }
        guard filter["property"]?.stringValue == "object", let value = filter["value"]?.stringValue,
            ["page", "database", "data_source"].contains(value)
        else {
            throw .validation(
                "body failed validation: body.filter should be `{\"property\": \"object\", \"value\": \"page\" | \"data_source\"}`."
            )
        }
        return value == "page" ? "page" : "database"
    }

    private static func descending(_ body: JSONValue) throws(APIError) -> Bool {
        guard let sort = body["sort"], !sort.isNull else { return true }
        guard let direction = sort["direction"]?.stringValue, ["ascending", "descending"].contains(direction) else {
            throw .validation(
                "body failed validation: body.sort.direction should be \"ascending\" or \"descending\"."
            )
        }
        if let timestamp = sort["timestamp"], timestamp.stringValue != "last_edited_time" {
            throw .validation("body failed validation: body.sort.timestamp should be \"last_edited_time\".")
        }
        return direction == "descending"
    }
}

import Foundation
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `POST /v1/search`: the pages and databases shared with the integration, filtered by title.
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
        var items: [(id: String, edited: Date, title: String, json: JSONValue)] = []
        if objectFilter != "page" {
            items += content.databases.map {
                (
                    $0.id, $0.lastEditedAt, $0.title,
                    NotionObjects.database($0, createdBy: principal.botID, version: context.version)
                )
            }
        }
        if objectFilter != "database" {
            items += content.pages.map {
                ($0.id, $0.lastEditedAt, $0.title, NotionObjects.page($0, version: context.version))
            }
        }
        if let query, !query.isEmpty {
            items = items.filter { $0.title.localizedCaseInsensitiveContains(query) }
        }
        items.sort { descending ? ($0.edited, $0.id) > ($1.edited, $1.id) : ($0.edited, $0.id) < ($1.edited, $1.id) }
        let (results, next) = try page.slice(items) { $0.id }
        let type = context.version.usesDataSources ? "page_or_data_source" : "page_or_database"
        return JSONResponse.ok(
            NotionObjects.list(results.map(\.json), nextCursor: next, type: type),
            requestID: context.requestID
        )
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

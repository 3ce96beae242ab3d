import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// Runs a query of a data source's pages for `POST /v1/data_sources/{id}/query` and the pre-2025
/// `POST /v1/databases/{id}/query`: the rules parse it, the store filters, sorts and pages in SQL.
struct DataSourceQuery {
    let store: any Store
    let clock: any WallClock
    let renderedPages: RenderedPageCache

    /// Cursors are offsets written in an id's shape (`00000000-0000-4000-8000-` and 12 hex digits),
    /// so clients that check a cursor is a UUID accept them.
    static let cursorPrefix = "00000000-0000-4000-8000-"

    func respond(
        _ dataSource: DataSourceRecord,
        body: JSONValue,
        request: Request,
        context: GatehouseRequestContext,
        principal: Principal
    ) async throws -> Response {
        let filterProperties = RequestInput.filterProperties(request)
        let parser = FilterParser(
            schema: dataSource.schema,
            now: clock.now().epochMilliseconds,
            currentUserId: principal.botID,
            version: context.version
        )
        let query = try ContentJSON.validated {
            try QueryRequest.parse(body: body, filterProperties: filterProperties, parser: parser)
        }
        let offset = try Self.offset(of: query.startCursor)
        let rows =
            query.onlyDataSources
            ? []
            : try await store.queryPages(
                dataSource: dataSource,
                plan: FilterPlan.compile(query.filter),
                sorts: query.sorts,
                inTrash: query.inTrash,
                offset: offset,
                limit: query.pageSize + 1
            )
        let shown = Array(rows.prefix(query.pageSize))
        let users = try await WorkspaceUsers.load(
            rendering: shown,
            schema: dataSource.schema,
            for: principal,
            store: store
        )
        let rendering = PageRendering(
            schema: dataSource.schema,
            databaseID: dataSource.databaseID,
            users: users,
            version: context.version,
            only: query.filterProperties
        )
        let next = rows.count > query.pageSize ? Self.cursor(offset: offset + query.pageSize) : nil
        return JSONResponse.list(
            serializedResults: renderedPages.serialized(shown, rendering: rendering),
            nextCursor: next,
            type: context.version.usesDataSources ? "page_or_data_source" : "page_or_database",
            requestID: context.requestID
        )
    }

    static func cursor(offset: Int) -> String {
        let hex = String(offset, radix: 16)
        return cursorPrefix + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    static func offset(of cursor: String?) throws(APIError) -> Int {
        guard let cursor else { return 0 }
        guard let canonical = ResourceID.canonical(cursor), canonical.hasPrefix(cursorPrefix),
            let offset = Int(canonical.dropFirst(cursorPrefix.count), radix: 16)
        else {
            throw .validation(
                "body failed validation: body.start_cursor should be a valid cursor, instead was `\"\(cursor.prefix(64))\"`."
            )
        }
        return offset
    }
}

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
    let fileLinks: FileLinks

    func respond(
        _ dataSource: DataSourceRecord,
        body: JSONValue,
        request: Request,
        context: GatehouseRequestContext,
        principal: Principal
    ) async throws -> Response {
        let filterProperties = RequestInput.filterProperties(request)
        // A later page is read as of its first page's time: the pages created by then, and
        // relative dates (`past_week`, `today`) from then.
        // (A `start_cursor` that is not a string is refused with the rest of the body below.)
        let start = try Self.cursor(body["start_cursor"]?.stringValue)
        let now = start?.createdUpTo ?? clock.now().epochMilliseconds
        let parser = FilterParser(
            schema: dataSource.schema,
            now: now,
            currentUserId: principal.botID,
            version: context.version
        )
        let query = try ContentJSON.validated {
            try QueryRequest.parse(body: body, filterProperties: filterProperties, parser: parser)
        }
        let offset = start?.offset ?? 0
        let rows =
            query.onlyDataSources
            ? []
            : try await store.queryPages(
                dataSource: dataSource,
                plan: FilterPlan.compile(query.filter),
                sorts: query.sorts,
                scope: PageQueryScope(inTrash: query.inTrash, createdUpTo: start?.createdUpTo),
                offset: offset,
                limit: query.pageSize + 1
            )
        let shown = Array(rows.prefix(query.pageSize))
        let users = try await WorkspaceUsers.load(
            rendering: shown,
            schema: dataSource.schema,
            for: principal,
            store: store,
            files: fileLinks
        )
        let rendering = PageRendering(
            schema: dataSource.schema,
            databaseID: dataSource.databaseID,
            users: users,
            version: context.version,
            only: query.filterProperties
        )
        // The later pages read the pages created by the time the first one was asked for (a
        // cursor from before that time was kept goes on reading all).
        let createdUpTo = start == nil ? now : start?.createdUpTo
        let next =
            rows.count > query.pageSize
            ? QueryCursor(offset: offset + query.pageSize, createdUpTo: createdUpTo).encoded : nil
        return JSONResponse.list(
            serializedResults: renderedPages.serialized(shown, rendering: rendering),
            nextCursor: next,
            type: context.version.usesDataSources ? "page_or_data_source" : "page_or_database",
            requestID: context.requestID
        )
    }

    /// The cursor a query starts from, nil for its first page; a `validation_error` for a cursor
    /// no query gave.
    static func cursor(_ text: String?) throws(APIError) -> QueryCursor? {
        guard let text else { return nil }
        guard let cursor = QueryCursor(text) else {
            throw .validation(
                "body failed validation: body.start_cursor should be a valid cursor, instead was `\"\(text.prefix(64))\"`."
            )
        }
        return cursor
    }
}

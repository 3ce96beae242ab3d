import GatehouseCore
import Hummingbird

/// Requires a `Notion-Version` header the API accepts: 400 `missing_version` without one, 400
/// `validation_error` (naming the accepted values) for an unknown one.
///
/// Runs before authentication, so a request without a version learns nothing about its token.
struct NotionVersionMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let values = request.headers[values: .notionVersion]
        guard let header = values.first else { throw APIError.missingVersion }
        guard values.count == 1, let version = NotionVersion(header) else {
            throw APIError.unsupportedVersion(values.count == 1 ? header : values.joined(separator: ", "))
        }
        var context = context
        context.notionVersion = version
        return try await next(request, context)
    }
}

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
        let version: NotionVersion
        switch request.headers.single(.notionVersion) {
        case .absent:
            throw APIError.missingVersion
        case .one(let header):
            guard let known = NotionVersion(header) else { throw APIError.unsupportedVersion(header) }
            version = known
        case .repeated:
            throw APIError.unsupportedVersion(request.headers[values: .notionVersion].joined(separator: ", "))
        }
        var context = context
        context.notionVersion = version
        return try await next(request, context)
    }
}

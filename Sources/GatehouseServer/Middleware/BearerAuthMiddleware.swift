import GatehouseCore
import Hummingbird

/// Requires `Authorization: Bearer <token>` for a live token and puts its principal in the context.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext
    let authenticator: Authenticator

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let values = request.headers[values: .authorization]
        // Two Authorization headers are ambiguous: refuse rather than pick one.
        guard values.count == 1 else { throw APIError.unauthorized }
        var context = context
        context.principal = try await authenticator.authenticate(authorization: values[0])
        return try await next(request, context)
    }
}

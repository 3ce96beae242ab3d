import Hummingbird

/// The `/v1` API's admission steps in their order — `Notion-Version`, then the bearer token, then
/// the rate limit — as one middleware.
///
/// Composed here rather than added to the router one by one: the router reaches each middleware it
/// holds through an existential and a closure generic over the context, which copies the whole
/// request context at every step. Called directly, the three are specialized and inlined into one
/// chain. Each step keeps its own type, rules and tests. A class, so that the chain's closures
/// capture one reference rather than copies of the three steps.
final class APIMiddleware: RouterMiddleware, Sendable {
    typealias Context = GatehouseRequestContext
    let version: NotionVersionMiddleware
    let authentication: BearerAuthMiddleware
    let rateLimit: RateLimitMiddleware

    init(version: NotionVersionMiddleware, authentication: BearerAuthMiddleware, rateLimit: RateLimitMiddleware) {
        self.version = version
        self.authentication = authentication
        self.rateLimit = rateLimit
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await version.handle(request, context: context) { request, context in
            try await authentication.handle(request, context: context) { request, context in
                try await rateLimit.handle(request, context: context, next: next)
            }
        }
    }
}

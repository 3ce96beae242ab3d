import GatehouseCore
import Hummingbird

/// The `/v1` API's admission, in its order: `Notion-Version` (``VersionRequirement``), then the
/// bearer token (``BearerAuthentication``), then the rate limit (``RateLimitEnforcement``).
///
/// One middleware whose steps are plain calls rather than three nested middlewares: the router
/// reaches each middleware it holds through an existential and a closure generic over the
/// context, and each middleware layer costs an async call, a closure and a copy of the request
/// context. Each step keeps its own type, rules and tests; a request whose token is cached and
/// whose integration holds leased permits is admitted without suspending.
struct APIMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext
    let authentication: BearerAuthentication
    let rateLimit: RateLimitEnforcement

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.notionVersion = try VersionRequirement.version(of: request)
        let answer: Result<Principal, AuthenticationFailure>
        if let cached = authentication.cachedPrincipal(for: request) {
            answer = cached
        } else {
            answer = await authentication.principal(for: request)
        }
        let principal: Principal
        switch answer {
        case .success(let found):
            principal = found
        case .failure(let failure):
            return try await authentication.refusal(failure, of: request, context: context)
        }
        context.principal = principal
        let response = await rateLimit.respond(to: request, context: context, principal: principal, endpoint: next)
        authentication.recordUse(by: principal, status: response.status, of: request, context: context)
        return response
    }
}

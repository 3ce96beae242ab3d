import GatehouseCore
import Hummingbird

/// The `/v1` API's admission, in its order: `Notion-Version` (``VersionRequirement``), then the
/// bearer token (``BearerAuthentication``), then the rate limit (``RateLimitEnforcement``).
///
/// One middleware whose steps are plain calls rather than three nested middlewares: the router
/// reaches each middleware it holds through an existential and a closure generic over the
/// context, and each middleware layer costs an async call, a closure and a copy of the request
/// context. Each step keeps its own type, rules and tests; a request whose token is cached and
/// whose integration holds leased permits is admitted without suspending, and the endpoint is
/// called from here (a rate-limit step wrapping it was one more async frame per request).
struct APIMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext
    let authentication: BearerAuthentication
    let rateLimit: RateLimitEnforcement
    let usageLimit: UsageLimitEnforcement

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
        let decision: RateLimitEnforcement.Decision
        if let decided = rateLimit.decisionFromMemory(for: principal) {
            decision = decided
        } else {
            decision = await rateLimit.decision(for: principal)
        }
        var response: Response
        if let refusal = rateLimit.refusal(decision, requestID: context.requestID) {
            response = refusal
        } else {
            if principal.maxUses != nil,
                let refusal = await usageLimit.refusal(for: principal, requestID: context.requestID)
            {
                response = refusal
            } else {
                do {
                    response = try await next(request, context)
                } catch {
                    response = rateLimit.errorResponse(for: error, requestID: context.requestID)
                }
            }
            rateLimit.stamp(decision, on: &response.headers)
        }
        authentication.recordUse(by: principal, status: response.status, of: request, context: context)
        return response
    }
}

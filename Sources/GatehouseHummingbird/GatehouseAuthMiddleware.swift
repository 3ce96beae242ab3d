import Foundation
public import GatehouseClient
public import Hummingbird

/// A request context that can carry what Gatehouse said about the request's token.
public protocol GatehouseVerifiedContext: RequestContext {
    /// Set by ``GatehouseAuthMiddleware`` before the route runs.
    var gatehouse: Verification? { get set }
}

/// Protects a Hummingbird application's routes with Gatehouse: the request's bearer token is
/// verified through `POST /verify` (``TokenVerifier``, with its one-second cache), the route's
/// scopes are required, the token's plan limits apply, and the route sees the verified identity
/// in `context.gatehouse`. A refused request gets the status and error object the Gatehouse API
/// would have answered (401, 403, 429 with `Retry-After`); an unreachable Gatehouse, 503.
///
/// ```swift
/// router.group("orders").add(middleware: GatehouseAuthMiddleware(verifier: verifier, requiring: ["orders:read"]))
/// ```
public struct GatehouseAuthMiddleware<Context: GatehouseVerifiedContext>: RouterMiddleware {
    public let verifier: TokenVerifier
    public let scopes: [String]

    public init(verifier: TokenVerifier, requiring scopes: [String] = []) {
        self.verifier = verifier
        self.scopes = scopes
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else {
            return Self.refusal(status: 401, code: "unauthorized", message: "API token is invalid.")
        }
        let verification: Verification
        do {
            verification = try await verifier.verify(token: String(header.dropFirst(7)), scopes: scopes)
        } catch {
            return Self.refusal(
                status: 503,
                code: "service_unavailable",
                message: "The token cannot be checked right now. Try again later."
            )
        }
        guard verification.valid else {
            var response = Self.refusal(
                status: verification.status ?? 401,
                code: verification.code ?? "unauthorized",
                message: verification.message ?? "API token is invalid."
            )
            if let retryAfter = verification.rateLimit?.retryAfterSeconds {
                response.headers[.retryAfter] = String(retryAfter)
            }
            return response
        }
        var context = context
        context.gatehouse = verification
        return try await next(request, context)
    }

    static func refusal(status: Int, code: String, message: String) -> Response {
        let object: [String: Any] = ["object": "error", "status": status, "code": code, "message": message]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import MCP

/// The Model Context Protocol endpoint, `/mcp`, and the OAuth protected resource metadata
/// (RFC 9728) that lets an MCP client find how to get a token: one URL for an agent.
///
/// Streamable HTTP, stateless: every `POST` carries one JSON-RPC message and is answered with
/// JSON, with no session, so any node of a cluster answers any request and a revoked token is
/// refused on the next message. `GET` (a server-to-client stream) and `DELETE` (ending a session)
/// are answered 405, as the transport allows for a server with nothing to push.
///
/// Every message needs a bearer token, checked exactly as `/v1` checks it (cache, revocation,
/// failure throttling). Tools run as calls of the `/v1` API with the same token (``MCPTools``),
/// so capabilities, sharing, rate limits, usage and audit apply to each, as to any request.
struct MCPController {
    let authentication: BearerAuthentication
    let rateLimit: RateLimitEnforcement
    let usageLimit: UsageLimitEnforcement
    let api: LoopbackAPI
    let issuer: OAuthIssuer
    static let path = "mcp"
    static let metadataPath = ".well-known/oauth-protected-resource"

    func addRoutes(to router: Router<GatehouseRequestContext>) {
        router.post(RouterPath(Self.path), use: handle)
        router.get(RouterPath(Self.path), use: handle)
        router.delete(RouterPath(Self.path), use: handle)
        router.get(RouterPath(Self.metadataPath + "/" + Self.path), use: metadata)
        router.get(RouterPath(Self.metadataPath), use: metadata)
    }

    /// RFC 9728 protected resource metadata: at `…/mcp`, that of `/mcp`, the resource identifier
    /// MCP clients send as `resource` (RFC 8707); at the root, that of the whole deployment (§3.3:
    /// the identifier is the one the document's address was formed from). Both name where to get
    /// a token.
    @Sendable func metadata(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let base = issuer.value
        let atRoot = request.uri.path.hasSuffix(Self.metadataPath)
        let body: JSONValue = [
            "resource": .string(atRoot ? base : base + "/" + Self.path),
            "authorization_servers": [.string(base)],
            "bearer_methods_supported": ["header"],
            // Notion's capabilities only: clients ask for exactly these (the MCP Python SDK does),
            // and a self-registered client holds none of the deployment's own scopes.
            "scopes_supported": .array(Capabilities.allNames.map(JSONValue.string)),
            "resource_name": "Gatehouse",
            "resource_documentation": .string(base + "/v1/openapi.json"),
        ]
        // A metadata document: no `request_id` member, so every fetch of it is the same.
        return JSONResponse.raw(body.serializedBytes())
    }

    /// Admits a message as `/v1` admits a request: the bearer token, then the integration's rate
    /// limit and uses (every message is a request of the integration, and so is each API call its
    /// tools make), then the message itself.
    @Sendable func handle(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        var answer = authentication.cachedPrincipal(for: request)
        if answer == nil { answer = await authentication.principal(for: request) }
        let principal: Principal
        switch answer {
        case .success(let found)?:
            principal = found
        case .failure(let failure)?:
            var response = try await authentication.refusal(failure, of: request, context: context)
            if response.status == .unauthorized {
                response.headers[.wwwAuthenticate] = challenge(bearerSent: Self.sentBearer(request.headers))
            }
            return response
        case nil:
            throw APIError.internalError
        }
        var context = context
        context.principal = principal
        var decision = rateLimit.decisionFromMemory(for: principal)
        if decision == nil { decision = await rateLimit.decision(for: principal) }
        guard let decision else { throw APIError.internalError }
        var response: Response
        if let refusal = rateLimit.refusal(decision, requestID: context.requestID) {
            response = refusal
        } else if principal.maxUses != nil,
            let refusal = await usageLimit.refusal(for: principal, requestID: context.requestID)
        {
            response = refusal
        } else {
            do {
                response = try await exchange(request, context: context)
            } catch {
                response = rateLimit.errorResponse(for: error, requestID: context.requestID)
            }
        }
        rateLimit.stamp(decision, on: &response.headers)
        authentication.recordUse(by: principal, status: response.status, of: request, context: context)
        return response
    }

    /// One JSON-RPC message through a new SDK `Server` on a stateless transport, which lives for
    /// this message alone. A message the SDK could misread (``JSONRPCShape``) never reaches it,
    /// and ``deadline`` bounds the rest.
    private func exchange(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: APIRoutes.maxBodyBytes)
        var bytes = Data(body.readableBytesView)
        if request.method == .post {
            switch JSONRPCShape.canonical(body) {
            case .success(let canonical): bytes = canonical
            case .failure(let problem):
                return Self.response(.error(statusCode: 400, problem), requestID: context.requestID)
            }
        }
        let message = MCP.HTTPRequest(
            method: request.method.rawValue,
            headers: Self.headers(of: request.headers),
            body: bytes,
            path: request.uri.path
        )
        let tools = MCPTools(api: api, authorization: request.headers[.authorization] ?? "", context: context)
        let server = Server(
            name: "gatehouse",
            version: "1",
            title: "Gatehouse",
            instructions:
                "The workspace content this integration was given: search it, fetch pages, query data sources, write pages, blocks and comments. Arguments and answers are the Notion API's JSON (version \(LoopbackAPI.version)).",
            capabilities: .init(tools: .init(listChanged: false))
        )
        _ = await server.withMethodHandler(ListTools.self) { _ in .init(tools: MCPTools.catalogue.map(\.tool)) }
        _ = await server.withMethodHandler(CallTool.self) { parameters in await tools.call(parameters) }
        let transport = StatelessHTTPServerTransport(
            validationPipeline: StandardValidationPipeline(validators: [
                SameOriginValidator(issuer: issuer.value),
                AcceptHeaderValidator(mode: .jsonOnly),
                ContentTypeValidator(),
                ProtocolVersionValidator(),
            ])
        )
        try await server.start(transport: transport)
        // Stopping the server ends the transport, which answers a message still waiting.
        let watchdog = Task {
            try await Task.sleep(for: Self.deadline)
            await server.stop()
        }
        let reply = await transport.handleRequest(message)
        watchdog.cancel()
        await server.stop()
        return Self.response(reply, requestID: context.requestID)
    }

    /// The longest a message may take: a tool's API calls are each bounded by the store's and the
    /// router's own limits, so this is a backstop, not a budget.
    static let deadline = Duration.seconds(60)

    /// RFC 6750 §3 and RFC 9728 §5.1: where the client learns how to get a token for `/mcp`;
    /// `invalid_token` only when a bearer token was sent (§3.1: none without credentials).
    func challenge(bearerSent: Bool) -> String {
        var value = "Bearer resource_metadata=\"\(issuer.value)/\(Self.metadataPath)/\(Self.path)\""
        if bearerSent { value += ", error=\"invalid_token\"" }
        return value
    }

    static func sentBearer(_ headers: HTTPFields) -> Bool {
        headers[values: .authorization].contains { Authenticator.bearerToken(in: $0) != nil }
    }

    static func headers(of fields: HTTPFields) -> [String: String] {
        var headers: [String: String] = [:]
        for field in fields {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        return headers
    }

    static func response(_ reply: MCP.HTTPResponse, requestID: String) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let body = reply.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
        return Response(status: .init(code: reply.statusCode), headers: fields, body: body)
    }
}

/// DNS-rebinding protection the MCP transport asks for: a request that names an `Origin` (a
/// browser's) must come from the server's own public origin. Clients that are not browsers send
/// none.
struct SameOriginValidator: HTTPRequestValidator {
    let issuer: String

    func validate(_ request: MCP.HTTPRequest, context: HTTPValidationContext) -> MCP.HTTPResponse? {
        guard let origin = request.header("Origin") else { return nil }
        let expected = ResourceIndicator.origin(of: issuer)
        guard expected != nil, ResourceIndicator.origin(of: origin) == expected else {
            return .error(statusCode: 403, .invalidRequest("Forbidden: Origin not allowed"))
        }
        return nil
    }
}

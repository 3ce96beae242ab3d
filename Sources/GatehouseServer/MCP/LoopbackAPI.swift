import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Calls the `/v1` API from inside the server, through the same router, middleware and
/// controllers as a client's request: the MCP tools act exactly as the REST API would for the
/// same token. Each call is authenticated, rate-limited, counted, logged and checked for
/// capabilities and sharing on its own, as a request of the token's integration.
struct LoopbackAPI: Sendable {
    /// The API version the calls are made in: data sources, as the current clients use.
    static let version = "2025-09-03"
    let responder: RouterResponder<GatehouseRequestContext>

    /// One call's answer: its status and JSON body.
    struct Answer: Sendable {
        var status: Int
        var body: Data
        var succeeded: Bool { (200..<300).contains(status) }
    }

    /// Sends `method path` with `body` (JSON) as the holder of `authorization`; `context` is the
    /// calling request's (its client address is the sub-request's).
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        body: Data? = nil,
        authorization: String,
        context: GatehouseRequestContext
    ) async -> Answer {
        var fields: HTTPFields = [
            .authorization: authorization,
            .notionVersion: Self.version,
            .userAgent: "gatehouse-mcp",
        ]
        if body != nil { fields[.contentType] = "application/json" }
        let head = HTTPRequest(method: method, scheme: "http", authority: "gatehouse", path: path, headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body ?? Data())))
        var context = context
        // Its own route box: the router records each request's route in it, and the caller's
        // request is recorded under `/mcp`.
        context.coreContext.endpointPath = EndpointPath()
        context.requestID = UUIDv4.string()
        context.principal = nil
        context.notionVersion = nil
        do {
            let response = try await responder.respond(to: request, context: context)
            let collector = BodyCollector()
            try await response.body.write(collector)
            return Answer(status: Int(response.status.code), body: Data(collector.buffer.readableBytesView))
        } catch {
            // The router's outermost middleware answers every error itself; this is a writer
            // that failed, which a buffer in memory does not.
            return Answer(status: 500, body: JSONResponse.errorBody(.internalError, requestID: context.requestID).data)
        }
    }
}

/// Gathers a response body in memory. A class: `ResponseBody.write` consumes its writer.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension [UInt8] {
    fileprivate var data: Data { Data(self) }
}

import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// A response made ahead of writing: its status, fields and body. The router's handlers return
/// its ``response``; ``InlineAnswerHandler`` writes it straight to the connection.
struct PreparedAnswer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8] = []

    /// The same answer as Hummingbird's response.
    var response: Response {
        Response(
            status: status,
            headers: headers,
            body: body.isEmpty ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

/// A request as ``InlineAnswerHandler`` hands it to an ``InlineResponder``: read whole, with the
/// id it will be answered under and the client's address (after trusted proxies).
struct InlineRequest {
    var head: HTTPRequest
    /// The body, `nil` when there is none.
    var body: ByteBuffer?
    var requestID: String
    var clientAddress: SocketAddress?
}

/// A route whose requests can often be answered from memory alone, on the connection's event
/// loop, without the router: `/forward-auth` and `POST /verify` with a cached token.
///
/// An answer given here must be the one the route's router handler would give, byte for byte but
/// for `Date` and the request id: whatever memory alone cannot decide (a token not cached, a
/// refusal to audit, a limit that must ask the store, any invalid input) returns `nil`, and the
/// request goes to the router as if this path did not exist.
protocol InlineResponder: Sendable {
    /// The most body bytes this responder reads for a request with `head`, or `nil` when it never
    /// answers such a request (another route, another method).
    func bodyLimit(for head: HTTPRequest) -> Int?

    /// The answer to `request` from memory, or `nil` to leave it to the router. Runs on the event
    /// loop: it must not block.
    func answer(_ request: InlineRequest) -> (answer: PreparedAnswer, route: String)?
}

/// Sits in each HTTP/1.1 connection's pipeline just before the router's channel and answers the
/// requests an ``InlineResponder`` can answer from memory, on the connection's event loop; every
/// other request passes on to the router unchanged.
///
/// Hummingbird runs each request through a task, its async body stream and the middleware chain,
/// about 50 µs of CPU on the benchmark machine even for `/healthz`; a reverse proxy asks
/// `/forward-auth` before every request it forwards, so that cost is paid on every request of the
/// service behind it. Answered here, the request costs the HTTP codec and the check itself
/// (`docs/performance.md`).
///
/// Order is kept: a request is answered here only while the router owes no response on this
/// connection (pipelined requests queue behind the router's). Nor is one answered here once the
/// connection is closing, or while it cannot take more output: those go to the router, which waits
/// for the client to read (a client that pipelines without reading cannot pile answers up in
/// memory). It is placed after Hummingbird's connection-state handler, so idle time-outs and
/// graceful shutdown see these requests too.
///
/// Its log line is written on the event loop, as the router's are on the task that runs the
/// request: a log destination that blocks holds up the connections of that loop.
final class InlineAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let responders: [any InlineResponder]
    private let requests: RequestMiddleware
    private let serverName: String
    private let date: HTTPDate

    /// A request being read to be answered here.
    private struct HeldRequest {
        var head: HTTPRequest
        var body: ByteBuffer?
        let responder: any InlineResponder
        /// The most body bytes the responder reads.
        let limit: Int
        let start: ContinuousClock.Instant
    }

    private var held: HeldRequest?
    /// Requests passed to the router whose response has not been written to its end.
    private var owedByRouter = 0
    /// Set once a request asked to close the connection, or its output was shut: every request
    /// after is the router's (which drops them).
    private var closing = false
    /// The `Date` value of the current second, and that second.
    private var dateField: (second: Int, value: String) = (0, "")

    init(responders: [any InlineResponder], requests: RequestMiddleware, serverName: String, date: HTTPDate) {
        self.responders = responders
        self.requests = requests
        self.serverName = serverName
        self.date = date
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if owedByRouter == 0, !closing, let (responder, limit) = responder(for: head) {
                held = HeldRequest(head: head, responder: responder, limit: limit, start: ContinuousClock.now)
                return
            }
            if !Self.keepsAlive(head) { closing = true }
            owedByRouter += 1
            context.fireChannelRead(data)
        case .body(var chunk):
            guard var request = held else { return context.fireChannelRead(data) }
            if (request.body?.readableBytes ?? 0) + chunk.readableBytes > request.limit {
                passOn(context: context)
                context.fireChannelRead(data)
                return
            }
            held = nil  // no second reference to the buffer while it grows
            if request.body == nil {
                request.body = chunk
            } else {
                request.body!.writeBuffer(&chunk)
            }
            held = request
        case .end:
            guard let request = held else { return context.fireChannelRead(data) }
            let channel = context.channel
            let requestID = UUIDv4.string()
            guard !closing, channel.isActive, channel.isWritable,
                let (answer, route) = request.responder.answer(
                    InlineRequest(
                        head: request.head,
                        body: request.body,
                        requestID: requestID,
                        clientAddress: requests.clientAddress(
                            peer: channel.remoteAddress,
                            headers: request.head.headerFields
                        )
                    )
                )
            else {
                passOn(context: context)
                context.fireChannelRead(data)
                return
            }
            held = nil
            write(answer, requestID: requestID, context: context)
            requests.metrics.recordAnsweredFromMemory(route: route)
            requests.recordFinished(
                route: route,
                method: request.head.method,
                path: request.head.path.map { String($0.prefix { $0 != "?" && $0 != "#" }) } ?? "/",
                status: answer.status,
                requestID: requestID,
                elapsed: ContinuousClock.now - request.start
            )
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), owedByRouter > 0 { owedByRouter -= 1 }
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode != .input { closing = true }
        context.close(mode: mode, promise: promise)
    }

    /// Whether `head` keeps the connection open: no `Connection` field, or `keep-alive` (as many
    /// clients send it); `close`, or any other option, is the router's to handle.
    private static func keepsAlive(_ head: HTTPRequest) -> Bool {
        guard let connection = head.headerFields[.connection] else { return true }
        return connection.utf8.count == 10 && ASCIICase.hasPrefix(connection, "keep-alive")
    }

    /// The responder that may answer a request with `head`, and the body bytes it reads.
    private func responder(for head: HTTPRequest) -> (any InlineResponder, Int)? {
        // A request that asks to close the connection, or to be told to go on, is the router's.
        if !Self.keepsAlive(head) || head.headerFields[.expect] != nil { return nil }
        for responder in responders {
            if let limit = responder.bodyLimit(for: head) { return (responder, limit) }
        }
        return nil
    }

    /// Gives the held request to the router: its head and the body read so far.
    private func passOn(context: ChannelHandlerContext) {
        guard let request = held else { return }
        held = nil
        owedByRouter += 1
        context.fireChannelRead(wrapInboundOut(.head(request.head)))
        if let body = request.body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    /// Writes `answer` with the fields every response of the server carries.
    private func write(_ answer: PreparedAnswer, requestID: String, context: ChannelHandlerContext) {
        var headers = answer.headers
        headers.append(HTTPField(name: .contentLength, value: String(answer.body.count)))
        headers.append(HTTPField(name: .notionRequestID, value: requestID))
        let second = Int(Date().timeIntervalSince1970)
        if second != dateField.second { dateField = (second, date.value(atSecond: second)) }
        headers.append(HTTPField(name: .date, value: dateField.value))
        headers.append(HTTPField(name: .server, value: serverName))
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
        if !answer.body.isEmpty {
            context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: answer.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

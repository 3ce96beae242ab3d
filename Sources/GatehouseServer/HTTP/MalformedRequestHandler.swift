import GatehouseCore
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that the HTTP parser rejects — a broken request line, a header over the
/// size limit, control characters or NUL in a header — with the API's error object (400
/// `invalid_request`) instead of an empty 400, then closes the connection, as the parser's state
/// cannot be trusted after such an error.
///
/// It sits in each connection's pipeline after the HTTP codec; errors that are not parse errors
/// pass on untouched.
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let requestID = UUIDv4.string()
        let body = Self.body(requestID: requestID)
        var headers = HTTPFields()
        headers[.notionRequestID] = requestID
        headers[.contentType] = JSONResponse.contentType
        headers[.contentLength] = String(body.count)
        headers[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .badRequest, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    static func body(requestID: String) -> [UInt8] {
        JSONValue.object([
            ("object", "error"), ("status", 400), ("code", "invalid_request"),
            ("message", "The request is not valid HTTP: a malformed request line or header, or headers over 80 KiB."),
            ("request_id", .string(requestID)),
        ]).serializedBytes()
    }
}

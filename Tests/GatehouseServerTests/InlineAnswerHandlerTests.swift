import GatehouseCore
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import GatehouseServer

/// ``InlineAnswerHandler`` in a channel of its own: what it answers, what it passes on to the
/// router, and that it never answers out of turn.
@Suite struct InlineAnswerHandlerTests {
    /// Answers `GET /answer` (a body of up to 8 bytes) with 200 and the body it read; declines
    /// `GET /answer?decline`.
    struct Responder: InlineResponder {
        func bodyLimit(for head: HTTPRequest) -> Int? {
            head.path?.hasPrefix("/answer") == true ? 8 : nil
        }

        func answer(_ request: InlineRequest) -> (answer: PreparedAnswer, route: String)? {
            guard request.head.path == "/answer" else { return nil }
            var fields = HTTPFields()
            fields.append(
                HTTPField(name: HTTPField.Name("X-Read")!, value: request.body.map { String(buffer: $0) } ?? "")
            )
            return (PreparedAnswer(status: .ok, headers: fields, body: Array("answered".utf8)), "/answer")
        }
    }

    let metrics = ServerMetrics()

    func channel() throws -> EmbeddedChannel {
        let requests = RequestMiddleware(
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            metrics: metrics
        )
        let handler = InlineAnswerHandler(
            responders: [Responder()],
            requests: requests,
            serverName: "Gatehouse",
            date: HTTPDate()
        )
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        return channel
    }

    static func head(_ path: String, _ fields: HTTPFields = [:]) -> HTTPRequestPart {
        .head(HTTPRequest(method: .get, scheme: nil, authority: nil, path: path, headerFields: fields))
    }

    /// The parts the router received.
    static func passedOn(_ channel: EmbeddedChannel) throws -> [String] {
        var parts: [String] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let head): parts.append("head \(head.path ?? "")")
            case .body(let body): parts.append("body \(String(buffer: body))")
            case .end: parts.append("end")
            }
        }
        return parts
    }

    /// The response written to the connection: its head and body.
    static func written(_ channel: EmbeddedChannel) throws -> (HTTPResponse, String)? {
        guard case .head(let head)? = try channel.readOutbound(as: HTTPResponsePart.self) else { return nil }
        var body = ""
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            if case .body(let buffer) = part { body += String(buffer: buffer) }
            if case .end = part { break }
        }
        return (head, body)
    }

    @Test func aRequestTheResponderAnswersNeverReachesTheRouter() throws {
        let channel = try channel()
        try channel.writeInbound(Self.head("/answer"))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "1234")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel).isEmpty)
        let (head, body) = try #require(try Self.written(channel))
        #expect(head.status == .ok)
        #expect(body == "answered")
        #expect(head.headerFields[HTTPField.Name("X-Read")!] == "1234")
        #expect(head.headerFields[.contentLength] == "8")
        #expect(head.headerFields[.server] == "Gatehouse")
        #expect(head.headerFields[.date]?.hasSuffix(" GMT") == true)
        let requestID = try #require(head.headerFields[.notionRequestID])
        #expect(ResourceID.canonical(requestID) == requestID)
        let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(exposition.contains(#"gatehouse_answered_from_memory_total{route="/answer"} 1"#))
        #expect(exposition.contains(#"gatehouse_http_requests_total{route="/answer",method="GET",status="200"} 1"#))
    }

    @Test func whatTheResponderDeclinesOrCannotReadReachesTheRouterWhole() throws {
        let channel = try channel()
        // Declined once read.
        try channel.writeInbound(Self.head("/answer?decline"))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "abc")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel) == ["head /answer?decline", "body abc", "end"])
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try Self.written(channel)

        // A body over the responder's limit: what was held, then the rest, in order.
        try channel.writeInbound(Self.head("/answer"))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "12345")))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "6789")))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "0")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel) == ["head /answer", "body 12345", "body 6789", "body 0", "end"])
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try Self.written(channel)

        // Another route, and a request that asks to close the connection.
        try channel.writeInbound(Self.head("/other"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel) == ["head /other", "end"])
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try Self.written(channel)
        try channel.writeInbound(Self.head("/answer", [.expect: "100-continue"]))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel) == ["head /answer", "end"])
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try Self.written(channel)
        // Keep-alive, as many clients say it, is no reason to pass on.
        try channel.writeInbound(Self.head("/answer", [.connection: "Keep-Alive"]))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel).isEmpty)
        #expect(try Self.written(channel)?.1 == "answered")
        // A connection that cannot take more output: the router's, which waits for the client.
        channel.isWritable = false
        try channel.writeInbound(Self.head("/answer"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel) == ["head /answer", "end"])
        channel.isWritable = true
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try Self.written(channel)
        // After a request that closes the connection, nothing more is answered here.
        try channel.writeInbound(Self.head("/answer", [.connection: "close"]))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(Self.head("/answer"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel) == ["head /answer", "end", "head /answer", "end"])
        #expect(try Self.written(channel) == nil)
    }

    @Test func pipelinedRequestsAreAnsweredInTurn() throws {
        let channel = try channel()
        // The router owes an answer to the first request: the second, answerable, queues behind it.
        try channel.writeInbound(Self.head("/other"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(Self.head("/answer"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel) == ["head /other", "end", "head /answer", "end"])
        #expect(try Self.written(channel) == nil)
        for _ in 0..<2 {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
        #expect(try Self.written(channel)?.0.status == .accepted)
        #expect(try Self.written(channel)?.0.status == .accepted)
        // Once the router owes nothing, answerable requests are answered here again.
        try channel.writeInbound(Self.head("/answer"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passedOn(channel).isEmpty)
        #expect(try Self.written(channel)?.1 == "answered")
    }
}

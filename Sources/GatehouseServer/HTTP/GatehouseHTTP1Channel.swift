import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 connection with an ``InlineAnswerHandler`` placed between its
/// connection-state handler and the router, so that the requests answered there still count for
/// idle time-outs and graceful shutdown.
struct GatehouseHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    /// Makes each connection's handler.
    let inlineAnswers: @Sendable () -> InlineAnswerHandler

    /// The server builder for ``Application``.
    static func builder(
        configuration: HTTP1Channel.Configuration,
        inlineAnswers: @escaping @Sendable () -> InlineAnswerHandler
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GatehouseHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: configuration),
                inlineAnswers: inlineAnswers
            )
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(inlineAnswers(), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

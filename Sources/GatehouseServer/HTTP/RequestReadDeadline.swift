import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body does not arrive in full within `timeout` of its head,
/// so a client that trickles a body (slowloris on the body) cannot hold a connection and its
/// buffers for as long as it likes.
///
/// A head that never completes is not this handler's business: until a whole head is read, the
/// connection counts as idle, and Hummingbird's idle timeout closes it (a head sent byte by byte
/// updates nothing that timer watches). The two together bound the time a request may take to
/// arrive. It sits in each connection's pipeline after the HTTP codec.
final class RequestReadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    /// A head was read and its end was not (yet).
    private var awaitingEnd = false
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            awaitingEnd = true
        case .body:
            break
        case .end:
            awaitingEnd = false
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    /// The timer starts only when a read ends with a request still incomplete: a request without
    /// a body (head and end in one read, the hot path) never schedules one.
    func channelReadComplete(context: ChannelHandlerContext) {
        if awaitingEnd, deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                context.close(promise: nil)
            }
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}

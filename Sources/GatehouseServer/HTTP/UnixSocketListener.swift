import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// A second listener, on a Unix socket, serving the same router and the same answers from memory
/// as the TCP one (`serve --unix-socket`): a proxy on the same machine then asks for forward
/// authentication without a TCP exchange.
///
/// The socket file is made owner- and group-writable (0660) once bound, so only the processes the
/// operator admits can connect; its peers count as trusted proxies (see
/// ``RequestMiddleware/clientAddress(peer:headers:)``). An existing socket file at the path is
/// replaced, anything else there is refused, and the file is removed when the server stops.
struct UnixSocketListener: Service {
    let path: String
    private let application: any Service
    private let listening: AsyncStream<Void>
    private let listened: AsyncStream<Void>.Continuation

    init(
        path: String,
        router: Router<GatehouseRequestContext>,
        server: HTTPServerBuilder,
        maxConnections: Int,
        logger: Logger
    ) {
        self.path = path
        let (listening, listened) = AsyncStream.makeStream(of: Void.self)
        self.listening = listening
        self.listened = listened
        application = Application(
            router: router,
            server: server,
            configuration: .init(
                address: .unixDomainSocket(path: path),
                serverName: serverName,
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)
            ),
            onServerRunning: { _ in
                if chmod(path, 0o660) != 0 {
                    logger.error("cannot make the Unix socket owner- and group-only (chmod 0660): errno \(errno)")
                }
                listened.yield()
                listened.finish()
            },
            logger: logger
        )
    }

    func run() async throws {
        defer { listened.finish() }
        try await application.run()
    }

    /// Returns once the socket accepts connections; throws if the listener stopped before it did.
    func waitUntilListening() async throws {
        for await _ in listening { return }
        throw UnixSocketListenerError(path: path)
    }
}

/// The Unix socket listener stopped before it was listening (its own error says why).
struct UnixSocketListenerError: Error, CustomStringConvertible {
    let path: String
    var description: String { "the Unix socket listener at \(path) stopped before it was listening" }
}

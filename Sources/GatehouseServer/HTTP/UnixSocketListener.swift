import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// A second listener, on a Unix socket, serving the same router and the same answers from memory
/// as the TCP one (`serve --unix-socket`): a proxy on the same machine then asks for forward
/// authentication without a TCP exchange.
///
/// Its peers count as trusted proxies (see ``RequestMiddleware/clientAddress(peer:headers:)``), so
/// who can connect matters: the socket is created without any permission for others (the process's
/// umask gains `007` first) and made owner- and group-writable (0660) once bound; if that fails,
/// the server does not start. A stale socket at the path is replaced (``checkPath(_:)`` refuses a
/// live one), and the file is removed when the server stops.
public struct UnixSocketListener: Service {
    let path: String
    private let application: any Service
    /// One element once bound: `nil` when the socket is ready, or why it is not.
    private let listening: AsyncStream<String?>
    private let listened: AsyncStream<String?>.Continuation

    init(
        path: String,
        router: Router<GatehouseRequestContext>,
        server: HTTPServerBuilder,
        maxConnections: Int,
        logger: Logger
    ) {
        self.path = path
        let (listening, listened) = AsyncStream.makeStream(of: String?.self)
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
                listened.yield(Self.restrictMode(of: path))
                listened.finish()
            },
            logger: logger
        )
    }

    public func run() async throws {
        defer { listened.finish() }
        // Others get no permission on files this process creates from now on, the socket included,
        // so none can connect in the moment between its bind and its chmod.
        umask(umask(0o077) | 0o007)
        try await application.run()
    }

    /// Returns once the socket accepts connections with mode 0660; throws if it cannot be made so,
    /// or if the listener stopped first.
    func waitUntilListening() async throws {
        for await failure in listening {
            if let failure { throw UnixSocketListenerError(path: path, reason: failure) }
            return
        }
        throw UnixSocketListenerError(path: path, reason: "the listener stopped before it was listening")
    }

    /// Makes the socket just bound at `path` mode 0660; why it could not, or `nil`.
    private static func restrictMode(of path: String) -> String? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else {
            return "the path no longer holds the socket just bound there"
        }
        guard chmod(path, 0o660) == 0 else { return "cannot set its mode to 0660 (errno \(errno))" }
        return nil
    }

    /// Checks, before anything is bound, that a Unix socket can be made at `path`: at most 103
    /// bytes (NIO's limit for `sun_path`), a file name in an existing directory, and either free or
    /// a stale socket that nothing answers on (binding replaces it). A socket that answers belongs
    /// to a running server, which replacing it would cut off from its proxy.
    public static func checkPath(_ path: String) throws(UnixSocketListenerError) {
        func refuse(_ reason: String) -> UnixSocketListenerError { UnixSocketListenerError(path: path, reason: reason) }
        guard !path.isEmpty, !path.hasSuffix("/"), let address = try? SocketAddress(unixDomainSocketPath: path) else {
            throw refuse("a socket needs a file name of at most 103 bytes (this is \(path.utf8.count))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw refuse("its directory \(directory) does not exist")
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }  // nothing there
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw refuse("it exists and is not a socket: refusing to replace it")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return }
        defer { close(probe) }
        let answered = address.withSockAddr { connect(probe, $0, socklen_t($1)) } == 0
        if answered {
            throw refuse("another process is listening on it (a second serve must use a socket of its own)")
        }
    }
}

/// A Unix socket path that cannot be served, or a socket that could not be made ready.
public struct UnixSocketListenerError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "the Unix socket \(path): \(reason)" }
}

import Foundation
import GatehouseServer
import GatehouseStore
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Slow and many clients (review M6), over real loopback sockets: half-sent requests are closed
/// by the idle timeout while `/healthz` keeps answering, a trickled body is closed by the read
/// timeout, and connections over the cap wait until the server is below it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ConnectionLimitsTests {
    static let halfSent = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    @Test func aThousandHalfSentRequestsAreClosedWithinTheIdleTimeoutWhileHealthzAnswers() async throws {
        let count = 1000
        try Self.allowDescriptors(2 * count + 256)
        let world = try await TestWorld.make()
        let idle: Duration = .seconds(5)
        try await Self.serving(world, idle: idle) { port in
            let opened = ContinuousClock.now
            var slow: [any Channel] = []
            for _ in 0..<count {
                let channel = try await Self.connect(port: port)
                channel.writeAndFlush(ByteBuffer(string: Self.halfSent), promise: nil)
                slow.append(channel)
            }
            let allOpen = ContinuousClock.now
            // While they are open, /healthz answers as usual on a new connection.
            let started = ContinuousClock.now
            let answer = try await Self.exchange(port: port, Self.healthz, within: .seconds(5))
            let healthzTime = ContinuousClock.now - started
            let stillOpen = slow.filter(\.isActive).count
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(healthzTime < .seconds(2), "healthz took \(healthzTime)")
            #expect(stillOpen > count / 2, "only \(stillOpen) were still open when healthz was asked")
            // Every one is closed by the server within the idle timeout (plus scheduling slack).
            let deadline = allOpen + idle + .seconds(5)
            while slow.contains(where: \.isActive), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let remaining = slow.filter(\.isActive).count
            #expect(remaining == 0, "\(remaining) half-sent requests still open \(ContinuousClock.now - opened) later")
            for channel in slow where channel.isActive { try? await channel.close() }
        }
    }

    @Test func aBodyTrickledSlowerThanTheReadTimeoutIsClosed() async throws {
        let world = try await TestWorld.make()
        try await Self.serving(world, read: .seconds(1)) { port in
            let channel = try await Self.connect(port: port)
            let head =
                "POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail="
            try await channel.writeAndFlush(ByteBuffer(string: head))
            let start = ContinuousClock.now
            // One byte every 200 ms keeps the idle timer happy, never the read deadline.
            while channel.isActive, ContinuousClock.now - start < .seconds(8) {
                try? await channel.writeAndFlush(ByteBuffer(string: "a"))
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(!channel.isActive, "a trickled body was still being read after 8 s")
            #expect(ContinuousClock.now - start >= .milliseconds(900))
        }
    }

    @Test func connectionsOverTheCapWaitUntilTheServerIsBelowIt() async throws {
        let world = try await TestWorld.make()
        let cap = 20
        try await Self.serving(world, cap: cap) { port in
            var slow: [any Channel] = []
            for _ in 0..<cap {
                // One whole request answered (so the server has taken the connection), then half of the next.
                let (channel, received) = try await Self.connectCollecting(port: port)
                let keepAlive = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                try await channel.writeAndFlush(ByteBuffer(string: keepAlive + Self.halfSent))
                let start = ContinuousClock.now
                while !received.withLockedValue({ $0.hasPrefix("HTTP/1.1 200") }),
                    ContinuousClock.now - start < .seconds(10)
                {
                    try await Task.sleep(for: .milliseconds(10))
                }
                try #require(received.withLockedValue { $0.hasPrefix("HTTP/1.1 200") })
                slow.append(channel)
            }
            // One over the cap: the kernel completes the handshake, the server does not take it.
            let (extra, reply) = try await Self.connectCollecting(port: port)
            try await extra.writeAndFlush(ByteBuffer(string: Self.healthz))
            try await Task.sleep(for: .seconds(1))
            #expect(reply.withLockedValue { $0 }.isEmpty, "a connection over the cap was served")
            // Below the cap again: the waiting connection is taken and answered.
            for channel in slow.prefix(3) { try await channel.close() }
            let start = ContinuousClock.now
            while reply.withLockedValue({ $0 }).isEmpty, ContinuousClock.now - start < .seconds(5) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(reply.withLockedValue { $0 }.hasPrefix("HTTP/1.1 200"))
            for channel in slow.dropFirst(3) { try? await channel.close() }
            try? await extra.close()
        }
    }

    // MARK: Helpers

    /// Runs the world's server on a loopback port for `body`, then stops it and closes the store.
    /// (`HummingbirdTesting`'s live framework rebuilds the application configuration without its
    /// `availableConnectionsDelegate`, so the connection cap needs the application run as `serve` runs it.)
    static func serving(
        _ world: TestWorld,
        idle: Duration = .seconds(60),
        read: Duration = .seconds(30),
        cap: Int = 4096,
        _ body: (Int) async throws -> Void
    ) async throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, ratePlans: TestWorld.roomyPlans)
        configuration.bcryptCost = 4
        configuration.idleTimeout = idle
        configuration.readTimeout = read
        configuration.maxConnections = cap
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = try await buildApplication(
            configuration: configuration,
            store: world.store,
            authenticator: world.authenticator,
            logger: TestWorld.quietLogger,
            onServerRunning: { portSink.yield($0) }
        )
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var outcome: Result<Void, any Error> = .success(())
        var iterator = ports.makeAsyncIterator()
        if let port = await iterator.next() {
            do { try await body(port) } catch { outcome = .failure(error) }
        }
        server.cancel()
        _ = await server.result
        await world.store.shutdown()
        try outcome.get()
    }

    static func connect(port: Int) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port)
            .get()
    }

    /// A connection whose received bytes are collected as text.
    static func connectCollecting(port: Int) async throws -> (any Channel, NIOLockedValueBox<String>) {
        let received = NIOLockedValueBox("")
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return (channel, received)
    }

    /// Sends `request` on a new connection and returns what arrived within `within`.
    static func exchange(port: Int, _ request: String, within: Duration) async throws -> String {
        let (channel, received) = try await connectCollecting(port: port)
        try await channel.writeAndFlush(ByteBuffer(string: request))
        let start = ContinuousClock.now
        while channel.isActive, ContinuousClock.now - start < within {
            try await Task.sleep(for: .milliseconds(10))
        }
        try? await channel.close()
        return received.withLockedValue { $0 }
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<String>

        init(received: NIOLockedValueBox<String>) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0 += String(buffer: buffer) }
        }
    }

    /// Raises the soft limit on open files to `needed` (each test connection costs a descriptor
    /// on both ends, both in this process), or fails the test when the hard limit is lower.
    static func allowDescriptors(_ needed: Int) throws {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return }
        if limit.rlim_cur < rlim_t(needed), limit.rlim_max >= rlim_t(needed) {
            limit.rlim_cur = rlim_t(needed)
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        try #require(limit.rlim_cur >= rlim_t(needed), "ulimit -n is \(limit.rlim_cur); this test needs \(needed)")
    }
}

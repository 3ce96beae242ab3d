import AsyncHTTPClient
import Foundation
import GatehouseContent
import GatehouseCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Posts webhook requests to subscribers' URLs, connecting only to addresses the
/// ``OutboundAddressPolicy`` permits.
///
/// The host is resolved here, every address it has is checked, and the connection is pinned to
/// a permitted one (AsyncHTTPClient's `dnsOverride`, which keeps the name for TLS), so a name
/// cannot resolve to a public address for the check and a private one for the connection. No
/// redirect is followed, no proxy is used, the answer's body is not read, and the whole attempt
/// has one deadline.
struct WebhookSender: Sendable {
    /// What an attempt met.
    enum Outcome: Equatable, Sendable {
        /// Answered with this 2xx status.
        case delivered(Int)
        /// Failed in a way that a later attempt may not (a status, a timeout, a refused
        /// connection, a name that did not resolve).
        case failed(String)
        /// The URL's addresses are not allowed: no attempt is made.
        case refused(String)
        /// Not made, for a reason of this server's (it is stopping): the delivery is left as it
        /// was, its attempts not counted.
        case notAttempted(String)

        /// The metric's label: `delivered`, `failed` or `refused`.
        var label: String {
            switch self {
            case .delivered: "delivered"
            case .failed: "failed"
            case .refused: "refused"
            case .notAttempted: "not_attempted"
            }
        }

        var summary: String {
            switch self {
            case .delivered(let status): "HTTP \(status)"
            case .failed(let reason), .refused(let reason), .notAttempted(let reason): reason
            }
        }
    }

    let addresses: OutboundAddressPolicy
    /// The longest an attempt may take, resolving the name included; then it has failed, and
    /// the dispatcher goes on (what is left of it is cancelled).
    var timeout: Duration = .seconds(10)
    /// The clients whose connections are kept for the next attempt to the same place.
    let clients = PinnedClients()

    /// Names are resolved on threads of their own, one for each attempt a round can make at
    /// once, so a slow resolver holds neither the event loops nor the pool that hashes passwords,
    /// nor another receiver's attempt.
    private static let resolvers: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 20)
        pool.start()
        return pool
    }()

    /// Makes the attempt, within ``timeout``: past it, or when the calling task is cancelled, it
    /// answers at once and what is left of the attempt is cancelled.
    func post(_ body: [UInt8], headers: [(String, String)], to url: URL) async -> Outcome {
        let race = DeadlineRace()
        let deadline = timeout
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                race.start(continuation, deadline: deadline) {
                    await self.attempt(body, headers: headers, to: url)
                }
            }
        } onCancel: {
            race.finish(.notAttempted("the server is stopping"))
        }
    }

    private func attempt(_ body: [UInt8], headers: [(String, String)], to url: URL) async -> Outcome {
        guard let host = url.host, !host.isEmpty else { return .refused("the URL has no host") }
        let resolved: [IPAddress]
        do {
            resolved = try await Self.resolvers.runIfActive { try Self.resolve(host) }
        } catch {
            return .failed("could not resolve \(host)")
        }
        guard let address = resolved.first(where: addresses.permits) else {
            return .refused(
                "\(host) resolves to \(resolved.map(\.description).joined(separator: ", ")), not a public address (the operator may allow it with --webhook-allow-network)"
            )
        }
        guard !Task.isCancelled else { return .failed("timed out") }
        guard let client = clients.client(for: host, pinnedTo: address, timeout: timeout) else {
            return .notAttempted("the server is stopping")
        }
        return await send(body, headers: headers, to: url, host: host, with: client)
    }

    /// Closes every connection kept open.
    func shutdown() async {
        await clients.shutdown()
    }

    private func send(
        _ body: [UInt8],
        headers: [(String, String)],
        to url: URL,
        host: String,
        with client: HTTPClient
    ) async -> Outcome {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "User-Agent", value: "Gatehouse-Webhooks/1.0")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            // Only the status counts: the answer's body is never read.
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? .delivered(status) : .failed("HTTP \(status)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failed("timed out")
        } catch {
            return .failed("could not connect to \(host)")
        }
    }

    /// Every address `host` resolves to (an address literal is itself).
    static func resolve(_ host: String) throws -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { throw ResolutionError() }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr, let text = Self.numericHost(address, entry.pointee.ai_addrlen),
                let parsed = IPAddress(text), !found.contains(parsed)
            {
                found.append(parsed)
            }
            cursor = entry.pointee.ai_next
        }
        guard !found.isEmpty else { throw ResolutionError() }
        return found
    }

    /// The address as text, by `getnameinfo` (numeric, no lookup).
    private static func numericHost(_ address: UnsafeMutablePointer<sockaddr>, _ length: socklen_t) -> String? {
        var buffer = [CChar](repeating: 0, count: 1_025)
        guard getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else {
            return nil
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    struct ResolutionError: Error {}
}

/// HTTP clients by host and the address it was checked and pinned to, so attempts to one
/// receiver reuse its connections; at most 64, the least recently used closed beyond that.
final class PinnedClients: Sendable {
    private struct Entry {
        var client: HTTPClient
        var lastUsed: UInt64
    }

    private let state = Mutex<(entries: [String: Entry], uses: UInt64, shutDown: Bool)>(([:], 0, false))
    static let capacity = 64

    deinit {
        // Shut down already unless a test forgot to: a client must never go without it.
        for entry in state.withLock({ $0.entries.values }) { entry.client.shutdown { _ in } }
    }

    /// The client for `host` pinned to `address`, made if need be; `nil` once shut down.
    func client(for host: String, pinnedTo address: IPAddress, timeout: Duration) -> HTTPClient? {
        let key = host + " " + address.description
        let (client, evicted) = state.withLock { state -> (HTTPClient?, HTTPClient?) in
            guard !state.shutDown else { return (nil, nil) }
            state.uses += 1
            if var entry = state.entries[key] {
                entry.lastUsed = state.uses
                state.entries[key] = entry
                return (entry.client, nil)
            }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(5), read: TimeAmount(timeout)),
                proxy: nil
            )
            configuration.dnsOverride = [host: address.description]
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            var evicted: HTTPClient?
            if state.entries.count >= Self.capacity,
                let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })
            {
                evicted = oldest.value.client
                state.entries[oldest.key] = nil
            }
            state.entries[key] = Entry(client: client, lastUsed: state.uses)
            return (client, evicted)
        }
        if let evicted { Task { try? await evicted.shutdown() } }
        return client
    }

    func shutdown() async {
        let clients = state.withLock { state in
            defer {
                state.entries = [:]
                state.shutDown = true
            }
            return state.entries.values.map(\.client)
        }
        for client in clients { try? await client.shutdown() }
    }
}

/// The first of an attempt, its deadline and the caller's cancellation to finish answers; the
/// others are cancelled (a sleeping deadline with them), and the answer is given exactly once.
final class DeadlineRace: Sendable {
    private struct State {
        var continuation: CheckedContinuation<WebhookSender.Outcome, Never>?
        var finished: WebhookSender.Outcome?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<WebhookSender.Outcome, Never>,
        deadline: Duration,
        _ attempt: @escaping @Sendable () async -> WebhookSender.Outcome
    ) {
        let early = state.withLock { state -> WebhookSender.Outcome? in
            if let finished = state.finished { return finished }
            state.continuation = continuation
            return nil
        }
        if let early {
            continuation.resume(returning: early)
            return
        }
        let work = Task { self.finish(await attempt()) }
        let timer = Task {
            try? await Task.sleep(for: deadline)
            self.finish(.failed("timed out"))
        }
        let alreadyFinished = state.withLock { state in
            state.tasks = [work, timer]
            return state.finished != nil
        }
        if alreadyFinished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ outcome: WebhookSender.Outcome) {
        let (continuation, tasks) = state.withLock { state in
            guard state.finished == nil else {
                return (CheckedContinuation<WebhookSender.Outcome, Never>?.none, [Task<Void, Never>]())
            }
            state.finished = outcome
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        continuation?.resume(returning: outcome)
        for task in tasks { task.cancel() }
    }
}

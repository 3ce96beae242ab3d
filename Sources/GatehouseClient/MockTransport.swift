import Foundation
import Synchronization

/// A transport for your own tests: records every call and answers from canned responses, with no
/// network (the seed's `MockNotionAPI`, done properly).
///
/// ```swift
/// let mock = MockTransport()
/// mock.respond(to: "GET", path: "/v1/users/me", json: #"{"object":"user","id":"…","type":"bot"}"#)
/// let client = NotionClient(configuration: .init(token: "secret_test"), transport: mock)
/// _ = try await client.me()
/// #expect(mock.calls.map(\.path) == ["/v1/users/me"])
/// ```
public final class MockTransport: HTTPTransport {
    /// A call as the mock saw it; `authorization` is redacted (`Bearer secret_…`).
    public struct Call: Sendable, Equatable {
        public var method: String
        /// The URL as sent, percent-encoded.
        public var url: URL
        /// The path, decoded.
        public var path: String
        /// The query, decoded.
        public var query: String?
        public var headers: [String: String]
        public var body: Data?
        public var authorization: String?
    }

    private struct State {
        var calls: [Call] = []
        var routes: [String: [HTTPResponseData]] = [:]
        var fallback = HTTPResponseData(
            status: 404,
            headers: ["Content-Type": "application/json"],
            body: Data(
                #"{"object":"error","status":404,"code":"object_not_found","message":"MockTransport has no response for this call."}"#
                    .utf8
            )
        )
    }

    private let state = Mutex(State())

    public init() {}

    /// The calls made so far, oldest first.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// Queues `response` for `method path` (no query). Several queued responses are returned in
    /// order; the last one then repeats.
    public func respond(to method: String, path: String, with response: HTTPResponseData) {
        state.withLock { $0.routes["\(method.uppercased()) \(path)", default: []].append(response) }
    }

    /// Queues a JSON response.
    public func respond(
        to method: String,
        path: String,
        status: Int = 200,
        json: String,
        headers: [String: String] = [:]
    ) {
        respond(
            to: method,
            path: path,
            with: HTTPResponseData(
                status: status,
                headers: headers.merging(["Content-Type": "application/json"]) { current, _ in current },
                body: Data(json.utf8)
            )
        )
    }

    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        let path = components?.path ?? request.url.path
        let authorization = request.headers.first { $0.key.lowercased() == "authorization" }?.value
        return state.withLock { state in
            state.calls.append(
                Call(
                    method: request.method,
                    url: request.url,
                    path: path,
                    query: components?.query,
                    headers: request.headers.filter { $0.key.lowercased() != "authorization" },
                    body: request.body,
                    authorization: authorization.map(Redactor.redact)
                )
            )
            let key = "\(request.method.uppercased()) \(path)"
            guard var queue = state.routes[key], !queue.isEmpty else { return state.fallback }
            let response = queue.count > 1 ? queue.removeFirst() : queue[0]
            state.routes[key] = queue
            return response
        }
    }
}

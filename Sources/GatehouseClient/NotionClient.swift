import Foundation

/// A client for the Notion API and Gatehouse: typed calls, typed errors, retries and pacing.
///
/// ```swift
/// let notion = NotionClient(configuration: try .fromEnvironment())
/// let me = try await notion.me()
/// for case .dataSource(let source) in try await notion.search(filter: .dataSource).results {
///     print(source.title)
/// }
/// ```
public final class NotionClient: Sendable {
    public let configuration: ClientConfiguration
    let transport: any HTTPTransport
    let oauth: OAuthSession?
    let pacer: Pacer?
    let sleep: @Sendable (Double) async throws -> Void
    let random: @Sendable () -> Double

    /// A client with a fixed token (``ClientConfiguration/token``), or with an ``OAuthSession``
    /// that supplies and refreshes one.
    public convenience init(
        configuration: ClientConfiguration,
        transport: any HTTPTransport = URLSessionTransport(),
        oauth: OAuthSession? = nil
    ) {
        self.init(
            configuration: configuration,
            transport: transport,
            oauth: oauth,
            sleep: { seconds in try await Task.sleep(for: .seconds(seconds)) },
            random: { Double.random(in: 0..<1) }
        )
    }

    init(
        configuration: ClientConfiguration,
        transport: any HTTPTransport,
        oauth: OAuthSession?,
        sleep: @escaping @Sendable (Double) async throws -> Void,
        random: @escaping @Sendable () -> Double
    ) {
        self.configuration = configuration
        self.transport = transport
        self.oauth = oauth
        self.pacer = configuration.pacing.map(Pacer.init)
        self.sleep = sleep
        self.random = random
    }

    // MARK: Users

    /// The bot the token acts as (`GET /v1/users/me`).
    public func me() async throws -> User {
        try await call("GET", "users/me")
    }

    public func users(startCursor: String? = nil, pageSize: Int? = nil) async throws -> ListResponse<User> {
        try await call("GET", "users", query: Self.paging(startCursor, pageSize))
    }

    public func user(id: String) async throws -> User {
        try await call("GET", "users/\(try Self.pathID(id))")
    }

    // MARK: Search

    /// Pages and data sources (databases before 2025-09-03) shared with the integration whose
    /// title matches `query` (`POST /v1/search`); `filter` keeps one kind.
    public func search(
        query: String? = nil,
        filter: SearchFilter? = nil,
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> ListResponse<SearchResult> {
        var body: [String: JSONValue] = [:]
        if let query { body["query"] = .string(query) }
        if let filter { body["filter"] = ["property": "object", "value": .string(filter.rawValue)] }
        Self.addPaging(&body, startCursor, pageSize)
        return try await request("POST", "search", json: .object(body), idempotent: true)
    }

    // MARK: The request pipeline

    /// Sends `method /v1/<path>` and decodes the answer; the raw form of every call. `path` is
    /// percent-encoded here (pass it unencoded).
    public func call<Response: Decodable>(
        _ method: String,
        _ path: String,
        query: [URLQueryItem] = [],
        body: [String: Any]? = nil,
        idempotent: Bool? = nil,
        as type: Response.Type = Response.self
    ) async throws -> Response {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let encodedPath = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        return try await perform(method, encodedPath, query: query, body: payload, idempotent: idempotent)
    }

    /// The typed calls' form: a JSON body (keys sorted) and a path already percent-encoded.
    func request<Response: Decodable>(
        _ method: String,
        _ path: String,
        query: [URLQueryItem] = [],
        json: JSONValue? = nil,
        idempotent: Bool? = nil
    ) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = try json.map { try encoder.encode($0) }
        return try await perform(method, path, query: query, body: payload, idempotent: idempotent)
    }

    private func perform<Response: Decodable>(
        _ method: String,
        _ path: String,
        query: [URLQueryItem],
        body: Data?,
        idempotent: Bool?
    ) async throws -> Response {
        let data = try await send(
            method,
            path,
            query: query,
            body: body,
            idempotent: idempotent ?? ["GET", "DELETE", "HEAD", "PUT"].contains(method)
        )
        do {
            return try JSONDecoder().decode(Response.self, from: data)
        } catch {
            throw NotionError(
                status: 200,
                code: .invalidResponse,
                message: "the response to \(method) /v1/\(path) could not be read as \(Response.self)"
            )
        }
    }

    func send(
        _ method: String,
        _ path: String,
        query: [URLQueryItem],
        body: Data?,
        idempotent: Bool
    ) async throws
        -> Data
    {
        var components = URLComponents(url: configuration.baseURL, resolvingAgainstBaseURL: false)
        components?.percentEncodedPath += "/v1/" + path
        if !query.isEmpty {
            components?.percentEncodedQueryItems = query.map {
                URLQueryItem(name: Self.queryEncoded($0.name), value: $0.value.map(Self.queryEncoded))
            }
        }
        guard let url = components?.url else {
            throw NotionError(status: nil, code: .invalidRequestURL, message: "cannot build a URL for /v1/\(path)")
        }
        var attempt = 0
        var waited = 0.0
        var refreshedAfter401 = false
        while true {
            attempt += 1
            if let pacer {
                let wait = pacer.reserve()
                if wait > .zero {
                    let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
                    configuration.onEvent?(.paced(seconds: seconds))
                    try await sleep(seconds)
                }
            }
            try Task.checkCancellation()
            var headers = [
                "Notion-Version": configuration.notionVersion, "User-Agent": "gatehouse-swift-client/1.0",
            ]
            headers["Authorization"] = "Bearer " + (try await bearer(forceRefresh: false)).value
            if body != nil { headers["Content-Type"] = "application/json" }
            let request = HTTPRequestData(method: method, url: url, headers: headers, body: body)
            let failure: NotionError
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) { return response.body }
                failure = NotionError.from(response)
            } catch let cancellation as CancellationError {
                throw cancellation
            } catch let notionError as NotionError {
                failure = notionError
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failure = NotionError(status: nil, code: .transportFailure, message: String(describing: error))
            }
            let error = failure
            // An OAuth access token refused: refresh once and try again at once.
            if error.status == 401, oauth != nil, !refreshedAfter401 {
                refreshedAfter401 = true
                _ = try await bearer(forceRefresh: true)
                attempt -= 1
                continue
            }
            guard
                let delay = configuration.retry.delay(
                    after: error,
                    attempt: attempt,
                    idempotent: idempotent,
                    random: random
                ),
                waited + delay <= configuration.retry.maxTotalWait
            else { throw error }
            configuration.onEvent?(
                .retrying(
                    method: method,
                    path: "/v1/" + path,
                    attempt: attempt,
                    delay: delay,
                    status: error.status,
                    code: error.code.rawValue
                )
            )
            waited += delay
            try await sleep(delay)
        }
    }

    private func bearer(forceRefresh: Bool) async throws -> Secret {
        if let oauth { return try await oauth.accessToken(forceRefresh: forceRefresh) }
        guard let token = configuration.token else {
            throw NotionError(status: nil, code: .missingCredential, message: "No token is configured.")
        }
        return token
    }

    static func paging(_ cursor: String?, _ size: Int?) -> [URLQueryItem] {
        var items: [URLQueryItem] = []
        if let cursor { items.append(URLQueryItem(name: "start_cursor", value: cursor)) }
        if let size { items.append(URLQueryItem(name: "page_size", value: String(size))) }
        return items
    }

    /// A query name or value with everything but unreserved ASCII percent-encoded (as the official
    /// clients' `URLSearchParams` do for `&`, `=`, `+`, `:`, …).
    static func queryEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static let unreserved: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// `start_cursor` and `page_size` in a request body.
    static func addPaging(_ body: inout [String: JSONValue], _ cursor: String?, _ size: Int?) {
        if let cursor { body["start_cursor"] = .string(cursor) }
        if let size { body["page_size"] = .number(Double(size)) }
    }

    /// A property id for a path segment: the API's ids come percent-encoded (`%3AUPp`), so it is
    /// decoded and encoded again with nothing but unreserved characters left bare.
    static func pathPropertyID(_ id: String) throws -> String {
        let decoded = id.removingPercentEncoding ?? id
        var allowed = unreserved
        allowed.remove(".")
        guard !decoded.isEmpty, decoded.count <= 256,
            let encoded = decoded.addingPercentEncoding(withAllowedCharacters: allowed)
        else {
            throw NotionError(status: nil, code: .validationError, message: "'\(id.prefix(64))' is not a property id")
        }
        return encoded
    }

    /// An id for a path segment: letters, digits and dashes only, so it cannot change the path.
    static func pathID(_ id: String) throws -> String {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else {
            throw NotionError(status: nil, code: .validationError, message: "'\(id.prefix(64))' is not an id")
        }
        return id
    }
}

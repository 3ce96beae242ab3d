import Foundation

/// A client for the Notion API and Gatehouse: typed calls, typed errors, retries and pacing.
///
/// ```swift
/// let notion = NotionClient(configuration: try .fromEnvironment())
/// let me = try await notion.me()
/// for database in try await notion.databases().results { print(database.title) }
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

    // MARK: Search, databases, pages

    /// Pages and databases shared with the integration whose title matches `query`.
    public func search(
        query: String? = nil,
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> ListResponse<SearchResult> {
        var body: [String: Any] = [:]
        if let query { body["query"] = query }
        if let startCursor { body["start_cursor"] = startCursor }
        if let pageSize { body["page_size"] = pageSize }
        return try await call("POST", "search", body: body, idempotent: true)
    }

    /// The databases shared with the integration (`GET /v1/databases`, the seed's test call).
    public func databases(startCursor: String? = nil, pageSize: Int? = nil) async throws -> ListResponse<Database> {
        try await call("GET", "databases", query: Self.paging(startCursor, pageSize))
    }

    public func database(id: String) async throws -> Database {
        try await call("GET", "databases/\(try Self.pathID(id))")
    }

    /// The pages (rows) of a database.
    public func queryDatabase(
        id: String,
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> ListResponse<Page> {
        var body: [String: Any] = [:]
        if let startCursor { body["start_cursor"] = startCursor }
        if let pageSize { body["page_size"] = pageSize }
        return try await call("POST", "databases/\(try Self.pathID(id))/query", body: body, idempotent: true)
    }

    public func page(id: String) async throws -> Page {
        try await call("GET", "pages/\(try Self.pathID(id))")
    }

    /// Creates a page in a database (`POST /v1/pages`); not retried on 5xx (not idempotent).
    public func createPage(inDatabase databaseID: String, title: String) async throws -> Page {
        try await call(
            "POST",
            "pages",
            body: [
                "parent": ["database_id": databaseID],
                "properties": ["Name": ["title": [["text": ["content": title]]]]],
            ]
        )
    }

    /// Renames or archives a page (`PATCH /v1/pages/{id}`).
    public func updatePage(id: String, title: String? = nil, archived: Bool? = nil) async throws -> Page {
        var body: [String: Any] = [:]
        if let title { body["properties"] = ["title": ["title": [["text": ["content": title]]]]] }
        if let archived { body["archived"] = archived }
        return try await call("PATCH", "pages/\(try Self.pathID(id))", body: body)
    }

    // MARK: The request pipeline

    /// Sends `method /v1/<path>` and decodes the answer; the raw form of every call above.
    public func call<Response: Decodable>(
        _ method: String,
        _ path: String,
        query: [URLQueryItem] = [],
        body: [String: Any]? = nil,
        idempotent: Bool? = nil,
        as type: Response.Type = Response.self
    ) async throws -> Response {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let data = try await send(
            method,
            path,
            query: query,
            body: payload,
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
        var components = URLComponents(
            url: configuration.baseURL.appendingPathComponent("v1/" + path),
            resolvingAgainstBaseURL: false
        )
        if !query.isEmpty { components?.queryItems = query }
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

    /// An id for a path segment: letters, digits and dashes only, so it cannot change the path.
    static func pathID(_ id: String) throws -> String {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else {
            throw NotionError(status: nil, code: .validationError, message: "'\(id.prefix(64))' is not an id")
        }
        return id
    }
}

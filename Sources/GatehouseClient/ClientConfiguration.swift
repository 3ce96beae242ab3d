import Foundation

/// Where the client sends requests, with which credential and version, and how it behaves when
/// the server pushes back.
public struct ClientConfiguration: Sendable {
    /// The API's base URL without `/v1` (`https://api.notion.com`, `http://127.0.0.1:8080`).
    public var baseURL: URL
    /// The bearer token (an API key, or an OAuth access token); `nil` with an ``OAuthSession``.
    public var token: Secret?
    /// The `Notion-Version` header.
    public var notionVersion: String
    public var retry: RetryPolicy
    /// Client-side pacing under the plan's rate; `nil` sends as fast as asked.
    public var pacing: Pacing?
    /// Told of every retry and pacing wait (for logs or metrics; never given a credential).
    public var onEvent: (@Sendable (ClientEvent) -> Void)?

    public static let productionBaseURL = URL(string: "https://api.notion.com")!
    /// A Gatehouse on this machine (`gatehouse serve`'s default address): where `ENV=development`
    /// sends requests unless `NOTION_BASE_URL` says otherwise.
    public static let localGatehouseBaseURL = URL(string: "http://127.0.0.1:8080")!
    /// The version the official clients send by default (notion-client 3.1.0, @notionhq/client);
    /// pin `2022-06-28` for the database-era shapes.
    public static let defaultNotionVersion = "2025-09-03"

    public init(
        token: String? = nil,
        baseURL: URL = ClientConfiguration.productionBaseURL,
        notionVersion: String = ClientConfiguration.defaultNotionVersion,
        retry: RetryPolicy = RetryPolicy(),
        pacing: Pacing? = nil,
        onEvent: (@Sendable (ClientEvent) -> Void)? = nil
    ) {
        self.token = token.map(Secret.init)
        self.baseURL = Self.trimmed(baseURL)
        self.notionVersion = notionVersion
        self.retry = retry
        self.pacing = pacing
        self.onEvent = onEvent
    }

    /// Configuration as the seed does it, from the environment and an optional `.env` file (the
    /// environment wins):
    ///
    /// - `ENV=development`: a local Gatehouse (``localGatehouseBaseURL``) and `NOTION_DEV_KEY`;
    /// - otherwise production and `NOTION_PROD_KEY`;
    /// - `NOTION_API_KEY` when the environment-specific key is not set;
    /// - `NOTION_BASE_URL` and `NOTION_VERSION` override the base URL (another Gatehouse, or
    ///   production from development) and the version (``defaultNotionVersion`` otherwise).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnvFile: String? = ".env"
    ) throws -> ClientConfiguration {
        var values = dotEnvFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(parseDotEnv) ?? [:]
        values.merge(environment) { $1 }
        let development = values["ENV"] == "development"
        let key = (development ? values["NOTION_DEV_KEY"] : values["NOTION_PROD_KEY"]) ?? values["NOTION_API_KEY"]
        guard let key, !key.isEmpty else {
            throw NotionError(
                status: nil,
                code: .missingCredential,
                message: development
                    ? "Set NOTION_DEV_KEY (or NOTION_API_KEY) for ENV=development."
                    : "Set NOTION_PROD_KEY or NOTION_API_KEY."
            )
        }
        var baseURL = development ? localGatehouseBaseURL : productionBaseURL
        if let override = values["NOTION_BASE_URL"] {
            guard let url = URL(string: override), url.scheme == "https" || url.scheme == "http" else {
                throw NotionError(status: nil, code: .invalidRequest, message: "NOTION_BASE_URL is not an http(s) URL.")
            }
            baseURL = url
        }
        return ClientConfiguration(
            token: key,
            baseURL: baseURL,
            notionVersion: values["NOTION_VERSION"] ?? defaultNotionVersion
        )
    }

    /// `KEY=value` lines; `#` comments, `export ` prefixes and matching quotes are allowed.
    package static func parseDotEnv(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }

    /// The base URL without a trailing `/` or `/v1` (the seed writes it with `/v1`).
    static func trimmed(_ url: URL) -> URL {
        var text = url.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/v1") { text.removeLast(3) }
        return URL(string: text) ?? url
    }
}

/// What the client tells ``ClientConfiguration/onEvent`` about.
public enum ClientEvent: Sendable, Equatable {
    /// A call is retried after `delay` seconds; `attempt` is the one that failed.
    case retrying(method: String, path: String, attempt: Int, delay: Double, status: Int?, code: String)
    /// A call waited `seconds` for the pacer before it was sent.
    case paced(seconds: Double)
}

import Crypto
import Foundation

/// The OAuth 2.0 side of a public integration: the authorize URL (with `state` and PKCE), the
/// code exchange (after checking `state`), refresh and revocation.
///
/// ```swift
/// let oauth = OAuthClient(clientID: id, clientSecret: secret, redirectURI: "https://app.example/cb",
///                         baseURL: URL(string: "http://127.0.0.1:8080")!)
/// let request = oauth.authorizationRequest()          // keep it until the callback
/// // … send the browser to request.url; the callback arrives …
/// let tokens = try await oauth.exchange(callback: callbackURL, for: request)
/// ```
public struct OAuthClient: Sendable {
    public var clientID: String
    public var clientSecret: Secret?
    public var redirectURI: String
    public var baseURL: URL
    public var notionVersion: String
    let transport: any HTTPTransport

    public init(
        clientID: String,
        clientSecret: String?,
        redirectURI: String,
        baseURL: URL = ClientConfiguration.productionBaseURL,
        notionVersion: String = ClientConfiguration.defaultNotionVersion,
        transport: any HTTPTransport = URLSessionTransport()
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret.map(Secret.init)
        self.redirectURI = redirectURI
        self.baseURL = ClientConfiguration.trimmed(baseURL)
        self.notionVersion = notionVersion
        self.transport = transport
    }

    /// A new authorization request: a random `state` and PKCE verifier (S256), and the URL to
    /// send the browser to. Keep it (server side) until the callback comes back.
    public func authorizationRequest(owner: String = "user") -> AuthorizationRequest {
        let state = Self.randomString(count: 32)
        let verifier = Self.randomString(count: 64)
        var components = URLComponents(
            url: baseURL.appendingPathComponent("v1/oauth/authorize"),
            resolvingAgainstBaseURL: false
        )!
        components.queryItems = [
            URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "owner", value: owner),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "code_challenge", value: Self.challenge(for: verifier)),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        return AuthorizationRequest(url: components.url!, state: state, codeVerifier: Secret(verifier))
    }

    /// Checks the callback (its `state` must be the request's; an `error` is thrown; its `iss` must
    /// be this server, and may be missing only when the server's metadata does not advertise
    /// `authorization_response_iss_parameter_supported`, RFC 9207 §2.4) and exchanges its code for
    /// tokens.
    public func exchange(callback: URL, for request: AuthorizationRequest) async throws -> OAuthTokens {
        let items = URLComponents(url: callback, resolvingAgainstBaseURL: false)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        guard value("state") == request.state else {
            throw NotionError(
                status: nil,
                code: .oauthCallbackRejected,
                message: "The callback's state is not the one this request sent (a forged or stale callback)."
            )
        }
        if let error = value("error") {
            throw NotionError(
                status: nil,
                code: .oauthCallbackRejected,
                message: "The authorization failed: \(error)\(value("error_description").map { " – \($0)" } ?? "")"
            )
        }
        if let issuer = value("iss") {
            guard ClientConfiguration.trimmed(URL(string: issuer) ?? baseURL) == baseURL else {
                throw NotionError(
                    status: nil,
                    code: .oauthCallbackRejected,
                    message: "The callback came from another authorization server (iss mismatch)."
                )
            }
        } else if await advertisesIssuerParameter() {
            throw NotionError(
                status: nil,
                code: .oauthCallbackRejected,
                message:
                    "The callback has no iss, though this server always sends one (a mix-up attack, or a callback meant for another server)."
            )
        }
        guard let code = value("code") else {
            throw NotionError(status: nil, code: .oauthCallbackRejected, message: "The callback has no code.")
        }
        return try await tokenRequest([
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI,
            "code_verifier": request.codeVerifier.value,
        ])
    }

    /// Exchanges a refresh token for a new pair (the old refresh token stops working).
    public func refresh(_ refreshToken: Secret) async throws -> OAuthTokens {
        try await tokenRequest(["grant_type": "refresh_token", "refresh_token": refreshToken.value])
    }

    /// Revokes an access or refresh token (a refresh token takes its whole grant with it).
    public func revoke(_ token: Secret) async throws {
        _ = try await post("v1/oauth/revoke", ["token": token.value])
    }

    private func tokenRequest(_ body: [String: String]) async throws -> OAuthTokens {
        let data = try await post("v1/oauth/token", body)
        do {
            return try OAuthTokens(response: data, receivedAt: Date())
        } catch {
            throw NotionError(status: 200, code: .invalidResponse, message: "the token response could not be read")
        }
    }

    /// Whether the server's RFC 8414 metadata says it puts `iss` on every authorization response;
    /// `false` when the metadata cannot be read (servers without it, such as Notion's today).
    func advertisesIssuerParameter() async -> Bool {
        let request = HTTPRequestData(
            method: "GET",
            url: baseURL.appendingPathComponent(".well-known/oauth-authorization-server"),
            headers: ["Accept": "application/json"],
            body: nil
        )
        guard let response = try? await transport.send(request), response.status == 200,
            let metadata = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        else { return false }
        return metadata["authorization_response_iss_parameter_supported"] as? Bool == true
    }

    private func post(_ path: String, _ body: [String: String]) async throws -> Data {
        var headers = ["Content-Type": "application/json", "Notion-Version": notionVersion]
        let credentials = "\(clientID):\(clientSecret?.value ?? "")"
        headers["Authorization"] = "Basic " + Data(credentials.utf8).base64EncodedString()
        let request = HTTPRequestData(
            method: "POST",
            url: baseURL.appendingPathComponent(path),
            headers: headers,
            body: try JSONSerialization.data(withJSONObject: body)
        )
        let response: HTTPResponseData
        do {
            response = try await transport.send(request)
        } catch let error as NotionError {
            throw error
        } catch {
            throw NotionError(status: nil, code: .transportFailure, message: String(describing: error))
        }
        guard (200..<300).contains(response.status) else { throw NotionError.from(response) }
        return response.body
    }

    static func challenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func randomString(count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

/// An authorization in progress: where to send the browser, and what the callback must match.
public struct AuthorizationRequest: Sendable, Equatable {
    public let url: URL
    public let state: String
    public let codeVerifier: Secret
}

/// What the token endpoint issued. Codable, so a ``TokenStore`` can keep it; every token in it
/// is a ``Secret``, so printing it shows nothing usable.
public struct OAuthTokens: Sendable, Equatable, Codable {
    public var accessToken: Secret
    public var refreshToken: Secret?
    /// When the access token expires; `nil` for tokens that do not (`bot_`).
    public var expiresAt: Date?
    public var botID: String
    public var workspaceID: String
    public var workspaceName: String?

    public init(
        accessToken: Secret,
        refreshToken: Secret?,
        expiresAt: Date?,
        botID: String,
        workspaceID: String,
        workspaceName: String?
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.botID = botID
        self.workspaceID = workspaceID
        self.workspaceName = workspaceName
    }

    init(response: Data, receivedAt: Date) throws {
        struct Wire: Decodable {
            let access_token: String
            let refresh_token: String?
            let expires_in: Double?
            let bot_id: String
            let workspace_id: String
            let workspace_name: String?
        }
        let wire = try JSONDecoder().decode(Wire.self, from: response)
        self.init(
            accessToken: Secret(wire.access_token),
            refreshToken: wire.refresh_token.map(Secret.init),
            expiresAt: wire.expires_in.map { receivedAt.addingTimeInterval($0) },
            botID: wire.bot_id,
            workspaceID: wire.workspace_id,
            workspaceName: wire.workspace_name
        )
    }
}

/// Where an app keeps its tokens: the Keychain on Apple platforms, an encrypted file or a
/// database elsewhere. ``InMemoryTokenStore`` is for tests and short-lived tools.
public protocol TokenStore: Sendable {
    func load() async throws -> OAuthTokens?
    func save(_ tokens: OAuthTokens) async throws
    func clear() async throws
}

/// Keeps tokens in memory only.
public actor InMemoryTokenStore: TokenStore {
    private var tokens: OAuthTokens?

    public init(_ tokens: OAuthTokens? = nil) {
        self.tokens = tokens
    }

    public func load() -> OAuthTokens? { tokens }
    public func save(_ tokens: OAuthTokens) { self.tokens = tokens }
    public func clear() { tokens = nil }
}

/// Supplies a ``NotionClient`` with a live access token: refreshes it shortly before it expires,
/// and once more if the API still answers 401. Concurrent calls share one refresh.
public actor OAuthSession {
    let client: OAuthClient
    let store: any TokenStore
    /// Refresh this long before the access token expires.
    let refreshMargin: TimeInterval
    private var refreshing: Task<OAuthTokens, any Error>?

    public init(client: OAuthClient, store: any TokenStore, refreshMargin: TimeInterval = 60) {
        self.client = client
        self.store = store
        self.refreshMargin = refreshMargin
    }

    /// The access token to send, refreshed first when it is about to expire (or `forceRefresh`).
    public func accessToken(forceRefresh: Bool = false) async throws -> Secret {
        guard let tokens = try await store.load() else {
            throw NotionError(status: nil, code: .missingCredential, message: "No OAuth tokens: authorize first.")
        }
        let expiring = tokens.expiresAt.map { $0.timeIntervalSinceNow < refreshMargin } ?? false
        guard forceRefresh || expiring, tokens.refreshToken != nil else { return tokens.accessToken }
        return try await refreshed(from: tokens).accessToken
    }

    private func refreshed(from tokens: OAuthTokens) async throws -> OAuthTokens {
        if let refreshing { return try await refreshing.value }
        let client = self.client
        let store = self.store
        let task = Task<OAuthTokens, any Error> {
            guard let refreshToken = tokens.refreshToken else { return tokens }
            let fresh = try await client.refresh(refreshToken)
            try await store.save(fresh)
            return fresh
        }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }
}

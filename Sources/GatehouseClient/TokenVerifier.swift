import Crypto
import Foundation
import Synchronization

/// Asks a Gatehouse server's `POST /verify` about the tokens your service's clients present, with
/// the service's own verifier key (`gvk_…`, from `gatehouse verifier create`).
///
/// Answers are kept for at most `cacheLifetime` (1 s by default), so a revoked token is refused
/// within that time plus the server's own (well under a second). A cached valid answer is reused
/// only while the rate limit it reported has permits left: each reuse spends one, so the cache
/// never lets a client past its plan's burst; when they run out, the server is asked again.
///
/// ```swift
/// let verifier = TokenVerifier(baseURL: URL(string: "http://127.0.0.1:8080")!, verifierKey: key)
/// let answer = try await verifier.verify(token: presented, scopes: ["orders:read"])
/// guard answer.valid else { … answer.status, answer.code, answer.message … }
/// ```
public final class TokenVerifier: Sendable {
    public let baseURL: URL
    let verifierKey: Secret
    let transport: any HTTPTransport
    public let cacheLifetime: Duration
    private let clock = ContinuousClock()
    private let cache = Mutex<[String: Entry]>([:])

    private struct Entry {
        var verification: Verification
        var expires: ContinuousClock.Instant
        var permitsLeft: Int
    }

    public init(
        baseURL: URL,
        verifierKey: String,
        cacheLifetime: Duration = .seconds(1),
        transport: any HTTPTransport = URLSessionTransport(timeout: 5)
    ) {
        self.baseURL = ClientConfiguration.trimmed(baseURL)
        self.verifierKey = Secret(verifierKey)
        self.cacheLifetime = cacheLifetime
        self.transport = transport
    }

    /// The server's verdict on `token` for a call that needs `scopes`; throws ``NotionError`` when
    /// the server cannot be asked or refuses the verifier key itself.
    public func verify(token: String, scopes: [String] = [], clientIP: String? = nil) async throws -> Verification {
        let key = Self.cacheKey(token: token, scopes: scopes)
        let now = clock.now
        let cached = cache.withLock { entries -> Verification? in
            guard var entry = entries[key], entry.expires > now, entry.permitsLeft > 0 else {
                entries[key] = nil
                return nil
            }
            entry.permitsLeft -= 1
            entries[key] = entry
            return entry.verification
        }
        if let cached { return cached }
        let verification = try await ask(token: token, scopes: scopes, clientIP: clientIP)
        if verification.valid {
            let permits = verification.rateLimit?.remaining ?? 0
            cache.withLock { entries in
                if entries.count >= 10_000 { entries.removeAll(keepingCapacity: true) }
                entries[key] = Entry(verification: verification, expires: now + cacheLifetime, permitsLeft: permits)
            }
        }
        return verification
    }

    private func ask(token: String, scopes: [String], clientIP: String?) async throws -> Verification {
        var body: [String: Any] = ["token": token]
        if !scopes.isEmpty { body["scopes"] = scopes }
        if let clientIP { body["client_ip"] = clientIP }
        let request = HTTPRequestData(
            method: "POST",
            url: baseURL.appendingPathComponent("verify"),
            headers: ["Authorization": "Bearer \(verifierKey.value)", "Content-Type": "application/json"],
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
        guard response.status == 200 else { throw NotionError.from(response) }
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Verification.self, from: response.body)
        } catch {
            throw NotionError(status: 200, code: .invalidResponse, message: "the verification could not be read")
        }
    }

    /// The cache's key: a digest, so the cache holds no token.
    static func cacheKey(token: String, scopes: [String]) -> String {
        let digest = SHA256.hash(data: Data((token + "\n" + scopes.sorted().joined(separator: " ")).utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// What `POST /verify` answered about a token.
public struct Verification: Sendable, Equatable, Decodable {
    public var valid: Bool
    /// For an invalid token: the status and error code the API would have answered
    /// (`401 unauthorized`, `403 restricted_resource`, `429 rate_limited`) and why.
    public var status: Int?
    public var code: String?
    public var message: String?
    public var integrationId: String?
    public var botId: String?
    public var workspaceId: String?
    /// The user who authorized an OAuth token; `nil` for API keys.
    public var userId: String?
    public var scopes: [String]?
    public var plan: String?
    public var rateLimit: RateLimit?

    /// The token's rate-limit outcome for this request.
    public struct RateLimit: Sendable, Equatable, Decodable {
        public var limited: Bool
        public var limit: Int
        public var remaining: Int
        public var resetSeconds: Int
        public var retryAfterSeconds: Int?
        public var dailyRemaining: Int?
    }
}

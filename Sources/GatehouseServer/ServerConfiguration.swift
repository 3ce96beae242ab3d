import Foundation
import GatehouseCore
import GatehouseStore

/// How `gatehouse serve` runs; read from flags, the environment and `.env` by the executable.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How unshared resources of the integration's own workspace are answered (403 or 404).
    public var unsharedResponse: UnsharedResourceResponse
    /// How often the change feed is read for revocations made by other processes.
    public var changeFeedInterval: Duration
    /// The rate limits of each plan.
    public var ratePlans: RatePlans
    /// How long revoked and expired tokens are kept before the janitor purges them.
    public var credentialRetention: TimeInterval = 7 * 86_400
    /// How often token usage counted in memory is written to the store.
    public var usageFlushInterval: Duration = .seconds(5)
    /// How often the janitor runs.
    public var janitorInterval: Duration = .seconds(600)
    /// The URL clients reach this server at: the OAuth issuer (`iss`) and the base of the metadata's
    /// endpoints. `nil`: `http://<host>:<port>`. Cookies are `Secure` when it is https.
    public var publicURL: String?
    /// Lifetimes of authorization codes, OAuth tokens and browser sessions.
    public var oauthLifetimes = OAuthLifetimes()
    /// API keys and client secrets older than this many days are flagged for rotation.
    public var rotationPolicyDays = 30
    /// bcrypt cost for passwords set through the server (tests lower it).
    public var bcryptCost: UInt8 = 12
    /// How long audit events are kept; the janitor purges older ones and re-anchors the chain at
    /// the first event kept. `nil` keeps them forever.
    public var auditRetention: TimeInterval? = 365 * 86_400
    /// A file outside the store the janitor appends each verified audit checkpoint to (the
    /// anchor `gatehouse events verify` needs to detect truncation); `nil`: none.
    public var auditAnchorFile: String?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        unsharedResponse: UnsharedResourceResponse = .restricted,
        changeFeedInterval: Duration = .milliseconds(50),
        ratePlans: RatePlans = RatePlans()
    ) {
        self.ratePlans = ratePlans
        self.host = host
        self.port = port
        self.unsharedResponse = unsharedResponse
        self.changeFeedInterval = changeFeedInterval
    }
}

import Foundation
import GatehouseContent
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
    /// endpoints. `nil`: `http://<host>:<port>`. Cookies are `Secure` with `__Host-` names unless it is
    /// plain HTTP on a loopback address; https adds `Strict-Transport-Security`.
    public var publicURL: String?
    /// Lifetimes of authorization codes, OAuth tokens and browser sessions.
    public var oauthLifetimes = OAuthLifetimes()
    /// API keys and client secrets older than this many days are flagged for rotation.
    public var rotationPolicyDays = 30
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers name the client (empty: none,
    /// every request is attributed to its peer).
    public var trustedProxies = TrustedProxies()
    /// A Unix socket to serve on as well as `host`:`port`, for a proxy on the same machine
    /// (forward authentication without TCP). Made mode 0660; its peers count as trusted proxies
    /// (``UnixSocketListener``).
    public var unixSocketPath: String?
    /// How long the change feed may stay unreadable before this node stops trusting its cache of
    /// credentials (every request then goes to the store until the feed is readable again).
    public var changeFeedTolerance: Duration = .seconds(2)
    /// The route policy `/forward-auth` applies (no file: any valid token passes).
    public var routePolicy = RoutePolicySource()
    /// bcrypt cost for passwords set through the server (tests lower it).
    public var bcryptCost: UInt8 = 12
    /// A connection that has not sent a complete request head for this long — since it opened or
    /// since its last response — is closed: idle keep-alive connections and heads sent slowly.
    public var idleTimeout: Duration = .seconds(60)
    /// A request whose body has not arrived in full this long after its head closes its connection.
    public var readTimeout: Duration = .seconds(30)
    /// At most this many connections are open at once on each listener (TCP, and the Unix socket if
    /// any); further ones wait in the listen backlog
    /// (and are refused by the kernel once it is full) until one closes.
    public var maxConnections = 4096
    /// A browser session unused this long ends (inside its absolute lifetime,
    /// `oauthLifetimes.session`): 30 minutes.
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    /// Failed sign-ins (and wrong current passwords) per account, from browsers that never signed
    /// in to it: 10, then one a minute. The per-address allowance is `ratePlans.failedAuthentication`.
    public var signInAccountAllowance = RatePlan(requestsPerSecond: 1.0 / 60, burst: 10, dailyQuota: nil)
    /// Password checks (bcrypt) running or waiting at once; more sign-ins get 503 at once.
    public var passwordCheckLimit = 4 * ProcessInfo.processInfo.activeProcessorCount
    /// Owners must enrol a TOTP second factor before using the console or consent pages.
    public var requireOwnerSecondFactor = false
    /// The key that seals second-factor secrets in the store (at least 32 bytes, from the
    /// environment); `nil`: a key kept in the store itself (a copy of the database then reveals them).
    public var secretsKey: Data?
    /// How long audit events are kept; the janitor purges older ones and re-anchors the chain at
    /// the first event kept. `nil` keeps them forever.
    public var auditRetention: TimeInterval? = 365 * 86_400
    /// A file outside the store the janitor appends each verified audit checkpoint to (the
    /// anchor `gatehouse events verify` needs to detect truncation); `nil`: none.
    public var auditAnchorFile: String?
    /// Webhook deliveries: the networks their URLs may reach although they are not public, how
    /// often events and due deliveries are looked for, how long an aggregated event waits for
    /// more of its kind, and when a failed attempt is tried again.
    public var webhooks = WebhookSettings()
    /// The workspace that owns OAuth clients registered through `POST /v1/oauth/register`
    /// (RFC 7591, as MCP clients register); `nil`: registration is closed.
    public var clientRegistrationWorkspace: String?

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

/// How webhooks are delivered (``ServerConfiguration/webhooks``).
public struct WebhookSettings: Sendable {
    /// Networks a webhook URL may reach although they are not public (`--webhook-allow-network`;
    /// `127.0.0.0/8` for a receiver on the developer's machine). Empty: public addresses only.
    public var allowedNetworks: [IPNetwork] = []
    /// How often a node looks for recorded events and due deliveries (two indexed reads when
    /// there are none).
    public var interval: Duration = .milliseconds(250)
    /// Notion aggregates such events for up to a minute; a sandbox answers sooner.
    public var aggregationWindow: TimeInterval = 2
    public var retrySchedule: WebhookRetrySchedule = .standard
    /// The longest one attempt may take.
    public var timeout: Duration = .seconds(10)

    public init() {}
}

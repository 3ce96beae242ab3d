import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The routes of the `/v1` API and the limits they share.
enum APIRoutes {
    /// The largest request body accepted; more gets 413 in the error format.
    static let maxBodyBytes = 512 * 1024
}

/// Builds the whole server: middleware, routes and background services, wired in one place.
///
/// Request flow: request id and error mapping → `Notion-Version` → bearer authentication (memory,
/// store on a miss) → rate limit (one store write per admission, refusals from memory) → controller → capability and sharing check (core) → store → JSON response.
public func buildApplication(
    configuration: ServerConfiguration,
    store: any Store,
    authenticator: Authenticator,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let usage = UsageRecorder()
    let metrics = ServerMetrics()
    let issuer = OAuthIssuer(configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)")
    let routes = try buildRoutes(
        configuration: configuration,
        store: store,
        authenticator: authenticator,
        usage: usage,
        issuer: issuer,
        metrics: metrics,
        logger: logger
    )
    let listener = RevocationListener(
        follower: ChangeFeedFollower(
            store: store,
            interval: configuration.changeFeedInterval,
            gapTolerance: configuration.changeFeedTolerance,
            logger: logger,
            clock: authenticator.clock
        ),
        authenticator: authenticator,
        startSequence: try await store.latestChangeSequence()
    )
    var services: [any Service] = [
        listener,
        UsageFlusher(recorder: usage, store: store, interval: configuration.usageFlushInterval, logger: logger),
        Janitor(
            store: store,
            clock: authenticator.clock,
            interval: configuration.janitorInterval,
            retention: configuration.credentialRetention,
            auditRetention: configuration.auditRetention,
            anchors: configuration.auditAnchorFile.map(AuditAnchorFile.init(path:)),
            logger: logger
        ),
    ]
    services.append(
        WebhookDispatcher(
            store: store,
            clock: authenticator.clock,
            sealing: SealingKey(store: store, clock: authenticator.clock, configured: configuration.secretsKey),
            sender: WebhookSender(
                addresses: OutboundAddressPolicy(allowed: configuration.webhooks.allowedNetworks),
                timeout: configuration.webhooks.timeout
            ),
            settings: configuration.webhooks,
            metrics: metrics,
            logger: logger
        )
    )
    if configuration.routePolicy.path != nil {
        services.append(RoutePolicyWatcher(source: configuration.routePolicy, logger: logger))
    }
    let server = GatehouseHTTP1Channel.builder(
        configuration: .init(
            additionalChannelHandlers: [
                MalformedRequestHandler(), RequestReadDeadline(timeout: TimeAmount(configuration.readTimeout)),
            ],
            idleTimeout: TimeAmount(configuration.idleTimeout)
        ),
        inlineAnswers: { [inline = routes.inline, requests = routes.requests, date = HTTPDate()] in
            InlineAnswerHandler(
                responders: inline,
                requests: requests,
                serverName: serverName,
                date: date
            )
        }
    )
    var socketListener: UnixSocketListener?
    if let path = configuration.unixSocketPath {
        let listener = UnixSocketListener(
            path: path,
            router: routes.router,
            server: server,
            maxConnections: configuration.maxConnections,
            logger: logger
        )
        services.append(listener)
        socketListener = listener
    }
    var application = Application(
        router: routes.router,
        server: server,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: serverName,
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)
        ),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            if configuration.publicURL == nil { issuer.set("http://\(configuration.host):\(port)") }
            await onServerRunning(port)
        },
        logger: logger
    )
    if let socketListener {
        // The TCP listener (and so the banner) waits for the socket: once serve says it is
        // listening, both are.
        application.beforeServerStarts { try await socketListener.waitUntilListening() }
    }
    return application
}

/// The router alone, for tests that drive it without a socket.
public func buildRouter(
    configuration: ServerConfiguration,
    store: any Store,
    authenticator: Authenticator,
    usage: UsageRecorder = UsageRecorder(),
    issuer: OAuthIssuer? = nil,
    metrics: ServerMetrics = ServerMetrics(),
    logger: Logger,
    additionalBrowserRoutes: (RouterGroup<GatehouseRequestContext>) -> Void = { _ in }
) throws -> Router<GatehouseRequestContext> {
    try buildRoutes(
        configuration: configuration,
        store: store,
        authenticator: authenticator,
        usage: usage,
        issuer: issuer,
        metrics: metrics,
        logger: logger,
        additionalBrowserRoutes: additionalBrowserRoutes
    ).router
}

/// The router, the routes that answer from memory ahead of it (``InlineAnswerHandler``), and
/// the outermost middleware both record their requests with.
struct Routes {
    let router: Router<GatehouseRequestContext>
    let inline: [any InlineResponder]
    let requests: RequestMiddleware
}

func buildRoutes(
    configuration: ServerConfiguration,
    store: any Store,
    authenticator: Authenticator,
    usage: UsageRecorder = UsageRecorder(),
    issuer: OAuthIssuer? = nil,
    metrics: ServerMetrics = ServerMetrics(),
    logger: Logger,
    additionalBrowserRoutes: (RouterGroup<GatehouseRequestContext>) -> Void = { _ in }
) throws -> Routes {
    let router = Router(context: GatehouseRequestContext.self)
    let requests = RequestMiddleware(logger: logger, metrics: metrics, trustedProxies: configuration.trustedProxies)
    router.add(middleware: requests)
    router.get("healthz") { _, context in
        JSONResponse.ok(["status": "ok"], requestID: context.requestID)
    }
    router.get("v1/openapi.json") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.served.get()))
        )
    }
    router.get("metrics") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
        )
    }
    let issuer = issuer ?? OAuthIssuer(configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)")
    try addOAuthRoutes(
        to: router,
        configuration: configuration,
        store: store,
        authenticator: authenticator,
        issuer: issuer,
        metrics: metrics,
        logger: logger,
        additionalBrowserRoutes: additionalBrowserRoutes
    )
    // One of each for `/v1` and `/forward-auth`: a client's failures and an integration's
    // limit count the same whichever it calls.
    let authentication = BearerAuthentication(
        authenticator: authenticator,
        failureThrottle: RateLimiter(clock: authenticator.clock),
        failureAllowance: configuration.ratePlans.failedAuthentication,
        usage: usage,
        metrics: metrics,
        recordFailure: { event in
            do {
                // Counted per address and minute, listed once (see OAuthService.aggregatedFailures).
                try await store.appendFailure(event, period: .seconds(60))
            } catch {
                logger.warning("cannot record a failed authentication in the audit log")
            }
        }
    )
    let rateLimit = RateLimitEnforcement(
        limiter: SharedRateLimiter(store: store, clock: authenticator.clock),
        plans: configuration.ratePlans,
        logger: logger,
        metrics: metrics
    )
    let usageLimit = UsageLimitEnforcement(store: store)
    let forwardAuth = ForwardAuthController(
        authentication: authentication,
        rateLimit: rateLimit,
        usageLimit: usageLimit,
        policy: configuration.routePolicy
    )
    forwardAuth.addRoutes(to: router)
    let verify = VerifyController(
        authenticator: authenticator,
        rateLimit: rateLimit,
        usageLimit: usageLimit,
        usage: usage
    )
    verify.addRoutes(to: router)
    let api = router.group("v1").add(
        middleware: APIMiddleware(authentication: authentication, rateLimit: rateLimit, usageLimit: usageLimit)
    )
    let clock = authenticator.clock
    let access = ContentAccess(
        store: store,
        policy: AccessPolicy(unsharedResponse: configuration.unsharedResponse),
        fileLinks: FileLinks(
            keys: ServerKeys(store: store, clock: clock, name: FileLinks.keyName),
            issuer: issuer,
            clock: clock
        )
    )
    UsersController(store: store).addRoutes(to: api)
    SearchController(access: access, bodyLimit: APIRoutes.maxBodyBytes).addRoutes(to: api)
    let pageQuery = DataSourceQuery(
        store: store,
        clock: authenticator.clock,
        renderedPages: RenderedPageCache(),
        fileLinks: access.fileLinks
    )
    DatabasesController(
        access: access,
        bodyLimit: APIRoutes.maxBodyBytes,
        clock: authenticator.clock,
        pageQuery: pageQuery
    ).addRoutes(to: api)
    DataSourcesController(
        access: access,
        bodyLimit: APIRoutes.maxBodyBytes,
        clock: authenticator.clock,
        pageQuery: pageQuery
    ).addRoutes(to: api)
    PagesController(access: access, bodyLimit: APIRoutes.maxBodyBytes, clock: authenticator.clock).addRoutes(to: api)
    BlocksController(access: access, bodyLimit: APIRoutes.maxBodyBytes, clock: authenticator.clock).addRoutes(to: api)
    CommentsController(access: access, bodyLimit: APIRoutes.maxBodyBytes, clock: authenticator.clock)
        .addRoutes(to: api)
    FileUploadsController(access: access, bodyLimit: APIRoutes.maxBodyBytes, clock: authenticator.clock, issuer: issuer)
        .addRoutes(to: api)
    FileDownloadController(store: store, links: access.fileLinks).addRoutes(to: router)
    // Built before `/mcp` is added: the MCP tools call the API through everything above.
    MCPController(
        authentication: authentication,
        rateLimit: rateLimit,
        usageLimit: usageLimit,
        api: LoopbackAPI(responder: router.buildResponder()),
        issuer: issuer
    ).addRoutes(to: router)
    return Routes(router: router, inline: [forwardAuth, verify], requests: requests)
}

/// The OAuth endpoints and the browser routes (sign-in, consent, console and its API): outside the
/// `/v1` API's middleware (no `Notion-Version`, no bearer token). The browser routes are one group
/// behind ``SessionMiddleware`` (the signed-in user on the context, CSRF checked on every
/// state-changing request); the token, introspection and revocation endpoints authenticate clients.
func addOAuthRoutes(
    to router: Router<GatehouseRequestContext>,
    configuration: ServerConfiguration,
    store: any Store,
    authenticator: Authenticator,
    issuer: OAuthIssuer,
    metrics: ServerMetrics,
    logger: Logger,
    additionalBrowserRoutes: (RouterGroup<GatehouseRequestContext>) -> Void = { _ in }
) throws {
    let service = OAuthService(
        store: store,
        authenticator: authenticator,
        lifetimes: configuration.oauthLifetimes,
        logger: logger
    )
    let failureThrottle = RateLimiter(clock: authenticator.clock)
    OAuthController(
        service: service,
        issuer: issuer,
        failureThrottle: failureThrottle,
        failureAllowance: configuration.ratePlans.failedAuthentication,
        metrics: metrics,
        routePolicy: configuration.routePolicy,
        registrationOpen: configuration.clientRegistrationWorkspace != nil
    ).addRoutes(to: router)
    let admin = AdminOperations(
        store: store,
        clock: authenticator.clock,
        bcryptCost: configuration.bcryptCost,
        actor: "server",
        onRevocation: { authenticator.apply($0) }
    )
    if let workspaceID = configuration.clientRegistrationWorkspace {
        ClientRegistrationController(
            admin: admin,
            workspaceID: workspaceID,
            throttle: RateLimiter(clock: authenticator.clock)
        ).addRoutes(to: router)
    }
    let clock = authenticator.clock
    let sessions = BrowserSessions(
        store: store,
        clock: clock,
        policy: SessionPolicy(
            lifetime: configuration.oauthLifetimes.session,
            idleTimeout: configuration.sessionIdleTimeout
        ),
        cookies: CookiePolicy(publicURL: configuration.publicURL, host: configuration.host),
        keys: ServerKeys(store: store, clock: clock)
    )
    let pages = try HTMLPages.load()
    let audit = SessionAudit(store: store, clock: clock, logger: logger)
    let secondFactor = SecondFactor(
        store: store,
        clock: clock,
        sealing: SealingKey(store: store, clock: clock, configured: configuration.secretsKey)
    )
    let browser = router.group().add(
        middleware: SessionMiddleware(
            sessions: sessions,
            pages: pages,
            audit: audit,
            secondFactor: secondFactor,
            requireOwnerSecondFactor: configuration.requireOwnerSecondFactor
        )
    )
    let signInPage = SignInPage(sessions: sessions, pages: pages)
    let gate = PasswordCheckGate(limit: configuration.passwordCheckLimit)
    SignInController(
        sessions: sessions,
        signInPage: signInPage,
        store: store,
        admin: admin,
        audit: audit,
        failureThrottle: failureThrottle,
        addressAllowance: configuration.ratePlans.failedAuthentication,
        accountAllowance: configuration.signInAccountAllowance,
        gate: gate,
        secondFactor: secondFactor,
        decoyPasswordHash: DecoyPasswordHash(cost: configuration.bcryptCost)
    ).addRoutes(to: browser)
    AccountController(
        store: store,
        pages: pages,
        admin: admin,
        audit: audit,
        failureThrottle: failureThrottle,
        accountAllowance: configuration.signInAccountAllowance,
        gate: gate,
        secondFactor: secondFactor,
        requireOwnerSecondFactor: configuration.requireOwnerSecondFactor
    ).addRoutes(to: browser)
    ConsoleAPIController(
        audit: audit,
        store: store,
        clock: clock,
        rotationPolicyDays: configuration.rotationPolicyDays
    ).addRoutes(to: browser)
    ConsoleController(
        audit: audit,
        pages: pages,
        store: store,
        authenticator: authenticator,
        bcryptCost: configuration.bcryptCost,
        rotationPolicyDays: configuration.rotationPolicyDays,
        ratePlans: configuration.ratePlans,
        routePolicy: configuration.routePolicy,
        auditFacts: { workspace in
            try await SecurityAudit.gather(
                workspace: workspace,
                store: store,
                now: authenticator.clock.now(),
                rotationPolicyDays: configuration.rotationPolicyDays
            )
        }
    ).addRoutes(to: browser)
    AuthorizeController(
        service: service,
        signInPage: signInPage,
        pages: pages,
        admin: admin,
        issuer: issuer,
        routePolicy: configuration.routePolicy
    ).addRoutes(to: browser)
    try AuthorizeController.addAssetRoutes(to: router)
    additionalBrowserRoutes(browser)
}

/// The `Server` field of every response.
let serverName = "Gatehouse"

import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import GatehouseServer

/// `/forward-auth` and `POST /verify` answered from memory (``InlineResponder``) give the answer
/// their router handlers give, and leave to the router whatever memory alone cannot decide.
@Suite(.timeLimit(.minutes(1))) struct InlineAnswerTests {
    /// The routes of a server on `world` under the forward-auth fixture's policy.
    static func routes(_ world: TestWorld) throws -> Routes {
        let path = Scratch.path(".yaml")
        try ForwardAuthFixture.writePolicy(ForwardAuthFixture.policyText, to: path)
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, ratePlans: TestWorld.roomyPlans)
        configuration.routePolicy = try RoutePolicySource(path: path)
        return try buildRoutes(
            configuration: configuration,
            store: world.store,
            authenticator: world.authenticator,
            logger: TestWorld.quietLogger
        )
    }

    /// Runs `body` on a new world whose clock stands still (a rate-limit lease never lapses
    /// between two requests of a test on a loaded machine), then closes its store whatever
    /// happened.
    static func withWorld(_ body: (TestWorld) async throws -> Void) async throws {
        let world = try await TestWorld.make(clock: TestClock(frozenAt: Date()))
        do {
            try await body(world)
        } catch {
            await world.store.shutdown()
            throw error
        }
        await world.store.shutdown()
    }

    static func request(
        _ method: HTTPRequest.Method,
        _ path: String,
        _ fields: HTTPFields,
        body: String? = nil
    ) -> InlineRequest {
        InlineRequest(
            head: HTTPRequest(method: method, scheme: nil, authority: nil, path: path, headerFields: fields),
            body: body.map { ByteBuffer(string: $0) },
            requestID: UUIDv4.string(),
            clientAddress: nil
        )
    }

    /// The answer of the responder that takes `request`.
    static func answer(_ responders: [any InlineResponder], _ request: InlineRequest) throws -> PreparedAnswer? {
        let responder = try #require(responders.first { $0.bodyLimit(for: request.head) != nil })
        return responder.answer(request)?.answer
    }

    /// `body` as JSON without its `request_id`.
    static func withoutRequestID(_ body: some Sequence<UInt8>) throws -> NSDictionary {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["request_id"] is String)
        return object.filter { $0.key != "request_id" } as NSDictionary
    }

    /// The fields both answers must carry alike; the rate-limit state and the request id differ.
    static let comparedFields = [
        "X-Gatehouse-Integration-Id", "X-Gatehouse-Bot-Id", "X-Gatehouse-Workspace-Id", "X-Gatehouse-User-Id",
        "X-Gatehouse-Scopes", "X-Gatehouse-Plan", "X-Gatehouse-Status", "RateLimit-Policy", "X-RateLimit-Limit",
        "Retry-After", "Content-Type",
    ].map { HTTPField.Name($0)! }

    static func names(_ fields: HTTPFields) -> [String] {
        let added: Set<String> = ["x-notion-request-id", "date", "server", "content-length"]
        return fields.map { $0.name.canonicalName }.filter { !added.contains($0) }.sorted()
    }

    @Test func forwardAuthAnswersFromMemoryWhatTheRouterAnswers() async throws {
        try await Self.withWorld { world in try await forwardAuth(world) }
    }

    func forwardAuth(_ world: TestWorld) async throws {
        _ = try await world.admin.setScopes(try Scopes(["orders:read"]), integrationID: world.integration.id)
        let routes = try Self.routes(world)
        let inline = routes.inline
        let bearer = HTTPField(name: .authorization, value: "Bearer \(world.token)")
        let allowed = ForwardAuthFixture.original("GET", "/orders/42") + [bearer]
        let wrongScope = ForwardAuthFixture.original("DELETE", "/orders/42") + [bearer]

        // A token not seen yet is the router's: only the store knows it.
        #expect(try Self.answer(inline, Self.request(.get, "/forward-auth", allowed)) == nil)
        try await Application(router: routes.router).test(.router) { client in
            let routed = try await client.execute(uri: "/forward-auth", method: .get, headers: allowed) { $0 }
            #expect(routed.status == .ok)
            let answered = try #require(try Self.answer(inline, Self.request(.get, "/forward-auth", allowed)))
            #expect(answered.status == .ok)
            #expect(answered.body.isEmpty)
            #expect(Self.names(answered.headers) == Self.names(routed.headers))
            for name in Self.comparedFields {
                #expect(answered.headers[name] == routed.headers[name], "\(name)")
            }
            #expect(answered.headers[HTTPField.Name("X-Gatehouse-Integration-Id")!] == world.integration.id)

            let routedRefusal = try await client.execute(uri: "/forward-auth", method: .get, headers: wrongScope) {
                $0
            }
            let answeredRefusal = try #require(
                try Self.answer(inline, Self.request(.get, "/forward-auth", wrongScope))
            )
            #expect(routedRefusal.status == .forbidden)
            #expect(answeredRefusal.status == .forbidden)
            #expect(Self.names(answeredRefusal.headers) == Self.names(routedRefusal.headers))
            #expect(
                try Self.withoutRequestID(answeredRefusal.body)
                    == Self.withoutRequestID(routedRefusal.body.readableBytesView)
            )
            let error = HTTPField.Name("X-Gatehouse-Error")!
            #expect(
                try Self.withoutRequestID(Array((answeredRefusal.headers[error] ?? "").utf8))
                    == Self.withoutRequestID(Array((routedRefusal.headers[error] ?? "").utf8))
            )

            // A key with a number of uses counts them in the store: the router's.
            let key = try #require(try await world.store.tokens(integrationID: world.integration.id).first)
            _ = try await world.admin.setKeyLimits(tokenID: key.id, expiresAt: nil, maxUses: 5)
            _ = try await client.execute(uri: "/forward-auth", method: .get, headers: allowed) { $0 }
            #expect(try Self.answer(inline, Self.request(.get, "/forward-auth", allowed)) == nil)
        }
    }

    @Test func onlyTheRouterReadsForwardAuthPathsItWouldReadOtherwise() async throws {
        try await Self.withWorld { world in
            let forwardAuth = try #require(try Self.routes(world).inline.first { $0 is ForwardAuthController })
            func limit(_ method: HTTPRequest.Method, _ path: String) -> Int? {
                forwardAuth.bodyLimit(
                    for: HTTPRequest(method: method, scheme: nil, authority: nil, path: path, headerFields: [:])
                )
            }
            for path in ["/forward-auth", "/forward-auth?x=1", "/forward-auth/orders/7", "/forward-auth/a?b"] {
                #expect(limit(.get, path) == 0, "\(path)")
            }
            for path in ["/forward-auth/", "/forward-auth//x", "/forward-auth/?x", "/forward-authx", "/verify"] {
                #expect(limit(.get, path) == nil, "\(path)")
            }
            // A HEAD answer drops the body of a refusal: the router's.
            #expect(limit(.head, "/forward-auth") == nil)
            #expect(limit(.post, "/forward-auth") == 0)
        }
    }

    @Test func forwardAuthRefusalsOverTheLimitAndUseAreTheRoutersToo() async throws {
        try await Self.withWorld { world in
            _ = try await world.admin.setScopes(try Scopes(["orders:read"]), integrationID: world.integration.id)
            // A lease of 5 permits (a twentieth of a second at 100 a second), a burst of 20.
            let plans = RatePlans(overrides: [.enterprise: RatePlan(requestsPerSecond: 100, burst: 20, dailyQuota: nil)]
            )
            let path = Scratch.path(".yaml")
            try ForwardAuthFixture.writePolicy(ForwardAuthFixture.policyText, to: path)
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, ratePlans: plans)
            configuration.routePolicy = try RoutePolicySource(path: path)
            let usage = UsageRecorder()
            let routes = try buildRoutes(
                configuration: configuration,
                store: world.store,
                authenticator: world.authenticator,
                usage: usage,
                logger: TestWorld.quietLogger
            )
            let inline = routes.inline
            let allowed =
                ForwardAuthFixture.original("GET", "/orders/42")
                + [HTTPField(name: .authorization, value: "Bearer \(world.token)")]
            try await Application(router: routes.router).test(.router) { client in
                // The clock stands still: the burst is spent, by both paths, and then refused.
                var answeredHere = 0
                var refusal: PreparedAnswer?
                for _ in 0..<100 where refusal == nil {
                    if let answer = try Self.answer(inline, Self.request(.get, "/forward-auth", allowed)) {
                        if answer.status == .tooManyRequests { refusal = answer } else { answeredHere += 1 }
                    } else {
                        _ = try await client.execute(uri: "/forward-auth", method: .get, headers: allowed) { $0 }
                    }
                }
                let answered = try #require(refusal)
                #expect(answeredHere >= 10)
                let routed = try await client.execute(uri: "/forward-auth", method: .get, headers: allowed) { $0 }
                #expect(routed.status == .tooManyRequests)
                #expect(Self.names(answered.headers) == Self.names(routed.headers))
                for name in Self.comparedFields {
                    #expect(answered.headers[name] == routed.headers[name], "\(name)")
                }
                #expect(
                    try Self.withoutRequestID(answered.body) == Self.withoutRequestID(routed.body.readableBytesView)
                )
            }
            // Every answer given here was counted against the token, as the router counts its own.
            try await usage.flush(to: world.store)
            let key = try #require(try await world.store.tokens(integrationID: world.integration.id).first)
            #expect(key.useCount >= 22)
        }
    }

    @Test func verifyAnswersFromMemoryWhatTheRouterAnswers() async throws {
        try await Self.withWorld { world in try await verify(world) }
    }

    func verify(_ world: TestWorld) async throws {
        _ = try await world.admin.setScopes(try Scopes(["orders:read"]), integrationID: world.integration.id)
        let (service, _) = try await world.otherIntegration(capabilities: Capabilities(content: [], userInfo: .none))
        let (key, _) = try await world.admin.createVerifierKey(integrationID: service.id)
        let routes = try Self.routes(world)
        let inline = routes.inline
        let fields: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        let valid = #"{"token": "\#(world.token)", "scopes": ["orders:read"]}"#
        let lacking = #"{"token": "\#(world.token)", "scopes": ["orders:write"]}"#

        #expect(try Self.answer(inline, Self.request(.post, "/verify", fields, body: valid)) == nil)
        try await Application(router: routes.router).test(.router) { client in
            for body in [valid, lacking] {
                let routed = try await client.execute(
                    uri: "/verify",
                    method: .post,
                    headers: fields,
                    body: ByteBuffer(string: body)
                ) { $0 }
                let answered = try #require(try Self.answer(inline, Self.request(.post, "/verify", fields, body: body)))
                #expect(routed.status == .ok)
                #expect(answered.status == .ok)
                #expect(Self.names(answered.headers) == Self.names(routed.headers))
                var routedObject = try Self.withoutRequestID(routed.body.readableBytesView) as! [String: Any]
                var answeredObject = try Self.withoutRequestID(answered.body) as! [String: Any]
                // The second request took one more permit.
                routedObject["rate_limit"] = nil
                answeredObject["rate_limit"] = nil
                #expect(answeredObject as NSDictionary == routedObject as NSDictionary, "\(body)")
            }
            // What only the router says: an invalid body, a token it does not know.
            for body in [#"{"token": 7}"#, #"{"token": "secret_\#(String(repeating: "y", count: 46))"}"#, "{"] {
                #expect(try Self.answer(inline, Self.request(.post, "/verify", fields, body: body)) == nil, "\(body)")
            }
            // Without a verifier key, nothing is answered here.
            let bearer: HTTPFields = [.authorization: "Bearer \(world.token)", .contentType: "application/json"]
            #expect(try Self.answer(inline, Self.request(.post, "/verify", bearer, body: valid)) == nil)
        }
    }
}

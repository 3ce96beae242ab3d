import Foundation
import GatehouseAdmin
import GatehouseClient
import GatehouseCore
import GatehouseHummingbird
import GatehouseServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The SDK's Hummingbird middleware protecting another application, against a live Gatehouse.
@Suite(.timeLimit(.minutes(1))) struct HummingbirdMiddlewareTests {
    struct ServiceContext: GatehouseVerifiedContext {
        var coreContext: CoreRequestContextStorage
        var gatehouse: Verification?
        init(source: Source) { self.coreContext = .init(source: source) }
    }

    static func service(gatehouse port: Int, key: String) -> some ApplicationProtocol {
        let verifier = TokenVerifier(baseURL: URL(string: "http://127.0.0.1:\(port)")!, verifierKey: key)
        let router = Router(context: ServiceContext.self)
        router.group("orders").add(middleware: GatehouseAuthMiddleware(verifier: verifier, requiring: ["orders:read"]))
            .get { _, context in
                "orders of \(context.gatehouse?.integrationId ?? "nobody")"
            }
        return Application(router: router)
    }

    @Test func aProtectedRouteSeesTheIdentityAndRefusalsLookLikeTheAPIs() async throws {
        let world = try await TestWorld.make()
        _ = try await world.admin.setScopes(try Scopes(["orders:read"]), integrationID: world.integration.id)
        let (narrow, narrowToken) = try await world.otherIntegration(capabilities: .all)
        let (service, _) = try await world.otherIntegration(capabilities: Capabilities(content: [], userInfo: .none))
        let (key, _) = try await world.admin.createVerifierKey(integrationID: service.id)
        try await world.test(.live) { gatehouse in
            let port = try #require(gatehouse.port)
            try await Self.service(gatehouse: port, key: key).test(.router) { client in
                let allowed = try await client.call(.get, "/orders", token: world.token, version: nil)
                #expect(allowed.status == 200)
                #expect(allowed.text == "orders of \(world.integration.id)")

                let missing = try await client.call(.get, "/orders", token: nil, version: nil)
                #expect(missing.status == 401)
                #expect(missing.code == "unauthorized")

                let outOfScope = try await client.call(.get, "/orders", token: narrowToken, version: nil)
                #expect(outOfScope.status == 403)
                #expect(outOfScope.code == "restricted_resource")
                #expect(narrow.scopes.isEmpty)

                // A revocation reaches the service within the cache's second.
                _ = try await world.admin.revokeTokens(integrationID: world.integration.id)
                var status = 200
                let start = ContinuousClock.now
                while status == 200, ContinuousClock.now - start < .seconds(3) {
                    status = try await client.call(.get, "/orders", token: world.token, version: nil).status
                    if status == 200 { try await Task.sleep(for: .milliseconds(50)) }
                }
                let elapsed = ContinuousClock.now - start
                #expect(status == 401)
                #expect(elapsed < .milliseconds(1_500), "revocation took \(elapsed)")
            }
        }
    }
}

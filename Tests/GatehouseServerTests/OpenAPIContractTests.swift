import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatehouseServer

/// `docs/openapi.yaml` stays true: it describes exactly the routes the server registers, and it is
/// what `/v1/openapi.json` serves. (CI also validates it with openapi-spec-validator.)
@Suite(.timeLimit(.minutes(1))) struct OpenAPIContractTests {
    @Test func theDocumentDescribesEveryRouteTheServerRegistersAndNoOther() async throws {
        let world = try await TestWorld.make()
        // Every optional route on: client registration too.
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.clientRegistrationWorkspace = world.workspace.id
        let router = try buildRouter(
            configuration: configuration,
            store: world.store,
            authenticator: world.authenticator,
            logger: TestWorld.quietLogger
        )
        let registered = Set(
            router.routes.map { route in
                let path = route.path.description
                return "\(route.method.rawValue) \(path.hasPrefix("/") ? path : "/" + path)"
            }
        )
        let document = try OpenAPIDocument.load()
        #expect(registered.count > 30)
        #expect(registered.subtracting(document.operations).sorted() == [], "routes the document lacks")
        #expect(document.operations.subtracting(registered).sorted() == [], "operations the server lacks")
        await world.store.shutdown()
    }

    @Test func theDocumentIsServedAsJSONWithoutAuthentication() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(.get, "/v1/openapi.json", token: nil, version: nil)
            #expect(result.status == 200)
            #expect(result.headers[.contentType] == "application/json; charset=utf-8")
            #expect(result.json["openapi"] as? String == "3.1.0")
            let paths = try #require(result.json["paths"] as? [String: Any])
            #expect(paths["/v1/users/me"] != nil)
            #expect(paths["/v1/oauth/token"] != nil)
        }
    }
}

import Foundation
import GatehouseServer
import HTTPTypes

/// What the tests that go through `/forward-auth` share: a route policy with two scopes, the
/// server configured with it, and the headers in which a reverse proxy forwards the original request.
enum ForwardAuthFixture {
    /// A policy declaring `orders:read` and `orders:write`, denying routes it does not name.
    static let policyText = """
        scopes:
          - {name: "orders:read", description: "Read your orders"}
          - {name: "orders:write", description: "Change your orders"}
        default: deny
        routes:
          - {methods: [GET], path: /orders/**, scopes: ["orders:read"]}
          - {methods: [POST, DELETE], path: /orders/:id, scopes: ["orders:write"]}
          - {path: /whoami}
        """

    /// Writes a policy file.
    static func writePolicy(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The headers in which a reverse proxy forwards the original request.
    static func original(_ method: String, _ uri: String, host: String = "api.example.com") -> HTTPFields {
        var fields = HTTPFields()
        fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-Method")!, value: method))
        fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-Uri")!, value: uri))
        fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-Host")!, value: host))
        return fields
    }

    /// A configuration change that loads the policy at `path`.
    static func configured(policy path: String) -> (inout ServerConfiguration) -> Void {
        { $0.routePolicy = try! RoutePolicySource(path: path) }
    }
}

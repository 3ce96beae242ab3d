import GatehouseCore
import Testing

@Suite struct RoutePolicyTests {
    static func policy(default fallback: String = "deny") throws -> RoutePolicy {
        try RoutePolicy(
            RoutePolicy.Document(
                scopes: [
                    .init(name: "orders:read", description: "Read your orders"),
                    .init(name: "orders:write", description: "Change your orders"),
                ],
                default: fallback,
                routes: [
                    .init(methods: ["GET", "HEAD"], path: "/orders/**", host: nil, scopes: ["orders:read"]),
                    .init(methods: ["post", "DELETE"], path: "/orders/:id", host: nil, scopes: ["orders:write"]),
                    .init(
                        methods: nil,
                        path: "/admin/*",
                        host: "*.internal.example",
                        scopes: ["orders:read", "orders:write"]
                    ),
                    .init(methods: nil, path: "/health", host: nil, scopes: nil),
                ]
            )
        )
    }

    @Test func theFirstMatchingRuleNamesTheScopes() throws {
        let policy = try Self.policy()
        #expect(policy.decision(method: "GET", uri: "/orders", host: nil) == .requires(try Scopes(["orders:read"])))
        #expect(
            policy.decision(method: "get", uri: "/orders/7/lines?x=1", host: nil)
                == .requires(try Scopes(["orders:read"]))
        )
        #expect(
            policy.decision(method: "DELETE", uri: "/orders/7", host: nil) == .requires(try Scopes(["orders:write"]))
        )
        #expect(policy.decision(method: "GET", uri: "/health", host: "api.example") == .requires(Scopes()))
        #expect(
            policy.decision(method: "PUT", uri: "/admin/users", host: "eu.internal.example:8443")
                == .requires(try Scopes(["orders:read", "orders:write"]))
        )
    }

    @Test func whatNoRuleNamesFollowsTheDefault() throws {
        guard case .deny = try Self.policy().decision(method: "DELETE", uri: "/orders/7/lines", host: nil) else {
            Issue.record("a route no rule names passed a deny-by-default policy")
            return
        }
        guard case .deny = try Self.policy().decision(method: "GET", uri: "/admin/users", host: "internal.example")
        else {
            Issue.record("a host rule matched the bare parent domain")
            return
        }
        #expect(
            try Self.policy(default: "authenticate").decision(method: "PATCH", uri: "/else", host: nil)
                == .requires(Scopes())
        )
    }

    @Test func pathsNotInNormalFormAreDeniedWhateverTheRules() throws {
        let policy = try Self.policy(default: "authenticate")
        for uri in [
            "/orders/../admin/x", "/orders/./7", "/orders/%2e%2e/admin", "/orders/a%2Fb", "/orders/a\\b", "orders",
            "/orders/%2E%2E/admin", "/orders/a%5cb", "/orders/a%5Cb", "/orders/x%2f",
        ] {
            guard case .deny = policy.decision(method: "GET", uri: uri, host: nil) else {
                Issue.record("\(uri) was not denied")
                continue
            }
        }
        // Other escapes, an escaped percent sign among them, are no separators.
        for uri in ["/orders/a%20b", "/orders/%252f", "/orders/%41?q=%2f"] {
            guard case .requires = policy.decision(method: "GET", uri: uri, host: nil) else {
                Issue.record("\(uri) was denied")
                continue
            }
        }
    }

    @Test func aBadDocumentIsRefusedWithTheRuleThatIsWrong() {
        func problem(_ routes: [RoutePolicy.Document.Route], default fallback: String? = nil) -> String? {
            do {
                _ = try RoutePolicy(
                    .init(scopes: [.init(name: "a", description: "A")], default: fallback, routes: routes)
                )
                return nil
            } catch {
                return error.description
            }
        }
        #expect(problem([.init(methods: nil, path: "/x", host: nil, scopes: ["b"])])?.contains("not declared") == true)
        #expect(problem([.init(methods: nil, path: "x", host: nil, scopes: nil)])?.contains("start with /") == true)
        #expect(problem([.init(methods: nil, path: "/**/x", host: nil, scopes: nil)])?.contains("last segment") == true)
        #expect(
            problem([.init(methods: ["FETCH"], path: "/x", host: nil, scopes: nil)])?.contains("unknown method") == true
        )
        #expect(problem([], default: "allow")?.contains("deny or authenticate") == true)
        #expect(problem([.init(methods: nil, path: "/x", host: nil, scopes: ["a"])]) == nil)
    }

    @Test func scopesAreValidatedAndCompared() throws {
        let held = try Scopes(parsing: "orders:read, orders:write billing/view")
        #expect(held.spaceSeparated == "billing/view orders:read orders:write")
        #expect(held.covers(try Scopes(["orders:read"])))
        #expect(!held.covers(try Scopes(["orders:read", "admin"])))
        #expect(throws: ScopeError.self) { try Scopes(parsing: "ok bad\"scope") }
        #expect(throws: ScopeError.self) { try Scopes([String(repeating: "a", count: 65)]) }
    }
}

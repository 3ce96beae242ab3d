import GatehouseCore
import Testing

/// RFC 6749's `scope` parameter over Notion's capabilities and a deployment's own scopes.
@Suite struct ScopeRequestTests {
    let held = try! Scopes(["orders:read", "orders:write"])

    @Test func capabilityNamesAreAcceptedButGrantNoDeploymentScope() throws {
        let parsed = try ScopeRequest.parse("read_content orders:read  insert_content", held: held).get()
        #expect(parsed.names == ["insert_content", "orders:read", "read_content"])
        #expect(ScopeRequest.granted(requested: parsed, held: held).names == ["orders:read"])
        #expect(try ScopeRequest.parse("", held: held).get().isEmpty)
    }

    @Test func aScopeTheClientDoesNotHoldIsInvalidScope() {
        let result = ScopeRequest.parse("orders:read billing:admin", held: held)
        guard case .failure(let error) = result else {
            Issue.record("accepted \(result)")
            return
        }
        #expect(error.error == "invalid_scope")
        #expect(error.description.contains("billing:admin"))
        #expect(!error.description.contains("orders:read"))
    }

    @Test func aMalformedScopeIsInvalidScope() {
        let result = ScopeRequest.parse("orders:read <script>", held: held)
        guard case .failure(let error) = result else {
            Issue.record("accepted \(result)")
            return
        }
        #expect(error.error == "invalid_scope")
    }

    @Test func theGrantIsTheRequestedScopesTheClientStillHolds() throws {
        #expect(ScopeRequest.granted(requested: nil, held: held) == held)
        let asked = try Scopes(["orders:write", "orders:export"])
        #expect(ScopeRequest.granted(requested: asked, held: held).names == ["orders:write"])
        #expect(ScopeRequest.granted(requested: Scopes(), held: held).isEmpty)
    }

    @Test func theTokenResponseStatesTheGrantInTheRequestsTerms() throws {
        let capabilities = try Capabilities(names: ["read_content"])
        let asked = try Scopes(["read_content", "insert_content", "orders:read"])
        let granted = try Scopes(["orders:read"])
        // insert_content is not the integration's: the stated scope shows the change.
        #expect(
            ScopeRequest.tokenResponseValue(requested: asked, capabilities: capabilities, scopes: granted)
                == "read_content orders:read"
        )
        #expect(
            ScopeRequest.tokenResponseValue(requested: granted, capabilities: capabilities, scopes: granted)
                == "orders:read"
        )
        #expect(
            ScopeRequest.tokenResponseValue(requested: nil, capabilities: capabilities, scopes: held)
                == "read_content no_user_info orders:read orders:write"
        )
        #expect(ScopeRequest.tokenResponseValue(requested: nil, capabilities: capabilities, scopes: Scopes()) == nil)
    }

    @Test func introspectionListsEveryCapabilityThenEveryScope() throws {
        let capabilities = try Capabilities(names: ["read_content"])
        #expect(
            ScopeRequest.introspectionValue(capabilities: capabilities, scopes: held)
                == "read_content no_user_info orders:read orders:write"
        )
        #expect(
            ScopeRequest.introspectionValue(capabilities: capabilities, scopes: Scopes()) == "read_content no_user_info"
        )
    }
}

import Foundation
import Testing

@testable import GatehouseCore

/// RFC 7591 registration metadata and RFC 8707 resource indicators: what MCP clients send.
@Suite struct ClientRegistrationTests {
    static func parse(_ json: String) -> Result<ClientRegistration, ClientRegistrationError> {
        do {
            return .success(try ClientRegistration.parse(try JSONValue.parse(Data(json.utf8))))
        } catch let error as ClientRegistrationError {
            return .failure(error)
        } catch {
            return .failure(.metadata("not JSON"))
        }
    }

    @Test func whatTheMCPSDKSendsRegistersAConfidentialClientByDefault() throws {
        let registration = try Self.parse(
            #"{"redirect_uris": ["http://localhost:3030/callback"], "client_name": "  Claude  ", "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"], "scope": "read_content", "application_type": "native"}"#
        ).get()
        #expect(registration.clientName == "Claude")
        #expect(registration.redirectURIs == ["http://localhost:3030/callback"])
        #expect(registration.tokenEndpointAuthMethod == "client_secret_basic")
        #expect(registration.confidential)
        let publicClient = try Self.parse(
            #"{"redirect_uris": ["com.example.app:/cb"], "token_endpoint_auth_method": "none"}"#
        ).get()
        #expect(!publicClient.confidential)
        #expect(publicClient.clientName == "Registered client")
    }

    @Test func badMetadataIsRefusedWithTheRFCsErrorCodes() {
        func code(_ json: String) -> String? {
            guard case .failure(let error) = Self.parse(json) else { return nil }
            return error.error
        }
        #expect(code(#"{"client_name": "x"}"#) == "invalid_redirect_uri")
        #expect(code(#"{"redirect_uris": []}"#) == "invalid_redirect_uri")
        #expect(code(#"{"redirect_uris": ["http://evil.example/cb"]}"#) == "invalid_redirect_uri")
        #expect(code(#"{"redirect_uris": ["https://a.example/cb#frag"]}"#) == "invalid_redirect_uri")
        #expect(code(#"{"redirect_uris": "https://a.example/cb"}"#) == "invalid_client_metadata")
        #expect(code(#"{"redirect_uris": ["https://a.example/cb", 3]}"#) == "invalid_client_metadata")
        let uri = #"{"redirect_uris": ["https://a.example/cb"], "#
        #expect(code(uri + #""token_endpoint_auth_method": "private_key_jwt"}"#) == "invalid_client_metadata")
        #expect(code(uri + #""grant_types": ["client_credentials"]}"#) == "invalid_client_metadata")
        #expect(code(uri + #""response_types": ["token"]}"#) == "invalid_client_metadata")
        #expect(code(uri + #""client_name": 7}"#) == "invalid_client_metadata")
        #expect(code(uri + "\"client_name\": \"\(String(repeating: "n", count: 101))\"}") == "invalid_client_metadata")
        #expect(code(uri + "\"client_name\": \"Notion\u{202E}gnitekram\"}") == "invalid_client_metadata")
        #expect(code("[1]") == "invalid_client_metadata")
        let many = (0...20).map { "\"https://a.example/\($0)\"" }.joined(separator: ",")
        #expect(code("{\"redirect_uris\": [\(many)]}") == "invalid_redirect_uri")
    }

    @Test func aResourceMustNameThisDeployment() {
        let issuer = "https://auth.example.com"
        #expect(ResourceIndicator.problem([], issuer: issuer) == nil)
        #expect(ResourceIndicator.problem(["https://auth.example.com/mcp"], issuer: issuer) == nil)
        #expect(
            ResourceIndicator.problem(["https://AUTH.example.com:443/mcp", "https://auth.example.com"], issuer: issuer)
                == nil
        )
        #expect(ResourceIndicator.problem(["https://other.example.com/mcp"], issuer: issuer)?.error == "invalid_target")
        #expect(ResourceIndicator.problem(["http://auth.example.com/mcp"], issuer: issuer)?.error == "invalid_target")
        #expect(
            ResourceIndicator.problem(["https://auth.example.com:8443/mcp"], issuer: issuer)?.error == "invalid_target"
        )
        #expect(
            ResourceIndicator.problem(["https://auth.example.com/mcp#x"], issuer: issuer)?.error == "invalid_target"
        )
        #expect(ResourceIndicator.problem(["/mcp"], issuer: issuer)?.error == "invalid_target")
        #expect(
            ResourceIndicator.problem(["https://auth.example.com/mcp", "https://evil.example/"], issuer: issuer)?.error
                == "invalid_target"
        )
        #expect(ResourceIndicator.origin(of: "http://127.0.0.1:8080/x") == "http://127.0.0.1:8080")
        #expect(ResourceIndicator.origin(of: "HTTPS://Example.com/") == "https://example.com:443")
        #expect(ResourceIndicator.origin(of: "not a url") == nil)
    }

    @Test func anAuthorizationRequestMayRepeatResourceButNothingElse() throws {
        let client = OAuthClientSettings(
            clientID: "c",
            redirectURIs: ["https://a.example/cb"],
            expiringTokens: true,
            confidential: true
        )
        let issuer = "https://auth.example.com"
        var values: [String: [String]] = [
            "client_id": ["c"], "response_type": ["code"], "state": ["s"],
            "resource": ["https://auth.example.com/mcp", "https://auth.example.com/v1"],
        ]
        let request = try AuthorizationRequest.validate(values, client: client, issuer: issuer).get()
        #expect(request.resources == ["https://auth.example.com/mcp", "https://auth.example.com/v1"])
        #expect(request.parameters.filter { $0.0 == "resource" }.map(\.1) == request.resources)
        values["resource"] = ["https://elsewhere.example/mcp"]
        guard
            case .failure(.redirect(let error, to: "https://a.example/cb", state: "s")) =
                AuthorizationRequest.validate(values, client: client, issuer: issuer)
        else {
            Issue.record("a resource of another server is an invalid_target sent back to the client")
            return
        }
        #expect(error.error == "invalid_target")
    }
}

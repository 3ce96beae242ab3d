import Foundation

/// An RFC 7591 dynamic client registration request, validated: what `POST /v1/oauth/register`
/// turns into a public integration (an OAuth client), as MCP clients register themselves.
public struct ClientRegistration: Sendable, Equatable {
    /// `client_name`, or a name that says where the client came from.
    public var clientName: String
    /// `redirect_uris`, each allowed by ``RedirectURI/registrationProblem(_:)``.
    public var redirectURIs: [String]
    /// `token_endpoint_auth_method`: `none` (a public client, which must use PKCE),
    /// `client_secret_basic` (RFC 7591's default) or `client_secret_post`.
    public var tokenEndpointAuthMethod: String

    /// Whether the client gets a secret.
    public var confidential: Bool { tokenEndpointAuthMethod != "none" }

    /// The content capabilities a registered client holds; the person who authorizes it still
    /// picks the pages it may reach. It never learns email addresses.
    public static let capabilities = Capabilities(
        content: [.readContent, .updateContent, .insertContent, .readComments, .insertComments],
        userInfo: .withoutEmail
    )

    static let authMethods = ["none", "client_secret_basic", "client_secret_post"]
    static let supportedGrantTypes = ["authorization_code", "refresh_token"]

    /// Validates the request's JSON body (RFC 7591 §2, §3.1). Unknown metadata is ignored, as
    /// §2 asks; known metadata with a value this server cannot honour is refused.
    public static func parse(_ body: JSONValue) throws(ClientRegistrationError) -> ClientRegistration {
        guard case .object = body else { throw .metadata("The body should be a JSON object.") }
        guard let uris = try strings("redirect_uris", in: body), !uris.isEmpty else {
            throw .redirectURI("redirect_uris is required: at least one redirect URI.")
        }
        guard uris.count <= 20 else { throw .redirectURI("At most 20 redirect URIs.") }
        for uri in uris {
            if let problem = RedirectURI.registrationProblem(uri) { throw .redirectURI(problem) }
        }
        let method = try string("token_endpoint_auth_method", in: body) ?? "client_secret_basic"
        guard authMethods.contains(method) else {
            throw .metadata(
                "token_endpoint_auth_method should be one of \(authMethods.joined(separator: ", ")), "
                    + "instead was \"\(method.prefix(40))\"."
            )
        }
        // Whatever is asked, the client gets both (its tokens expire and come with a refresh token).
        if let other = try strings("grant_types", in: body)?.first(where: { !supportedGrantTypes.contains($0) }) {
            throw .metadata("grant_types: \"\(other.prefix(60))\" is not supported.")
        }
        if let other = try strings("response_types", in: body)?.first(where: { $0 != "code" }) {
            throw .metadata("response_types: only \"code\" is supported, not \"\(other.prefix(40))\".")
        }
        var name = (try string("client_name", in: body) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.count <= 100 else { throw .metadata("client_name is too long (at most 100 characters).") }
        if !name.isEmpty {
            // The consent page shows it: no bidi overrides or controls to spoof it with.
            do { name = try DisplayName.validate(name) } catch { throw .metadata("client_name \(error)") }
        }
        return ClientRegistration(
            clientName: name.isEmpty ? "Registered client" : name,
            redirectURIs: uris,
            tokenEndpointAuthMethod: method
        )
    }

    private static func strings(_ name: String, in body: JSONValue) throws(ClientRegistrationError) -> [String]? {
        switch body[name] {
        case nil, .null?: return nil
        case .array(let items)?:
            let texts = items.compactMap(\.stringValue)
            guard texts.count == items.count else { throw .metadata("\(name) should hold strings only.") }
            return texts
        default: throw .metadata("\(name) should be an array of strings.")
        }
    }

    private static func string(_ name: String, in body: JSONValue) throws(ClientRegistrationError) -> String? {
        switch body[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw .metadata("\(name) should be a string.")
        }
    }
}

/// Why a registration was refused (RFC 7591 §3.2.2): 400 with `error` and `error_description`.
public struct ClientRegistrationError: Error, Sendable, Equatable {
    /// `invalid_redirect_uri` or `invalid_client_metadata`.
    public var error: String
    public var description: String

    public static func redirectURI(_ description: String) -> ClientRegistrationError {
        ClientRegistrationError(error: "invalid_redirect_uri", description: description)
    }

    public static func metadata(_ description: String) -> ClientRegistrationError {
        ClientRegistrationError(error: "invalid_client_metadata", description: description)
    }
}

/// A validated `GET /v1/oauth/authorize` request.
public struct AuthorizationRequest: Sendable, Equatable {
    public var clientID: String
    /// Where the answer goes: the requested URI (registered) or the only registered one.
    public var redirectURI: String
    /// The redirect URI exactly as requested (`nil` when omitted); the code is bound to it.
    public var requestedRedirectURI: String?
    public var state: String?
    public var owner: BotOwnerKind
    public var codeChallenge: String?
    /// The names sent in `scope` (RFC 6749 §3.3): deployment scopes the client holds, and any of
    /// Notion's capability names (which narrow nothing: capabilities come from the integration);
    /// `nil` when the request sent none (the grant then gets every scope the client holds).
    public var scopes: Scopes?
    /// The RFC 8707 `resource` values sent (each a URL of this deployment, which
    /// ``ResourceIndicator`` checked); carried along so the forms repeat them.
    public var resources: [String] = []

    /// The query parameters that reproduce this request (for the forms that carry it along).
    public var parameters: [(String, String)] {
        var parameters: [(String, String)] = [
            ("client_id", clientID), ("response_type", "code"), ("owner", owner.rawValue),
        ]
        if let requestedRedirectURI { parameters.append(("redirect_uri", requestedRedirectURI)) }
        if let state { parameters.append(("state", state)) }
        if let codeChallenge {
            parameters.append(("code_challenge", codeChallenge))
            parameters.append(("code_challenge_method", PKCE.method))
        }
        if let scopes { parameters.append(("scope", scopes.spaceSeparated)) }
        parameters += resources.map { ("resource", $0) }
        return parameters
    }

    public static func == (lhs: AuthorizationRequest, rhs: AuthorizationRequest) -> Bool {
        lhs.clientID == rhs.clientID && lhs.redirectURI == rhs.redirectURI
            && lhs.requestedRedirectURI == rhs.requestedRedirectURI && lhs.state == rhs.state
            && lhs.owner == rhs.owner && lhs.codeChallenge == rhs.codeChallenge && lhs.scopes == rhs.scopes
            && lhs.resources == rhs.resources
    }
}

/// Why an authorization request failed, which decides how the failure is shown.
public enum AuthorizationRequestFailure: Error, Sendable, Equatable {
    /// The client or redirect URI cannot be trusted: show an error page, never redirect (RFC 6749
    /// §4.1.2.1, RFC 9700 §4.11: no open redirector).
    case untrustedRedirect(String)
    /// A problem the client should hear about at its (verified) redirect URI.
    case redirect(OAuthError, to: String, state: String?)
}

extension AuthorizationRequest {
    /// Validates raw query parameters (`values[name]` holds every value sent for `name`) against
    /// the client they name (`nil` when no public integration has that `client_id`) and the
    /// deployment scopes that client holds (what `scope` may ask for). With `issuer`, each
    /// `resource` must name that deployment (``ResourceIndicator``).
    public static func validate(
        _ values: [String: [String]],
        client: OAuthClientSettings?,
        clientScopes: Scopes = Scopes(),
        issuer: String? = nil
    ) -> Result<AuthorizationRequest, AuthorizationRequestFailure> {
        func single(_ name: String) -> String? { values[name]?.count == 1 ? values[name]?.first : nil }
        guard let clientID = single("client_id"), !clientID.isEmpty else {
            return .failure(.untrustedRedirect("The request has no client_id (or more than one)."))
        }
        guard let client, client.clientID == clientID else {
            return .failure(.untrustedRedirect("No integration has this client_id."))
        }
        if (values["redirect_uri"]?.count ?? 0) > 1 {
            return .failure(.untrustedRedirect("The request has more than one redirect_uri."))
        }
        let requested = single("redirect_uri")
        guard let redirectURI = RedirectURI.resolve(requested: requested, registered: client.redirectURIs) else {
            return .failure(
                .untrustedRedirect(
                    requested == nil
                        ? "The request has no redirect_uri and the integration registered several."
                        : "The redirect_uri is not one the integration registered."
                )
            )
        }
        // From here on the redirect URI is trusted: errors go back to the client.
        let stateValues = values["state"] ?? []
        let state = stateValues.first
        func fail(_ error: OAuthError) -> Result<AuthorizationRequest, AuthorizationRequestFailure> {
            .failure(.redirect(error, to: redirectURI, state: state))
        }
        // RFC 8707 §2: `resource` may be sent several times; no other parameter may.
        if let repeated = values.first(where: { $0.value.count > 1 && $0.key != "resource" })?.key {
            return fail(.invalidRequest("The parameter \(repeated) is repeated."))
        }
        guard let responseType = single("response_type") else {
            return fail(.invalidRequest("response_type is required and should be \"code\"."))
        }
        guard responseType == "code" else { return fail(.unsupportedResponseType(responseType)) }
        if let state, state.utf8.count > 2_000 {
            return fail(.invalidRequest("state is too long (at most 2000 bytes)."))
        }
        let owner: BotOwnerKind
        switch single("owner") {
        case nil: owner = .user
        case let value?:
            guard let parsed = BotOwnerKind(rawValue: value) else {
                return fail(.invalidRequest("owner should be \"user\" or \"workspace\"."))
            }
            owner = parsed
        }
        let challenge = single("code_challenge")
        let method = single("code_challenge_method")
        if let challenge {
            guard method == nil || method == PKCE.method else {
                return fail(
                    .invalidRequest("code_challenge_method should be \"S256\"; the plain method is not supported.")
                )
            }
            guard PKCE.isValidChallenge(challenge) else {
                return fail(.invalidRequest("code_challenge should be a base64url SHA-256 digest (43 characters)."))
            }
        } else if method != nil {
            return fail(.invalidRequest("code_challenge_method was sent without a code_challenge."))
        } else if !client.confidential {
            return fail(
                .invalidRequest("This client has no secret, so PKCE is required: send code_challenge with S256.")
            )
        }
        var scopes: Scopes?
        if let scope = single("scope") {
            switch ScopeRequest.parse(scope, held: clientScopes) {
            case .success(let requested): scopes = requested
            case .failure(let error): return fail(error)
            }
        }
        var request = AuthorizationRequest(
            clientID: clientID,
            redirectURI: redirectURI,
            requestedRedirectURI: requested,
            state: state,
            owner: owner,
            codeChallenge: challenge
        )
        request.scopes = scopes
        let resources = values["resource"] ?? []
        if let issuer, let problem = ResourceIndicator.problem(resources, issuer: issuer) { return fail(problem) }
        request.resources = resources
        return .success(request)
    }
}

/// An OAuth 2.0 error (RFC 6749 §4.1.2.1 and §5.2): the RFC's `error` code, a description, and
/// the HTTP status the token endpoint answers with.
///
/// ``apiError`` carries both vocabularies, so Notion clients (which read `code` and `message`) and
/// generic OAuth clients (which read `error` and `error_description`) both understand it.
public struct OAuthError: Error, Sendable, Equatable {
    /// The RFC 6749 code: `invalid_request`, `invalid_client`, `invalid_grant`, …
    public var error: String
    /// A sentence for people; never contains a credential.
    public var description: String
    public var status: Int

    public init(error: String, description: String, status: Int = 400) {
        self.error = error
        self.description = description
        self.status = status
    }

    public static func invalidRequest(_ description: String) -> OAuthError {
        OAuthError(error: "invalid_request", description: description)
    }

    /// 401: the client could not be authenticated (unknown client, wrong or expired secret).
    public static func invalidClient(_ description: String) -> OAuthError {
        OAuthError(error: "invalid_client", description: description, status: 401)
    }

    /// 400: the code or refresh token is invalid, expired, revoked, used, or not this client's.
    public static func invalidGrant(_ description: String) -> OAuthError {
        OAuthError(error: "invalid_grant", description: description)
    }

    public static func unsupportedGrantType(_ grantType: String) -> OAuthError {
        OAuthError(
            error: "unsupported_grant_type",
            description:
                "grant_type should be \"authorization_code\" or \"refresh_token\", instead was \"\(grantType.prefix(40))\"."
        )
    }

    /// RFC 6749 §4.1.2.1 / §5.2: a requested scope that is malformed or that the client does not hold.
    public static func invalidScope(_ description: String) -> OAuthError {
        OAuthError(error: "invalid_scope", description: description)
    }

    public static func unsupportedResponseType(_ responseType: String) -> OAuthError {
        OAuthError(
            error: "unsupported_response_type",
            description: "response_type should be \"code\", instead was \"\(responseType.prefix(40))\"."
        )
    }

    /// RFC 8707 §2: a `resource` that is malformed or that this server does not serve.
    public static func invalidTarget(_ description: String) -> OAuthError {
        OAuthError(error: "invalid_target", description: description)
    }

    /// The resource owner refused (Cancel on the consent page).
    public static let accessDenied = OAuthError(
        error: "access_denied",
        description: "The user did not grant access.",
        status: 403
    )

    /// The error object of the API, with `error` and `error_description` added.
    public var apiError: APIError {
        let code =
            switch error {
            case "invalid_client": "unauthorized"
            case "invalid_grant": "invalid_grant"
            case "access_denied": "restricted_resource"
            default: "validation_error"
            }
        return APIError(status: status, code: code, message: description, oauthError: error)
    }
}

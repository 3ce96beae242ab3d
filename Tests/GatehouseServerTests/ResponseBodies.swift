import Foundation

/// The API's error object, as every failed API call returns it.
struct APIErrorBody: Decodable {
    let object: String
    let status: Int
    let code: String
    let message: String
    let requestID: String?

    enum CodingKeys: String, CodingKey {
        case object, status, code, message
        case requestID = "request_id"
    }
}

/// An OAuth error response (RFC 6749 §5.2), from the token, revocation and introspection endpoints.
struct OAuthErrorBody: Decodable {
    let error: String
    let errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}

/// A token endpoint's successful response (RFC 6749 §5.1): the members the tests read.
struct TokenResponse: Decodable {
    let accessToken: String
    let tokenType: String
    let refreshToken: String?
    let expiresIn: Int?
    let scope: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case refreshToken = "refresh_token"
        case expiresIn = "expires_in"
        case scope
    }
}

extension APIResult {
    /// The body decoded as `Body`, or nil when it is not one.
    func decoded<Body: Decodable>(_ type: Body.Type) -> Body? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The body as the API's error object, or nil when it is not one.
    var apiError: APIErrorBody? { decoded(APIErrorBody.self) }

    /// The body as an OAuth error response, or nil when it is not one.
    var oauthError: OAuthErrorBody? { decoded(OAuthErrorBody.self) }

    /// The body as a token response, or nil when it is not one.
    var tokenResponse: TokenResponse? { decoded(TokenResponse.self) }
}

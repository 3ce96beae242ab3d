/// The kinds of credential Gatehouse issues, told apart by their prefix.
public enum TokenKind: String, Sendable, CaseIterable, Codable {
    /// `secret_`: an internal integration's API key, long-lived until rotated or revoked.
    case internalKey = "secret"
    /// `bot_`: a public integration's OAuth bot token (non-expiring mode).
    case oauthBot = "bot"
    /// `nap_`: a short-lived OAuth access token (expiring mode).
    case oauthAccess = "nap"
    /// `nrt_`: an OAuth refresh token, rotated on every use.
    case oauthRefresh = "nrt"
    /// `ncs_`: a public integration's OAuth client secret (sent to the token endpoint, never as a
    /// bearer token).
    case clientSecret = "ncs"
    /// `nac_`: an OAuth authorization code, single use, valid for minutes.
    case authorizationCode = "nac"
    /// `gvk_`: a verifier key, held by a service that asks `POST /verify` about the tokens its
    /// clients present (never a bearer token of the API).
    case verifierKey = "gvk"

    /// The prefix, underscore included (`secret_`).
    public var prefix: String { rawValue + "_" }

    /// Whether a token of this kind may be sent as `Authorization: Bearer` to the `/v1` API.
    public var isBearer: Bool { self == .internalKey || self == .oauthBot || self == .oauthAccess }
}

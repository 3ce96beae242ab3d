/// An error as the API reports it: the seed's error object, with Notion's codes and messages.
///
/// A struct with static constructors rather than an enum, so that new codes do not break callers.
/// Every message is safe to show: none ever contains a token, secret or password.
public struct APIError: Error, Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The machine-readable code (`unauthorized`, `object_not_found`, …).
    public var code: String
    /// A sentence for people: what went wrong and, where it helps, what to do.
    public var message: String
    /// Extra fields (`integration_id` on a 404, `rate_limit_reason` on a 429).
    public var additionalData: [String: String]
    /// For the OAuth endpoints: RFC 6749's `error` code, sent beside `code` with `message` as
    /// `error_description`.
    public var oauthError: String?

    public init(
        status: Int,
        code: String,
        message: String,
        additionalData: [String: String] = [:],
        oauthError: String? = nil
    ) {
        self.oauthError = oauthError
        self.status = status
        self.code = code
        self.message = message
        self.additionalData = additionalData
    }

    /// 401: a missing, malformed, unknown, expired or revoked token. One message for all, so the
    /// answer says nothing about which.
    public static let unauthorized = APIError(status: 401, code: "unauthorized", message: "API token is invalid.")

    /// 400: no `Notion-Version` header.
    public static let missingVersion = APIError(
        status: 400,
        code: "missing_version",
        message:
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."
    )

    /// 400: a `Notion-Version` that is not one of the accepted values, which the message lists.
    public static func unsupportedVersion(_ value: String) -> APIError {
        let accepted = NotionVersion.accepted.map { "\"\($0)\"" }
        let list = accepted.dropLast().joined(separator: ", ") + ", or " + accepted.last!
        return APIError(
            status: 400,
            code: "validation_error",
            message:
                "Notion-Version header failed validation: Notion-Version header should be \(list), instead was \"\(value.prefix(64))\"."
        )
    }

    /// 403: the integration lacks a capability the endpoint needs.
    public static let missingCapability = APIError(
        status: 403,
        code: "restricted_resource",
        message: "Insufficient permissions for this endpoint."
    )

    /// 403: a resource of the integration's own workspace that is not shared with it (the seed's answer).
    public static let notShared = APIError(
        status: 403,
        code: "restricted_resource",
        message: "Integration does not have access to this resource."
    )

    /// 404: no such object, or one the integration may not know exists.
    public static func notFound(_ kind: String, id: String, integrationName: String, botID: String) -> APIError {
        APIError(
            status: 404,
            code: "object_not_found",
            message:
                "Could not find \(kind) with ID: \(id.prefix(64)). Make sure the relevant pages and databases are shared with your integration \"\(integrationName)\".",
            additionalData: ["integration_id": botID]
        )
    }

    /// 400: a path the API does not serve.
    public static let invalidRequestURL = APIError(
        status: 400,
        code: "invalid_request_url",
        message: "Invalid request URL."
    )

    /// 400: a body that is not JSON.
    public static let invalidJSON = APIError(status: 400, code: "invalid_json", message: "Error parsing JSON body.")

    /// 400: a JSON body or parameter that breaks the endpoint's rules; `message` names the path.
    public static func validation(_ message: String) -> APIError {
        APIError(status: 400, code: "validation_error", message: message)
    }

    /// 413: a body over the server's size limit.
    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            status: 413,
            code: "validation_error",
            message: "Request body too large: the limit is \(limit) bytes."
        )
    }

    /// 429: over the plan's rate or daily quota; the reason is in `additional_data`.
    public static func rateLimited(_ reason: RateLimitReason) -> APIError {
        let message =
            switch reason {
            case .rate: "You have been rate limited. Please try again in a few minutes."
            case .dailyQuota: "You have used this integration's daily request quota. It resets at 00:00 UTC."
            case .failedAuthentication:
                "Too many requests with invalid API tokens from this address. Please try again later."
            case .clientRegistration:
                "Too many clients registered from this address. Please try again later."
            }
        return APIError(
            status: 429,
            code: "rate_limited",
            message: message,
            additionalData: ["rate_limit_reason": reason.rawValue]
        )
    }

    /// 500: a fault of the server's own, never of the request.
    public static let internalError = APIError(
        status: 500,
        code: "internal_server_error",
        message: "Unexpected error occurred."
    )

    /// 503: the store cannot be reached; retry later.
    public static let serviceUnavailable = APIError(
        status: 503,
        code: "service_unavailable",
        message: "Gatehouse is unavailable, please try again later."
    )
}

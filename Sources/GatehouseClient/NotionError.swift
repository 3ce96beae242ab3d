import Foundation

/// Every failure of a call: an error object from the API, or a failure to reach it.
///
/// A struct with static codes (like ``Code/rateLimited``) rather than an enum, so codes added by
/// the API later do not break `switch`es in apps. Its description never contains a credential.
public struct NotionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The machine-readable code: the API's `code`, or one of the SDK's own for transport failures.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let unauthorized = Code(rawValue: "unauthorized")
        public static let restrictedResource = Code(rawValue: "restricted_resource")
        public static let objectNotFound = Code(rawValue: "object_not_found")
        public static let rateLimited = Code(rawValue: "rate_limited")
        public static let invalidJSON = Code(rawValue: "invalid_json")
        public static let invalidRequestURL = Code(rawValue: "invalid_request_url")
        public static let invalidRequest = Code(rawValue: "invalid_request")
        public static let validationError = Code(rawValue: "validation_error")
        public static let missingVersion = Code(rawValue: "missing_version")
        public static let invalidGrant = Code(rawValue: "invalid_grant")
        public static let conflictError = Code(rawValue: "conflict_error")
        public static let internalServerError = Code(rawValue: "internal_server_error")
        public static let serviceUnavailable = Code(rawValue: "service_unavailable")
        public static let gatewayTimeout = Code(rawValue: "gateway_timeout")
        public static let serviceOverload = Code(rawValue: "service_overload")
        /// The server could not be reached, or the connection failed mid-call.
        public static let transportFailure = Code(rawValue: "transport_failure")
        /// The response was not the API's JSON.
        public static let invalidResponse = Code(rawValue: "invalid_response")
        /// The OAuth callback's `state` was not the one sent (possible CSRF), or it carried an error.
        public static let oauthCallbackRejected = Code(rawValue: "oauth_callback_rejected")
        /// No credential is configured.
        public static let missingCredential = Code(rawValue: "missing_credential")
    }

    /// The HTTP status, or `nil` when no response arrived.
    public var status: Int?
    public var code: Code
    /// A sentence for people, with any credential removed.
    public var message: String
    /// The API's `request_id` (or `x-notion-request-id` header), for support requests.
    public var requestID: String?
    /// The seconds the server asked to wait (`Retry-After`), on a 429 or 503.
    public var retryAfter: Double?
    /// `additional_data` of the error object (`rate_limit_reason`, `integration_id`, …).
    public var additionalData: [String: String]

    public init(
        status: Int?,
        code: Code,
        message: String,
        requestID: String? = nil,
        retryAfter: Double? = nil,
        additionalData: [String: String] = [:]
    ) {
        self.status = status
        self.code = code
        self.message = Redactor.redact(message)
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.additionalData = additionalData
    }

    public var description: String {
        var text = "\(status.map { "\($0) " } ?? "")\(code): \(message)"
        if let requestID { text += " (request \(requestID))" }
        return text
    }

    /// The error for an unsuccessful response: the API's error object when the body is one.
    static func from(_ response: HTTPResponseData) -> NotionError {
        let requestIDHeader = response.header("x-notion-request-id")
        let retryAfter = response.header("retry-after").flatMap(RetryPolicy.parseRetryAfter)
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let code = object["code"] as? String
        else {
            return NotionError(
                status: response.status,
                code: response.status == 429 ? .rateLimited : .invalidResponse,
                message: "HTTP \(response.status) without an error object",
                requestID: requestIDHeader,
                retryAfter: retryAfter
            )
        }
        var additional: [String: String] = [:]
        for (key, value) in object["additional_data"] as? [String: Any] ?? [:] { additional[key] = "\(value)" }
        if let oauthError = object["error"] as? String { additional["error"] = oauthError }
        return NotionError(
            status: response.status,
            code: Code(rawValue: code),
            message: object["message"] as? String ?? object["error_description"] as? String ?? "",
            requestID: object["request_id"] as? String ?? requestIDHeader,
            retryAfter: retryAfter,
            additionalData: additional
        )
    }
}

import Foundation
import GatehouseCore

/// Where an integration is told about changes: a URL that receives signed `POST`s.
///
/// A subscription starts `pending`: the server makes a `verification_token` and posts it to the
/// URL, and the developer proves they received it by giving it back (`gatehouse webhook verify`).
/// The token is then the key every event is signed with: the server keeps it sealed (to sign)
/// and its SHA-256 (to check it, where the sealing key is not at hand).
public struct WebhookSubscription: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Created; its verification request is on its way and it is told nothing else.
        case pending
        /// Verified: events are delivered.
        case active
        /// Stopped by an operator: new events are not recorded for it.
        case paused
    }

    public var id: String
    /// The integration whose events these are: an internal integration, or a public one (then
    /// events come from every workspace that installed it).
    public var integrationID: String
    public var url: String
    /// The verification token, sealed with the server's sealing key; `nil` until the server made
    /// it (when it first sends the verification request).
    public var sealedToken: String?
    /// The token's SHA-256, lowercase hex; `nil` with ``sealedToken``.
    public var tokenDigest: String?
    /// The event types sent (empty: all).
    public var eventTypes: [WebhookEventType]
    /// The API version whose event names and shapes it is sent (one of ``apiVersions``).
    public var apiVersion: String
    public var status: Status
    public var createdAt: Date
    public var verifiedAt: Date?

    public init(
        id: String,
        integrationID: String,
        url: String,
        sealedToken: String? = nil,
        tokenDigest: String? = nil,
        eventTypes: [WebhookEventType],
        apiVersion: String = WebhookSubscription.apiVersions.last!,
        status: Status,
        createdAt: Date,
        verifiedAt: Date? = nil
    ) {
        self.apiVersion = apiVersion
        self.id = id
        self.integrationID = integrationID
        self.url = url
        self.sealedToken = sealedToken
        self.tokenDigest = tokenDigest
        self.eventTypes = eventTypes
        self.status = status
        self.createdAt = createdAt
        self.verifiedAt = verifiedAt
    }

    /// The API versions a subscription can be set to, oldest first (the newest is the default).
    public static let apiVersions = ["2022-06-28", "2025-09-03", "2026-03-11"]

    /// Whether its API version has data sources (2025-09-03 on): before, a data source's events
    /// are its database's (``WebhookEventType/named(forVersion:)``), about the database.
    public var knowsDataSources: Bool { apiVersion >= "2025-09-03" }

    /// Whether events of `type` go to this subscription.
    public func wants(_ type: WebhookEventType) -> Bool {
        status == .active && (eventTypes.isEmpty || eventTypes.contains(type))
            && type.named(forVersion: apiVersion) != nil
    }
}

/// Why a subscription cannot be made or verified, in a sentence for the operator.
public enum WebhookSubscriptionError: Error, Equatable, CustomStringConvertible {
    case unknownEventType(String)
    case unknownAPIVersion(String)
    case invalidURL(String)
    case wrongToken

    public var description: String {
        switch self {
        case .unknownEventType(let name):
            "\"\(name)\" is not a webhook event type; they are: "
                + WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
        case .unknownAPIVersion(let version):
            "webhooks are sent in API version "
                + WebhookSubscription.apiVersions.joined(separator: ", ") + ", not \"\(version.prefix(30))\""
        case .invalidURL(let reason): "the webhook URL \(reason)"
        case .wrongToken: "that is not the verification token sent to the subscription's URL"
        }
    }
}

/// The rules for a webhook's URL.
public enum WebhookTargetURL {
    /// The URL, if it may receive webhooks: `https`, or `http` to a loopback host only (a
    /// receiver on the developer's own machine; the verification token must not cross a network
    /// in the clear); a host; no user name or password; no fragment; at most 2,000 characters.
    /// Whether its addresses may be reached is decided when it is called
    /// (``OutboundAddressPolicy``).
    public static func validated(_ text: String) throws(WebhookSubscriptionError) -> URL {
        guard text.utf8.count <= 2_000 else { throw .invalidURL("is longer than 2,000 characters") }
        guard let components = URLComponents(string: text), let url = components.url,
            let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else { throw .invalidURL("must be an absolute http or https URL") }
        guard scheme == "https" || scheme == "http" else { throw .invalidURL("must use https") }
        if scheme == "http", !IPAddress.isLoopbackHost(host) {
            throw .invalidURL("must use https (http is accepted for localhost only)")
        }
        guard components.user == nil, components.password == nil else {
            throw .invalidURL("must not carry a user name or password")
        }
        guard components.fragment == nil else { throw .invalidURL("must not carry a fragment") }
        return url
    }
}

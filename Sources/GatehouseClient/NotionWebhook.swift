import Crypto
import Foundation

/// Receiving webhooks from Notion, or from a Gatehouse sandbox, which sends the same requests:
/// checking `X-Notion-Signature`, and reading the verification request and the events.
///
/// ```swift
/// let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))   // the bytes received
/// guard NotionWebhook.isValidSignature(request.headers["X-Notion-Signature"], body: body,
///                                      verificationToken: token) else { return 401 }
/// let event = try NotionWebhook.event(from: body)
/// switch event.type { case "page.created": … fetch event.entity.id through the API … }
/// ```
public enum NotionWebhook {
    /// The header that carries the signature: `sha256=` and the lowercase hex HMAC-SHA256 of the body.
    public static let signatureHeader = "X-Notion-Signature"

    /// Whether `signature` (the header's value) signs `body` — the exact bytes received, not a
    /// re-serialization — under the subscription's verification token; compared in constant time.
    public static func isValidSignature(
        _ signature: String?,
        body: some DataProtocol,
        verificationToken: String
    ) -> Bool {
        guard let signature, signature.hasPrefix("sha256=") else { return false }
        let hex = signature.dropFirst(7).lowercased()
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit), let given = Self.bytes(hex: hex) else { return false }
        let key = SymmetricKey(data: Data(verificationToken.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: key)
    }

    /// The token of a subscription's verification request (`{"verification_token": "secret_…"}`),
    /// or `nil` when `body` is an event.
    public static func verificationToken(in body: Data) -> String? {
        struct Verification: Decodable {
            let token: String
            enum CodingKeys: String, CodingKey { case token = "verification_token" }
        }
        return try? JSONDecoder().decode(Verification.self, from: body).token
    }

    /// The event `body` holds.
    public static func event(from body: Data) throws -> Event {
        try JSONDecoder().decode(Event.self, from: body)
    }

    /// One webhook event: what changed, not how — fetch the entity through the API for its state.
    public struct Event: Decodable, Sendable, Equatable {
        /// Stays the same across retries of one event: use it to ignore a repeat.
        public let id: String
        /// When it happened (ISO 8601); events may arrive out of order.
        public let timestamp: String
        public let workspaceID: String
        public let workspaceName: String?
        public let subscriptionID: String
        public let integrationID: String
        /// `page.created`, `comment.created`, `data_source.schema_updated`, …
        public let type: String
        public let authors: [Actor]
        /// Only for a public integration: its bot and the person who installed it.
        public let accessibleBy: [Actor]?
        /// 1 to 8.
        public let attemptNumber: Int
        public let apiVersion: String?
        public let entity: Actor
        /// `parent`, and `updated_blocks`, `updated_properties` or `page_id` as the type has them.
        public let data: JSONValue?

        enum CodingKeys: String, CodingKey {
            case id, timestamp, type, authors, entity, data
            case workspaceID = "workspace_id"
            case workspaceName = "workspace_name"
            case subscriptionID = "subscription_id"
            case integrationID = "integration_id"
            case accessibleBy = "accessible_by"
            case attemptNumber = "attempt_number"
            case apiVersion = "api_version"
        }
    }

    /// An id and its type: an author (`person`, `bot`), or the entity (`page`, `comment`, …).
    public struct Actor: Decodable, Sendable, Equatable {
        public let id: String
        public let type: String

        public init(id: String, type: String) {
            self.id = id
            self.type = type
        }
    }

    private static func bytes(hex: some StringProtocol) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

import Foundation
import GatehouseCore
import Hummingbird

/// Per-request state: the request id, and once the middleware has run, the API version and the
/// authenticated principal.
public struct GatehouseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The UUID reported as `request_id` and `x-notion-request-id`.
    public var requestID: String
    /// The `Notion-Version` sent; set by ``NotionVersionMiddleware``.
    public var notionVersion: NotionVersion?
    /// Who the bearer token acts as; set by ``BearerAuthMiddleware``.
    public var principal: Principal?

    /// The peer's IP address (`unknown` when there is none, as in router tests).
    public var clientIP: String

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.requestID = UUIDv4.string()
        self.clientIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The principal, which every route behind ``BearerAuthMiddleware`` has.
    public func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw .unauthorized }
        return principal
    }

    /// The version, which every route behind ``NotionVersionMiddleware`` has.
    public var version: NotionVersion { notionVersion ?? NotionVersion("2022-06-28")! }
}

/// Random (version 4) UUIDs in lowercase, the form the API uses for ids.
enum UUIDv4 {
    static func string() -> String {
        UUID().uuidString.lowercased()
    }
}

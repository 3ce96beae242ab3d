import Foundation
import GatehouseCore
import Hummingbird
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-request state: the request id, and once the middleware has run, the API version and the
/// authenticated principal.
public struct GatehouseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The UUID reported as `request_id` and `x-notion-request-id`.
    public var requestID: String
    /// The `Notion-Version` sent; set by ``VersionRequirement``.
    public var notionVersion: NotionVersion?
    /// Who the bearer token acts as; set by ``BearerAuthentication``.
    public var principal: Principal?

    /// The signed-in browser user; set by ``SessionMiddleware`` on the console, sign-in and
    /// consent routes.
    var session: SignedInSession?

    /// The client's address, if it has one (router tests have none): the peer's, or the one a
    /// trusted proxy forwarded for (``RequestMiddleware`` sets it).
    public var remoteAddress: SocketAddress?

    /// The client's IP address (`unknown` when there is none), formatted when asked for.
    public var clientIP: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The key failure throttles count this client under: its IPv4 address or its IPv6 /64.
    public var clientThrottleKey: String {
        let ip = clientIP
        return IPAddress(ip)?.throttleKey ?? ip
    }

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.requestID = UUIDv4.string()
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The principal, which every route behind ``BearerAuthentication`` has.
    public func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw .unauthorized }
        return principal
    }

    /// The version, which every route behind ``VersionRequirement`` has.
    public var version: NotionVersion { notionVersion ?? NotionVersion("2022-06-28")! }
}

import Foundation

/// RFC 8707 resource indicators: the `resource` a client names on the authorize and token
/// endpoints, which MCP clients always send (the MCP endpoint's URL).
///
/// Gatehouse is one resource server with several interfaces (`/v1`, `/mcp`, forward
/// authentication): a token is good at all of them, exactly as its integration's capabilities,
/// shares and scopes allow. So a `resource` narrows nothing; it must name this deployment (a URL
/// on the issuer's origin), and any other target is refused with `invalid_target`, so a client
/// never holds a token it believes is bound to someone else's server.
public enum ResourceIndicator {
    /// `nil` when every value names a resource of the deployment whose public origin is
    /// `issuer`; otherwise the error to answer.
    public static func problem(_ values: [String], issuer: String) -> OAuthError? {
        guard let origin = Origin(issuer) else { return .invalidTarget("The server does not know its own address.") }
        for value in values {
            guard value.utf8.count <= 2_000, let components = URLComponents(string: value),
                components.scheme != nil, components.host != nil
            else {
                return .invalidTarget("resource should be an absolute URI, instead was \"\(value.prefix(100))\".")
            }
            if components.fragment != nil { return .invalidTarget("resource must not have a fragment (#…).") }
            guard Origin(value) == origin else {
                return .invalidTarget(
                    "resource names a server this authorization server does not issue tokens for: "
                        + "\"\(value.prefix(100))\"; its resources are under \(issuer)."
                )
            }
        }
        return nil
    }

    /// `scheme://host:port` of `url`, lower-cased, with the default port made explicit (`nil`
    /// for a URL without a host): what a same-origin check compares.
    public static func origin(of url: String) -> String? {
        Origin(url).map { "\($0.scheme)://\($0.host):\($0.port)" }
    }

    /// Scheme, host and port, compared case-insensitively, the default port made explicit.
    struct Origin: Equatable {
        var scheme: String
        var host: String
        var port: Int

        init?(_ url: String) {
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                let host = components.host?.lowercased(), !host.isEmpty
            else { return nil }
            guard let port = components.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil) else {
                return nil
            }
            self.scheme = scheme
            self.host = host
            self.port = port
        }
    }
}

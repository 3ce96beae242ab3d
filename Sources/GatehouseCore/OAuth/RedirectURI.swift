import Foundation

/// The rules for redirect URIs (RFC 6749 §3.1.2, RFC 9700 §4.1, RFC 8252 §7): registered in
/// full, compared exactly, never with wildcards or prefix matching.
public enum RedirectURI {
    /// Why `uri` cannot be registered, or `nil` when it can: an absolute `https` URI, `http` only to
    /// a loopback host, or a private-use scheme with a dot (native apps); no fragment, no user info.
    public static func registrationProblem(_ uri: String) -> String? {
        guard uri.utf8.count <= 2_000, let components = URLComponents(string: uri), let scheme = components.scheme
        else {
            return "'\(uri.prefix(100))' is not an absolute URI"
        }
        if components.fragment != nil { return "a redirect URI must not have a fragment (#…)" }
        if components.user != nil || components.password != nil {
            return "a redirect URI must not carry user information"
        }
        if uri.contains("*") { return "a redirect URI must not contain wildcards" }
        switch scheme.lowercased() {
        case "https":
            guard let host = components.host, !host.isEmpty else { return "'\(uri.prefix(100))' has no host" }
            return nil
        case "http":
            guard let host = components.host, isLoopback(host) else {
                return "http redirect URIs are allowed only for loopback hosts (127.0.0.1, [::1], localhost); use https"
            }
            return nil
        case "javascript", "data", "file", "vbscript":
            return "the '\(scheme)' scheme is not allowed"
        default:
            return scheme.contains(".")
                ? nil : "a private-use scheme must be a reverse domain name (com.example.app:/callback)"
        }
    }

    /// The redirect URI to use for a request: the one requested if it is registered (exact string
    /// comparison), the only registered one if none was requested; `nil` otherwise.
    public static func resolve(requested: String?, registered: [String]) -> String? {
        if let requested { return registered.contains(requested) ? requested : nil }
        return registered.count == 1 ? registered[0] : nil
    }

    /// `uri` with `parameters` appended to its query, preserving what it already has.
    public static func appending(_ parameters: [(String, String)], to uri: String) -> String {
        guard var components = URLComponents(string: uri) else { return uri }
        var items = components.queryItems ?? []
        items += parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        components.queryItems = items
        // URLComponents leaves "+" alone in queries; encode it so it is not read as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? uri
    }

    static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
    }
}

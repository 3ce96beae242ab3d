/// The `scope` parameter of RFC 6749 §3.3 on the authorize and token endpoints, and the `scope`
/// value of token and introspection responses.
///
/// A grant's scope is two sets: Notion's capabilities, which always come from the integration
/// (their names may be sent in `scope`, and are echoed when the integration has them), and the
/// deployment's own scopes, which a request may narrow to some of those the integration holds.
public enum ScopeRequest {
    /// The names in `value` (space-separated): capability names, and deployment scopes the client
    /// holds; `invalid_scope` naming the first problem otherwise.
    public static func parse(_ value: String, held: Scopes) -> Result<Scopes, OAuthError> {
        let requested: Scopes
        do {
            requested = try Scopes(value.split(separator: " ").map(String.init))
        } catch {
            return .failure(.invalidScope("scope should be space-separated scope names: \(error.description)."))
        }
        let unheld = requested.names.filter { !held.contains($0) && !Capabilities.allNames.contains($0) }
        guard unheld.isEmpty else {
            return .failure(.invalidScope("This integration cannot be granted \(unheld.joined(separator: " "))."))
        }
        return .success(requested)
    }

    /// The deployment scopes a grant holds when its code is redeemed: the requested ones the
    /// integration still holds (its scopes may have shrunk since consent), or all it holds when
    /// the request named none.
    public static func granted(requested: Scopes?, held: Scopes) -> Scopes {
        guard let requested else { return held }
        return (try? Scopes(requested.names.filter(held.contains))) ?? Scopes()
    }

    /// The `scope` of a token response (RFC 6749 §5.1), stated in the request's terms so that a
    /// client comparing it with what it asked for sees a change only where there is one: the
    /// capability names it asked for that the integration has, and the grant's deployment scopes.
    /// Without a requested scope: every capability and scope, or `nil` (Notion's response, which
    /// has no `scope`) when the grant holds no deployment scope.
    public static func tokenResponseValue(requested: Scopes?, capabilities: Capabilities, scopes: Scopes) -> String? {
        guard let requested else {
            return scopes.isEmpty ? nil : introspectionValue(capabilities: capabilities, scopes: scopes)
        }
        let held = capabilities.names
        return (requested.names.filter(held.contains) + scopes.names).joined(separator: " ")
    }

    /// The `scope` of an introspection response (RFC 7662 §2.2): every capability, then every scope.
    public static func introspectionValue(capabilities: Capabilities, scopes: Scopes) -> String {
        let names = capabilities.names(joinedBy: " ")
        return scopes.isEmpty ? names : names + " " + scopes.spaceSeparated
    }
}

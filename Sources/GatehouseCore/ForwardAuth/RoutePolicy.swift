/// A deployment's route policy for forward authentication: which scopes each method, path and
/// host of the protected API requires, and what happens to a request no rule names.
///
/// Rules are tried in order and the first match decides. Path patterns are `/`-separated
/// segments: a literal, `*` or `:name` (exactly one segment), or `**` as the last segment (any
/// number of segments, none included). A request path that is not in normal form (a `.` or `..`
/// segment, an encoded dot, slash or backslash) matches nothing and is denied: the proxy and the
/// upstream could resolve it to another route than the one the policy saw.
public struct RoutePolicy: Sendable, Equatable {
    /// What a request that no rule matches gets.
    public enum Fallback: String, Sendable, Codable {
        /// Refused (403): only the routes the policy names are reachable.
        case deny
        /// Any valid token passes, whatever its scopes.
        case authenticate
    }

    /// A scope the deployment declares, with the words shown for it on the console and the consent
    /// page.
    public struct ScopeDefinition: Sendable, Equatable, Codable {
        public var name: String
        public var description: String

        public init(name: String, description: String) {
            self.name = name
            self.description = description
        }
    }

    /// One rule: the methods (`nil`: any), host (`nil`: any) and path it matches, and the scopes it
    /// requires.
    public struct Rule: Sendable, Equatable {
        public var methods: Set<String>?
        public var host: String?
        public var path: String
        public var scopes: Scopes
        let segments: [Substring]
    }

    /// The decision for one request.
    public enum Decision: Sendable, Equatable {
        /// Allowed to a token holding every one of these scopes (none: any valid token).
        case requires(Scopes)
        /// Refused whatever the token; `reason` says why, for the error message.
        case deny(reason: String)
    }

    public let scopes: [ScopeDefinition]
    public let rules: [Rule]
    public let fallback: Fallback

    /// No rules: every authenticated request passes (what `serve` uses without a policy file).
    public static let authenticateAll = RoutePolicy(uncheckedScopes: [], rules: [], fallback: .authenticate)

    private init(uncheckedScopes: [ScopeDefinition], rules: [Rule], fallback: Fallback) {
        self.scopes = uncheckedScopes
        self.rules = rules
        self.fallback = fallback
    }

    /// The policy a document describes; throws naming the first problem.
    public init(_ document: Document) throws(RoutePolicyError) {
        var declared = Set<String>()
        for scope in document.scopes ?? [] {
            guard Scopes.isValid(scope.name) else {
                throw RoutePolicyError("scope '\(scope.name.prefix(80))': \(ScopeError(name: scope.name))")
            }
            guard declared.insert(scope.name).inserted else {
                throw RoutePolicyError("scope '\(scope.name)' is declared twice")
            }
        }
        var rules: [Rule] = []
        for (index, route) in (document.routes ?? []).enumerated() {
            let label = "route \(index + 1) (\(route.path.prefix(80)))"
            guard route.path.hasPrefix("/") else { throw RoutePolicyError("\(label): the path must start with /") }
            let segments = route.path.split(separator: "/", omittingEmptySubsequences: true)
            if let doubleStar = segments.firstIndex(of: "**"), doubleStar != segments.count - 1 {
                throw RoutePolicyError("\(label): ** may only be the last segment")
            }
            var methods: Set<String>?
            if let names = route.methods {
                methods = Set(names.map { $0.uppercased() })
                for method in methods! where !Self.knownMethods.contains(method) {
                    throw RoutePolicyError("\(label): unknown method '\(method.prefix(20))'")
                }
            }
            let scopes: Scopes
            do {
                scopes = try Scopes(route.scopes ?? [])
            } catch {
                throw RoutePolicyError("\(label): \(error)")
            }
            for name in scopes.names where !declared.contains(name) {
                throw RoutePolicyError("\(label): the scope '\(name)' is not declared under scopes")
            }
            rules.append(
                Rule(
                    methods: methods,
                    host: route.host?.lowercased(),
                    path: route.path,
                    scopes: scopes,
                    segments: segments
                )
            )
        }
        let fallback: Fallback
        switch document.default ?? "deny" {
        case "deny": fallback = .deny
        case "authenticate": fallback = .authenticate
        case let other: throw RoutePolicyError("default must be deny or authenticate, not '\(other.prefix(20))'")
        }
        self.init(uncheckedScopes: document.scopes ?? [], rules: rules, fallback: fallback)
    }

    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// The decision for `method` on `uri` (a path, possibly with a query) at `host` (possibly
    /// with a port).
    public func decision(method: String, uri: String, host: String?) -> Decision {
        let path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
        guard path.hasPrefix("/") else { return .deny(reason: "the original URI is not a path") }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments where segment == "." || segment == ".." || Self.hasEncodedSeparator(segment) {
            return .deny(reason: "the path is not in normal form")
        }
        let method = Self.knownMethods.contains(method) ? method : method.uppercased()
        let bareHost = host.map(Self.withoutPort)
        for rule in rules {
            if let methods = rule.methods, !methods.contains(method) { continue }
            if let wanted = rule.host, !Self.host(bareHost, matches: wanted) { continue }
            if Self.segments(segments, match: rule.segments) { return .requires(rule.scopes) }
        }
        switch fallback {
        case .deny: return .deny(reason: "no rule of the route policy allows \(method) \(path.prefix(200))")
        case .authenticate: return .requires(Scopes())
        }
    }

    static func segments(_ path: [Substring], match pattern: [Substring]) -> Bool {
        var index = 0
        for part in pattern {
            if part == "**" { return true }
            guard index < path.count else { return false }
            if part != "*", !part.hasPrefix(":"), part != path[index] { return false }
            index += 1
        }
        return index == path.count
    }

    /// Whether `segment` holds a backslash or a percent-encoded `.`, `/` or `\\` (`%2e`, `%2f`,
    /// `%5c`, in either case), which could name another path once decoded.
    static func hasEncodedSeparator(_ segment: Substring) -> Bool {
        var twoBefore: UInt8 = 0
        var oneBefore: UInt8 = 0
        for byte in segment.utf8 {
            if byte == UInt8(ascii: "\\") { return true }
            if twoBefore == UInt8(ascii: "%") {
                let lowered = byte | 0x20  // ASCII letters to lower case
                if oneBefore == UInt8(ascii: "2") && (lowered == UInt8(ascii: "e") || lowered == UInt8(ascii: "f")) {
                    return true
                }
                if oneBefore == UInt8(ascii: "5") && lowered == UInt8(ascii: "c") { return true }
            }
            twoBefore = oneBefore
            oneBefore = byte
        }
        return false
    }

    static func withoutPort(_ host: String) -> String {
        let lowered =
            host.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? host.lowercased() : host
        if lowered.hasPrefix("["), let end = lowered.firstIndex(of: "]") { return String(lowered[...end]) }
        guard let colon = lowered.firstIndex(of: ":") else { return lowered }
        return String(lowered[..<colon])
    }

    /// `api.example.com` matches itself; `*.example.com` matches any subdomain of it.
    static func host(_ host: String?, matches wanted: String) -> Bool {
        guard let host else { return false }
        if wanted.hasPrefix("*.") { return host.hasSuffix(wanted.dropFirst()) && host.count > wanted.count - 1 }
        return host == wanted
    }

    /// The policy file's shape (YAML or JSON):
    ///
    /// ```yaml
    /// scopes:
    ///   - {name: "orders:read", description: "Read your orders"}
    /// default: deny            # or authenticate
    /// routes:
    ///   - {methods: [GET], path: /orders/**, scopes: ["orders:read"]}
    /// ```
    public struct Document: Sendable, Codable {
        public var scopes: [ScopeDefinition]?
        public var `default`: String?
        public var routes: [Route]?

        public init(scopes: [ScopeDefinition]?, default fallback: String?, routes: [Route]?) {
            self.scopes = scopes
            self.default = fallback
            self.routes = routes
        }

        public struct Route: Sendable, Codable {
            public var methods: [String]?
            public var path: String
            public var host: String?
            public var scopes: [String]?

            public init(methods: [String]?, path: String, host: String?, scopes: [String]?) {
                self.methods = methods
                self.path = path
                self.host = host
                self.scopes = scopes
            }
        }
    }
}

/// A route policy that cannot be used; the message names the rule and what is wrong.
public struct RoutePolicyError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

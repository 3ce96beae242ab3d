/// A deployment's own scopes held by an integration (`orders:read`, `billing.admin`): a set of
/// names, kept sorted so that it prints and compares the same way everywhere.
///
/// Names are 1–64 characters of ASCII letters, digits and `_ . : - /`, as RFC 6749 §3.3 allows
/// inside a space-separated `scope` value.
public struct Scopes: Sendable, Equatable, Hashable {
    public private(set) var names: [String]

    public init() { names = [] }

    /// The valid, distinct `names`; throws naming the first invalid one.
    public init(_ names: some Sequence<String>) throws(ScopeError) {
        var set = Set<String>()
        for name in names {
            guard Self.isValid(name) else { throw ScopeError(name: String(name.prefix(80))) }
            set.insert(name)
        }
        self.names = set.sorted()
    }

    /// Reads a list separated by spaces or commas (`orders:read orders:write`).
    public init(parsing text: String) throws(ScopeError) {
        try self.init(text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
    }

    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "/")]
                        .contains(byte)
            }
    }

    public var isEmpty: Bool { names.isEmpty }

    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// Whether every scope of `required` is held.
    public func covers(_ required: Scopes) -> Bool { required.names.allSatisfy(contains) }

    /// The names joined by single spaces (the `scope` value of RFC 6749 and RFC 7662).
    public var spaceSeparated: String { names.joined(separator: " ") }
}

/// A scope name that is not allowed.
public struct ScopeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public var description: String {
        "'\(name)' is not a scope name: use 1 to 64 letters, digits and _ . : - /"
    }
}

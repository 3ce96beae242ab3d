import Foundation

/// `application/x-www-form-urlencoded` fields (HTML forms, query strings, RFC 6749 token
/// requests), every value kept: a repeated field is visible, as OAuth requires it to be.
struct FormFields: Sendable {
    /// Every value of each field, in order.
    var values: [String: [String]]

    init(values: [String: [String]] = [:]) {
        self.values = values
    }

    /// Reads `text` as the WHATWG URL standard's urlencoded parser does: `&`-separated pairs,
    /// `+` for space, percent escapes decoded; a pair that cannot be decoded is dropped.
    init(urlEncoded text: String) {
        var values: [String: [String]] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty else { continue }
            guard let value = parts.count > 1 ? Self.decode(parts[1]) : "" else { continue }
            values[name, default: []].append(value)
        }
        self.values = values
    }

    /// The value of a field sent exactly once.
    subscript(_ name: String) -> String? {
        guard let all = values[name], all.count == 1 else { return nil }
        return all[0]
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

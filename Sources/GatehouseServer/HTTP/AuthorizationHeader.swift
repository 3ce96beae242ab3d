/// Reading an `Authorization` header value: `<scheme> <credentials>`.
enum AuthorizationHeader {
    /// The credentials after `scheme` (given in lowercase, compared case-insensitively, RFC 9110
    /// §11.1) and the spaces that follow it; `nil` for another scheme or no credentials. Works on
    /// the contiguous UTF-8 bytes: it runs for every API request.
    static func credentials(_ scheme: String, in header: String) -> Substring? {
        var header = header
        let start = header.withUTF8 { bytes -> Int? in
            let name = scheme.utf8
            guard bytes.count > name.count, bytes[name.count] == UInt8(ascii: " ") else { return nil }
            var offset = 0
            for byte in name {
                guard ASCIICase.equal(bytes[offset], byte) else { return nil }
                offset += 1
            }
            var start = name.count + 1
            while start < bytes.count, bytes[start] == UInt8(ascii: " ") { start += 1 }
            return start == bytes.count ? nil : start
        }
        // A byte offset is a valid index: the scheme and the spaces after it are ASCII.
        return start.map { Substring(header.utf8[header.utf8.index(header.utf8.startIndex, offsetBy: $0)...]) }
    }
}

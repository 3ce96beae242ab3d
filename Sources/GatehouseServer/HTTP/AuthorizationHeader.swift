/// Reading an `Authorization` header value: `<scheme> <credentials>`.
enum AuthorizationHeader {
    /// The credentials after `scheme` (given in lowercase, compared case-insensitively, RFC 9110
    /// §11.1) and the spaces that follow it; `nil` for another scheme or no credentials. Works on
    /// the UTF-8 bytes: it runs for every API request.
    static func credentials(_ scheme: String, in header: String) -> Substring? {
        let bytes = header.utf8
        let name = scheme.utf8
        guard bytes.count > name.count, ASCIICase.hasPrefix(header, scheme),
            bytes.dropFirst(name.count).first == UInt8(ascii: " ")
        else { return nil }
        // Byte offsets, not characters: the scheme and the spaces after it are ASCII.
        var start = bytes.index(bytes.startIndex, offsetBy: name.count)
        while start < bytes.endIndex, bytes[start] == UInt8(ascii: " ") { start = bytes.index(after: start) }
        return start == bytes.endIndex ? nil : header[start...]
    }
}

import Foundation
import NIOCore

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
        var text = text
        self = text.withUTF8 { Self(urlEncoded: $0) }
    }

    /// As ``init(urlEncoded:)-(String)``, from the bytes of a request body, which need not be
    /// UTF-8 (a pair that is not is dropped).
    ///
    /// Split on the bytes `&` and `=`, as the standard does (splitting a string's characters
    /// would also keep an `&` joined to a combining mark, and walks grapheme clusters: 3.6 % of
    /// the server's CPU per introspection), and decoded from the buffer without making a string
    /// of the whole body first.
    init(urlEncoded bytes: UnsafeBufferPointer<UInt8>) {
        var values: [String: [String]] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            guard let name = Self.decode(bytes: pair[..<(equals ?? pair.endIndex)]), !name.isEmpty else { continue }
            guard let value = equals.map({ Self.decode(bytes: pair[($0 + 1)...]) }) ?? "" else { continue }
            values[name, default: []].append(value)
        }
        self.values = values
    }

    /// The fields of a request body.
    init(body: ByteBuffer) {
        self = body.withUnsafeReadableBytes { Self(urlEncoded: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    static let mediaType = "application/x-www-form-urlencoded"

    /// Whether a `Content-Type` value is this format's media type (case-insensitive, RFC 9110
    /// §8.3.1), with or without parameters such as a charset.
    static func isMediaType(_ contentType: String?) -> Bool {
        guard let contentType, ASCIICase.hasPrefix(contentType, mediaType) else { return false }
        let rest = contentType.utf8.dropFirst(mediaType.utf8.count)
        return rest.first.map { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } ?? true
    }

    /// The value of a field sent exactly once.
    subscript(_ name: String) -> String? {
        guard let all = values[name], all.count == 1 else { return nil }
        return all[0]
    }

    /// One urlencoded name or value: `+` is a space, `%XX` a byte, and the bytes must be
    /// UTF-8; `nil` for a bad escape or bad UTF-8.
    ///
    /// Byte by byte into a native string: Foundation's `removingPercentEncoding` returns, on
    /// Linux, a bridged string that is slow to read afterwards, and these are read on the hot
    /// path of the token and introspection endpoints.
    static func decode(bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        // Most values (tokens, ids, grant types) have nothing to decode.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(validating: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                decoded.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                decoded.append(high << 4 | low)
            default:
                decoded.append(byte)
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

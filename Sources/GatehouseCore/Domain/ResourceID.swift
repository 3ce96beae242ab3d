/// Ids as the API accepts them: a UUID written dashed or undashed, in either case.
public enum ResourceID {
    /// The canonical form (lowercase, dashed) of `text`, or `nil` if it is not a UUID.
    public static func canonical(_ text: some StringProtocol) -> String? {
        var text = String(text)
        return text.withUTF8(canonical(utf8:))
    }

    /// One pass over the bytes: hex digits kept (lowercased), dashes allowed only where the
    /// 8-4-4-4-12 form puts them and then in all four places.
    private static func canonical(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 32 || bytes.count == 36 else { return nil }
        let dashed = bytes.count == 36
        let canonical = String(unsafeUninitializedCapacity: 36) { out in
            var digits = 0
            var written = 0
            for (offset, byte) in bytes.enumerated() {
                if dashed, offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                    guard byte == UInt8(ascii: "-") else { return 0 }
                    continue
                }
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                    out[written] = byte
                case UInt8(ascii: "A")...UInt8(ascii: "F"):
                    out[written] = byte + 32
                default:
                    return 0
                }
                written += 1
                digits += 1
                if digits == 8 || digits == 12 || digits == 16 || digits == 20 {
                    out[written] = UInt8(ascii: "-")
                    written += 1
                }
            }
            return written
        }
        // Writing nothing is how the closure reports a bad character or a misplaced dash.
        return canonical.isEmpty ? nil : canonical
    }
}

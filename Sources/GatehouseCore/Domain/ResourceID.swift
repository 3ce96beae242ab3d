/// Ids as the API accepts them: a UUID written dashed or undashed, in either case.
public enum ResourceID {
    /// The canonical form (lowercase, dashed) of `text`, or `nil` if it is not a UUID.
    public static func canonical(_ text: some StringProtocol) -> String? {
        var hex: [UInt8] = []
        hex.reserveCapacity(32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                hex.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                hex.append(byte + 32)
            case UInt8(ascii: "-"):
                continue
            default:
                return nil
            }
            if hex.count > 32 { return nil }
        }
        guard hex.count == 32 else { return nil }
        let dashed = text.utf8.filter { $0 == UInt8(ascii: "-") }.count
        if dashed != 0 {
            // Dashes are only accepted in the standard 8-4-4-4-12 places.
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            guard parts == [8, 4, 4, 4, 12] else { return nil }
        }
        var out = hex
        for position in [20, 16, 12, 8] { out.insert(UInt8(ascii: "-"), at: position) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Case-insensitive comparison of protocol tokens (schemes, media types), which are ASCII:
/// compared on the UTF-8 bytes, without making lowercase copies.
enum ASCIICase {
    /// Whether `text` starts with `lowercasePrefix` (given in lowercase), ignoring ASCII case.
    static func hasPrefix(_ text: some StringProtocol, _ lowercasePrefix: String) -> Bool {
        text.utf8.count >= lowercasePrefix.utf8.count
            && text.utf8.prefix(lowercasePrefix.utf8.count).elementsEqual(lowercasePrefix.utf8, by: equal)
    }

    /// Whether `byte` is `lowercase`, or its uppercase form when it is a letter.
    static func equal(_ byte: UInt8, _ lowercase: UInt8) -> Bool {
        byte == lowercase || (UInt8(ascii: "a")...UInt8(ascii: "z") ~= lowercase && byte == lowercase - 0x20)
    }
}

import GatehouseCore

/// Where the next page of a data source query starts: an offset into its ordered results and,
/// from the second page on, the time of its first page, so that pages created while a client pages
/// through are left out of the later pages rather than shifting them (unsorted results come newest
/// first: without it, every page created meanwhile would push a page already read into the next).
///
/// Written in a UUID's shape, as the API's cursors are, so clients that check one accept it:
/// `TTTTTTTT-TTTT-4000-8000-OOOOOOOOOOOO`, the first page's time in milliseconds since 1970 and
/// the offset, 12 hex digits each. A time of zero (the cursors written before the time was kept)
/// reads every page.
public struct QueryCursor: Equatable, Sendable {
    /// How many of the ordered results come before the page.
    public var offset: Int
    /// Milliseconds since 1970: only pages created by then are read; nil for all.
    public var createdUpTo: Int64?

    /// The largest offset and time a cursor holds (12 hex digits).
    static let largest: Int64 = 0xFFFF_FFFF_FFFF

    public init(offset: Int, createdUpTo: Int64?) {
        self.offset = offset
        self.createdUpTo = createdUpTo
    }

    /// The cursor `text` names, dashed or not; nil when it is not one a query gave.
    public init?(_ text: String) {
        guard let canonical = ResourceID.canonical(text) else { return nil }
        let parts = canonical.split(separator: "-")
        guard parts.count == 5, parts[2] == "4000", parts[3] == "8000",
            let time = Int64(parts[0] + parts[1], radix: 16),
            let offset = Int(parts[4], radix: 16)
        else { return nil }
        self.init(offset: offset, createdUpTo: time == 0 ? nil : time)
    }

    /// The cursor as a query answers it (`next_cursor`).
    public var encoded: String {
        let time = Self.hex(min(max(createdUpTo ?? 0, 0), Self.largest))
        return time.prefix(8) + "-" + time.dropFirst(8) + "-4000-8000-" + Self.hex(min(Int64(offset), Self.largest))
    }

    private static func hex(_ value: Int64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }
}

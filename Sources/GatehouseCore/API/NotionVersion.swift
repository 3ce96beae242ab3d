/// A `Notion-Version` header value the API accepts, and what it changes in response shapes.
public struct NotionVersion: Sendable, Hashable, Comparable {
    /// Every accepted value, oldest first: Notion's real versions plus the seed's `2024-11-15`.
    public static let accepted = [
        "2021-05-11", "2021-05-13", "2021-08-16", "2022-02-22", "2022-06-28", "2024-11-15", "2025-09-03",
        "2026-03-11",
    ]

    /// The date string, as sent.
    public let value: String

    /// The version named by `header`, or `nil` if it is not one of ``accepted``.
    ///
    /// Not generic over `StringProtocol`: called from another module, a generic one ran
    /// unspecialized, comparing through witness tables, on every API request.
    public init?(_ header: String) {
        guard let match = Self.accepted.first(where: { $0 == header }) else { return nil }
        self.value = match
    }

    /// Whether responses use the data-source era shapes (2025-09-03 on): search results typed
    /// `page_or_data_source`, databases listing `data_sources` instead of `properties`.
    public var usesDataSources: Bool { value >= "2025-09-03" }

    public static func < (lhs: NotionVersion, rhs: NotionVersion) -> Bool { lhs.value < rhs.value }
}

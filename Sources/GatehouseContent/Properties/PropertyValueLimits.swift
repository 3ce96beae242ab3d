import GatehouseCore

/// The size limits on property values and queries, as the API documents them.
///
/// Source unless noted: https://developers.notion.com/reference/request-limits ("Size limits").
public enum PropertyValueLimits {
    /// Characters in any URL (`url` property, file URLs).
    public static let urlLength = 2000
    /// Characters in any email.
    public static let emailLength = 200
    /// Characters in any phone number.
    public static let phoneNumberLength = 200
    /// Options in any multi-select value.
    public static let multiSelectOptions = 100
    /// Related pages in any relation value.
    public static let relatedPages = 100
    /// Users in any people value.
    public static let people = 100
    /// Results per page of a query or property item list (`page_size` maximum; default 100).
    /// Source: https://developers.notion.com/reference/intro ("Pagination").
    public static let pageSize = 100
    /// Nesting of compound filters: a top-level `and`/`or` may hold `and`/`or` groups of property
    /// filters, no deeper. Source: `GroupFilterOperatorArray` in notion-sdk-js
    /// `src/api-endpoints/common.ts`.
    public static let filterNestingDepth = 2

    /// Select option names may not contain a comma (the API answers `validation_error`).
    static func checkOptionName(_ name: String, at path: String) throws {
        guard !name.contains(",") else {
            throw ContentValidationError(path: path, message: "Invalid select option, commas not allowed: \(name)")
        }
    }
}

/// The request size limits that apply to rich text, as the API documents them.
///
/// Source: "Request limits", section "Limits for property values"
/// (https://developers.notion.com/reference/request-limits). Exceeding one answers
/// `400 validation_error`. Responses are not bound by them.
public enum RichTextLimits {
    /// Characters in one text item's `text.content`.
    public static let textContentLength = 2_000
    /// Characters in one text item's `text.link.url`.
    public static let linkURLLength = 2_000
    /// Characters in one equation item's `equation.expression`.
    public static let equationExpressionLength = 1_000
    /// Items in any rich text array.
    public static let itemsPerArray = 100
    /// Characters in any URL (a link preview mention's `url`).
    public static let urlLength = 2_000
}

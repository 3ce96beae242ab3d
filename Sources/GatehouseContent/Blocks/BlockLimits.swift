/// The API's limits on appending blocks, as documented.
public enum BlockLimits {
    /// Blocks in one `children` array. Source: "Append block children"
    /// (https://developers.notion.com/reference/patch-block-children): "Arrays of block children
    /// longer than 100 will result in an error."
    public static let childrenPerArray = 100
    /// Levels of `children` below the appended blocks: "For blocks that allow children, we allow up
    /// to two levels of nesting in a single request" (same page); the JS client's types say the
    /// same (`BlockObjectWithSingleLevelOfChildrenRequest` → `BlockObjectRequestWithoutChildren`).
    public static let nestingLevels = 2
    /// Block elements in one request, all levels together. Source: "Request limits"
    /// (https://developers.notion.com/reference/request-limits): "a maximum of 1000 block elements".
    public static let blocksPerRequest = 1_000
    /// Characters in a media, bookmark or embed URL: "Any URL: 2000 characters" (request limits).
    public static let urlLength = 2_000
}

import Foundation

/// A comment on a page or a block, in a discussion thread.
public struct Comment: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    /// The page or block commented on.
    public let parent: Parent?
    /// The thread; pass it to ``CommentTarget/discussion(_:)`` to reply.
    public let discussionID: String?
    public let richText: [RichText]
    public let createdTime: String?
    public let lastEditedTime: String?
    public let createdBy: PartialUser?
    /// The name shown for the author (`{"type": "integration" | "user" | "custom", "resolved_name"}`).
    public let displayName: JSONValue?
    public let attachments: JSONValue?

    /// The comment's text without styling.
    public var plainText: String { richText.plainText }

    public init(from decoder: any Decoder) throws {
        let object = try ObjectReader(decoder)
        id = try object.id()
        parent = try object.decode("parent", as: Parent.self)
        discussionID = object.string("discussion_id")
        richText = try object.richText("rich_text")
        createdTime = object.string("created_time")
        lastEditedTime = object.string("last_edited_time")
        createdBy = try object.decode("created_by", as: PartialUser.self)
        displayName = object.value("display_name")
        attachments = object.value("attachments")
    }
}

/// What a new comment is on: a page, a block, or a reply in an existing discussion.
public enum CommentTarget: Sendable, Hashable {
    case page(String)
    case block(String)
    case discussion(String)
}

import Foundation

/// A comment as stored: on a page or a block, in a discussion (a thread that the first comment
/// on a parent starts).
public struct CommentRecord: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    /// What the comment is on.
    public var parent: CommentParent
    /// The page the comment belongs to (the parent page itself, or the block's page), which
    /// decides who may see it.
    public var pageID: String
    public var discussionID: String
    /// The comment's text: the rich-text array as stored JSON (`GatehouseContent.RichText`).
    public var richTextJSON: String
    /// How the author is shown (`integration`, `user` or `custom`) and the custom name.
    public var displayName: CommentDisplayName
    /// The bot user that wrote it.
    public var createdBy: String
    public var createdAt: Date
    public var lastEditedAt: Date

    public init(
        id: String,
        workspaceID: String,
        parent: CommentParent,
        pageID: String,
        discussionID: String,
        richTextJSON: String,
        displayName: CommentDisplayName,
        createdBy: String,
        createdAt: Date,
        lastEditedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.parent = parent
        self.pageID = pageID
        self.discussionID = discussionID
        self.richTextJSON = richTextJSON
        self.displayName = displayName
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastEditedAt = lastEditedAt
    }
}

/// What a comment is on.
public enum CommentParent: Sendable, Equatable {
    case page(String)
    case block(String)

    /// The parent's id, whichever kind it is.
    public var id: String {
        switch self {
        case .page(let id), .block(let id): id
        }
    }
}

/// How a comment's author is shown: as the integration, as the user who installed it, or by a
/// name the integration chose.
public enum CommentDisplayName: Sendable, Equatable {
    case integration
    case user
    case custom(String)
}

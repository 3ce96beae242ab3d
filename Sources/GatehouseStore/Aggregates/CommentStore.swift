import Foundation
import GatehouseCore

/// Comments on pages and blocks.
public protocol CommentStore: Sendable {
    func createComment(_ comment: CommentRecord) async throws
    func comment(id: String) async throws -> CommentRecord?
    /// Up to `limit` comments on `parentID`, oldest first, starting at the comment `cursor`
    /// (inclusive) when given: one page of a listing, read in SQL.
    func comments(parentID: String, from cursor: String?, limit: Int) async throws -> [CommentRecord]
    /// The comments of a discussion, oldest first (at most 100: the thread's start is what
    /// replies need).
    func comments(discussionID: String) async throws -> [CommentRecord]
    /// Replaces a comment's text; returns the comment as updated, `nil` if it is gone.
    func updateComment(id: String, richTextJSON: String, at time: Date) async throws -> CommentRecord?
    /// Removes a comment; returns it as it was, `nil` if it was already gone.
    func deleteComment(id: String) async throws -> CommentRecord?
    /// Every comment of the workspace, oldest first (ties by id): what a workspace export writes.
    func comments(workspaceID: String) async throws -> [CommentRecord]
}

import Foundation
import GatehouseCore

/// What the console's read-only workspace view reads: the page tree one parent at a time, the
/// titles of pages a table or text points at, and a page's comments. Every read is bounded by its
/// `limit`, whatever the size of the workspace.
public protocol WorkspaceBrowseStore: Sendable {
    /// Pages (trashed too, not the pages of databases) directly under `parentPageID` in the
    /// workspace, or at its top level when `nil`: oldest first, from `offset`, at most `limit`.
    func childPages(
        workspaceID: String,
        parentPageID: String?,
        offset: Int,
        limit: Int
    ) async throws
        -> [PageRecord]
    /// Databases directly under `parentPageID` in the workspace, or at its top level when `nil`:
    /// oldest first, at most `limit`.
    func childDatabases(workspaceID: String, parentPageID: String?, limit: Int) async throws -> [DatabaseRecord]
    /// The titles of those of `ids` that are pages of the workspace (at most 1,000 ids are read).
    func pageTitles(workspaceID: String, ids: Set<String>) async throws -> [String: String]
    /// The comments on the page and on its blocks, oldest first, at most `limit`.
    func comments(pageID: String, limit: Int) async throws -> [CommentRecord]
}

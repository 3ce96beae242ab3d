import Foundation
import GatehouseContent
import GatehouseCore

/// One stored block: its content (the JSON of ``BlockContent``) and the columns around it.
public struct BlockRecord: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var parent: BlockParent
    /// The page the block belongs to, however deep: sharing is decided on it without walking.
    public var pageID: String
    /// The ordering key among its siblings (see ``SiblingOrder``).
    public var position: Int64
    public var content: BlockContent
    public var hasChildren: Bool
    public var inTrash: Bool
    public var createdBy: String
    public var lastEditedBy: String
    public var createdAt: Date
    public var lastEditedAt: Date

    public init(
        id: String,
        workspaceID: String,
        parent: BlockParent,
        pageID: String,
        position: Int64,
        content: BlockContent,
        hasChildren: Bool = false,
        inTrash: Bool = false,
        createdBy: String,
        lastEditedBy: String,
        createdAt: Date,
        lastEditedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.parent = parent
        self.pageID = pageID
        self.position = position
        self.content = content
        self.hasChildren = hasChildren
        self.inTrash = inTrash
        self.createdBy = createdBy
        self.lastEditedBy = lastEditedBy
        self.createdAt = createdAt
        self.lastEditedAt = lastEditedAt
    }
}

/// One page of a parent's children, and the cursor of the next (`nil` on the last page).
public struct BlockChildrenPage: Sendable, Equatable {
    public var blocks: [BlockRecord]
    public var nextCursor: String?

    public init(blocks: [BlockRecord], nextCursor: String?) {
        self.blocks = blocks
        self.nextCursor = nextCursor
    }
}

/// Where an append writes: the parent (a page or a block), the page it belongs to, and who writes when.
public struct BlockAppendTarget: Sendable, Equatable {
    public var parent: BlockParent
    public var pageID: String
    public var workspaceID: String
    public var userID: String
    public var time: Date

    public init(parent: BlockParent, pageID: String, workspaceID: String, userID: String, time: Date) {
        self.parent = parent
        self.pageID = pageID
        self.workspaceID = workspaceID
        self.userID = userID
        self.time = time
    }

    var parentID: String {
        switch parent {
        case .page(let id), .block(let id): id
        }
    }
}

/// The blocks of pages: read one, list a parent's children a page at a time, append trees, update.
public protocol BlockStore: Sendable {
    /// The block, trashed or not; `nil` if there is none.
    func block(id: String) async throws -> BlockRecord?

    /// The untrashed children of `parentID` (a page or a block), ascending by position, from the
    /// child `startCursor` on (the first if `nil`), at most `pageSize` of them.
    ///
    /// Throws ``StoreError/Code/notFound`` when `startCursor` is not a child of the parent.
    func children(of parentID: String, startCursor: String?, pageSize: Int) async throws -> BlockChildrenPage

    /// Writes `drafts` and everything nested in them under `target.parent` at `position`, in one
    /// transaction serialized with every other append to that parent; returns the new rows in
    /// pre-order (each parent before its children).
    ///
    /// Throws the ``ContentValidationError`` of ``SiblingOrder/placement(inserting:at:among:)`` when
    /// `after_block` names no child of the parent; nothing is written then.
    func appendBlocks(
        _ drafts: [BlockDraft],
        to target: BlockAppendTarget,
        at position: AppendPosition
    ) async throws -> [BlockRecord]

    /// Replaces the block's content and, if `inTrash` is not `nil`, its trash state; returns the
    /// updated block, or `nil` if there is none.
    func updateBlock(
        id: String,
        content: BlockContent,
        inTrash: Bool?,
        by userID: String,
        at time: Date
    ) async throws -> BlockRecord?

    /// Appends, last under `target.parent` (a page), the `child_page` or `child_database` block of a
    /// page or database just created there: its id is the page's or database's own id.
    @discardableResult
    func appendChildReference(
        id: String,
        content: BlockContent,
        to target: BlockAppendTarget
    ) async throws
        -> BlockRecord
    /// Every block of the workspace, trashed or not, parents before children, siblings in order:
    /// what a workspace export writes.
    func blocks(workspaceID: String) async throws -> [BlockRecord]
    /// Inserts `records` as given (ids, parents, positions and flags), in order: what a workspace
    /// import writes. A parent must come before its children.
    func insertBlocks(_ records: [BlockRecord]) async throws
}

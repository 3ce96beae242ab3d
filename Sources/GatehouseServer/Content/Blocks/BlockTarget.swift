import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// What an id on the block endpoints names: a page (a page is a block, `child_page`) or a block.
enum BlockTarget {
    /// A page, with its `child_page` row under its parent page if it has one.
    case page(PageRecord, reference: BlockRecord?)
    case block(BlockRecord)

    /// The page or block `id`, if the principal may see it (a block iff its page is), and whether
    /// it is in the trash, itself or through what lies above it; otherwise the policy's 403 or
    /// 404, the same for another workspace's ids as for unknown ones. One read of the ancestry
    /// serves both the sharing check and the trash.
    ///
    /// `withReference: false` leaves out a page's `child_page` row, for callers that never show it.
    static func resolve(
        _ id: String,
        for principal: Principal,
        access: ContentAccess,
        withReference: Bool = true
    ) async throws -> (target: BlockTarget, inTrash: Bool) {
        if let page = try await access.store.page(id: id) {
            let ancestry = try await access.blockAncestry(id, .page, workspaceID: page.workspaceID, for: principal)
            let reference = withReference ? try await access.store.block(id: id) : nil
            return (.page(page, reference: reference), ancestry.anyInTrash)
        }
        guard let block = try await access.store.block(id: id) else {
            try await access.blockAncestry(id, .block, workspaceID: nil, for: principal)
            throw APIError.internalError
        }
        let ancestry = try await access.blockAncestry(id, .block, workspaceID: block.workspaceID, for: principal)
        return (.block(block), ancestry.anyInTrash)
    }

    /// The parent that blocks appended here get.
    var appendParent: BlockParent {
        switch self {
        case .page(let page, _): .page(id: page.id)
        case .block(let block): .block(id: block.id)
        }
    }

    /// The page the blocks appended here belong to.
    var pageID: String {
        switch self {
        case .page(let page, _): page.id
        case .block(let block): block.pageID
        }
    }

    var id: String {
        switch self {
        case .page(let page, _): page.id
        case .block(let block): block.id
        }
    }

    var inTrash: Bool {
        switch self {
        case .page(let page, _): page.archived
        case .block(let block): block.inTrash
        }
    }

    /// The target as it reads once inherited trash is applied.
    func markedInTrash() -> BlockTarget {
        switch self {
        case .page(var page, let reference):
            page.archived = true
            return .page(page, reference: reference)
        case .block(var block):
            block.inTrash = true
            return .block(block)
        }
    }

    /// A refusal to change trashed content, worded as the API words it.
    static let archivedError = APIError.validation(
        "Can't edit block that is archived. You must unarchive the block before editing."
    )

    /// A refusal to change a trashed page's properties, worded as the API words it.
    static let archivedPageError = APIError.validation(
        "Can't update a page that is archived. You must unarchive the page before updating."
    )

    /// A refusal to create or change a page under trashed content, worded as the API words it.
    static let archivedAncestorError = APIError.validation(
        "Can't edit page on block with an archived ancestor. You must unarchive the ancestor before editing page."
    )
}

/// Block objects and lists of them on the wire.
enum BlockJSON {
    /// `record` as the API returns it at `version`; a `child_page` shows its page's current title
    /// and trash state.
    static func block(_ record: BlockRecord, version: NotionVersion, mentions: StoreMentions) -> JSONValue {
        record.content.rendered(metadata(of: record), version: version, resolving: mentions)
    }

    /// A page as a `child_page` block: parented as the page is (a page, a database, the workspace).
    static func page(
        _ page: PageRecord,
        reference: BlockRecord?,
        hasChildren: Bool,
        version: NotionVersion
    ) -> JSONValue {
        let metadata = BlockMetadata(
            id: page.id,
            parent: reference?.parent ?? .page(id: page.id),
            createdTime: timestamp(page.createdAt),
            lastEditedTime: timestamp(page.lastEditedAt),
            createdBy: page.createdBy,
            lastEditedBy: page.lastEditedBy,
            hasChildren: hasChildren,
            inTrash: page.archived
        )
        let rendered = BlockContent.childPage(title: page.title)
            .rendered(metadata, version: version, resolving: UnresolvedMentions())
        guard reference == nil, case .object(var members) = rendered,
            let index = members.firstIndex(where: { $0.0 == "parent" })
        else { return rendered }
        switch page.parent {
        case .workspace: members[index].1 = ["type": "workspace", "workspace": true]
        case .page(let id): members[index].1 = ["type": "page_id", "page_id": .string(id)]
        case .database(let id):
            members[index].1 =
                version.usesDataSources
                ? ["type": "data_source_id", "data_source_id": .string(id), "database_id": .string(id)]
                : ["type": "database_id", "database_id": .string(id)]
        }
        return .object(members)
    }

    static func metadata(of record: BlockRecord) -> BlockMetadata {
        BlockMetadata(
            id: record.id,
            parent: record.parent,
            createdTime: timestamp(record.createdAt),
            lastEditedTime: timestamp(record.lastEditedAt),
            createdBy: record.createdBy,
            lastEditedBy: record.lastEditedBy,
            hasChildren: record.hasChildren,
            inTrash: record.inTrash
        )
    }

    static func timestamp(_ date: Date) -> String {
        NotionObjects.timestamp(date).stringValue ?? ""
    }

    /// `records` with each `child_page` row's title and trash state taken from its page.
    static func refreshingChildPages(_ records: [BlockRecord], store: any Store) async throws -> [BlockRecord] {
        var records = records
        for index in records.indices where records[index].content.type == .childPage {
            guard let page = try await store.page(id: records[index].id) else { continue }
            records[index].content.title = page.title
            records[index].inTrash = records[index].inTrash || page.archived
        }
        return records
    }
}

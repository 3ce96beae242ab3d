import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// What an id on the block endpoints names: a page (a page is a block, `child_page`) or a block.
enum BlockTarget {
    /// A page, with its `child_page` row under its parent page if it has one.
    case page(PageRecord, reference: BlockRecord?)
    case block(BlockRecord)

    /// The page or block `id`, if the principal may see it (a block iff its page is); otherwise
    /// the policy's 403 or 404, the same for another workspace's ids as for unknown ones.
    static func resolve(_ id: String, for principal: Principal, access: ContentAccess) async throws -> BlockTarget {
        if let page = try await access.store.page(id: id) {
            try await access.block(id, workspaceID: page.workspaceID, pageID: page.id, for: principal)
            return .page(page, reference: try await access.store.block(id: id))
        }
        let block = try await access.store.block(id: id)
        try await access.block(id, workspaceID: block?.workspaceID, pageID: block?.pageID, for: principal)
        guard let block else { throw APIError.internalError }
        return .block(block)
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

    /// Whether the target is in the trash itself or through a block or page above it. Trash is
    /// inherited: what lies under a trashed block or page reads as trashed and refuses every
    /// change (restoring included) until that ancestor is restored.
    func effectivelyInTrash(store: any Store) async throws -> Bool {
        if inTrash { return true }
        var parent: BlockParent
        switch self {
        case .block(let block): parent = block.parent
        case .page(let page, _):
            switch try await Self.above(page.parent, store: store) {
            case .top: return false
            case .trashedDataSource: return true
            case .page(let id): parent = .page(id: id)
            }
        }
        for _ in 0..<64 {
            switch parent {
            case .block(let id):
                guard let above = try await store.block(id: id) else { return false }
                if above.inTrash { return true }
                parent = above.parent
            case .page(let id):
                guard let page = try await store.page(id: id) else { return false }
                if page.archived { return true }
                switch try await Self.above(page.parent, store: store) {
                case .top: return false
                case .trashedDataSource: return true
                case .page(let id): parent = .page(id: id)
                }
            }
        }
        return false
    }

    /// What lies above a page whose parent is `parent`.
    private enum Above {
        /// The top of the workspace (or something no longer there).
        case top
        /// The page is a row of a data source in the trash, so it is in the trash too.
        case trashedDataSource
        /// The page above: the parent page, or the page a row's database lives in.
        case page(String)
    }

    /// The page above a page whose parent is `parent`, through its data source and database when
    /// it is a row.
    private static func above(_ parent: PageParent, store: any Store) async throws -> Above {
        switch parent {
        case .workspace:
            return .top
        case .page(let id):
            return .page(id)
        case .database(let dataSourceID):
            guard let dataSource = try await store.dataSource(id: dataSourceID) else { return .top }
            if dataSource.inTrash { return .trashedDataSource }
            guard let database = try await store.database(id: dataSource.databaseID),
                let pageID = database.parentPageID
            else { return .top }
            return .page(pageID)
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

    /// Whether page `id` is in the trash, itself or under a trashed page (`false` if there is none).
    static func pageInTrash(_ id: String, store: any Store) async throws -> Bool {
        guard let page = try await store.page(id: id) else { return false }
        return try await BlockTarget.page(page, reference: nil).effectivelyInTrash(store: store)
    }
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

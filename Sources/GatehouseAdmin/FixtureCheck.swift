import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// Checks a ``WorkspaceFixture`` whole before anything is written, and builds the store's records.
///
/// A fixture is outside input: every id must be a canonical UUID and unique; names, titles and
/// e-mails pass the rules the admin operations apply; capabilities are known names; every parent,
/// share, author, mentioned-in-a-value user and related page exists in the fixture; a page's values
/// name properties of its data source, of the right type, with options that exist; each schema has
/// one title property; rich text (titles, text values, blocks, captions, table cells, comments) passes
/// the API's own ``RichText/parse(_:at:)`` as the API renders it; no page was created after `now`.
/// The first failure is an
/// ``AdminError`` naming its JSON path.
struct FixtureCheck {
    let fixture: WorkspaceFixture
    /// When the import runs: no page may have been created after it (a query's cursor reads the
    /// pages created by its first page's time, ``QueryCursor``).
    let now: Date

    init(_ fixture: WorkspaceFixture, now: Date) {
        self.fixture = fixture
        self.now = now
    }

    /// The records an import writes, in the order it writes them.
    struct Records {
        var workspace: Workspace
        var integrations: [Integration]
        /// Each database with its first data source (the one with the database's id).
        var databases: [(DatabaseRecord, DataSourceRecord)]
        var extraDataSources: [DataSourceRecord]
        var pages: [(StoredPage, DataSourceRecord?)]
        var blocks: [BlockRecord]
        var comments: [CommentRecord]
    }

    func records() throws -> Records {
        let workspaceID = fixture.workspace.id
        var seen = Set<String>()
        func id(_ value: String, at path: String) throws -> String {
            guard ResourceID.canonical(value) == value else {
                throw AdminError("the fixture's \(path) must be a lowercase, dashed UUID")
            }
            guard seen.insert(value).inserted else { throw AdminError("the fixture's \(path) repeats the id \(value)") }
            return value
        }
        /// A person's, workspace's or integration's name follows the admin rules; content titles
        /// (`empty`) follow the API's, which allow an untitled page and a long title.
        func name(_ value: String, _ what: String, at path: String, empty: Bool = false) throws -> String {
            if empty {
                do { return try DisplayName.validate(value) } catch {
                    throw AdminError("the fixture's \(path): the \(what) \(error)")
                }
            }
            do { return try AdminOperations.nonEmpty(value, what) } catch let error as AdminError {
                throw AdminError("the fixture's \(path): \(error.message)")
            }
        }
        let workspace = Workspace(
            id: try id(workspaceID, at: "$.workspace.id"),
            name: try name(fixture.workspace.name, "name", at: "$.workspace.name"),
            icon: fixture.workspace.icon,
            plan: fixture.workspace.plan,
            createdAt: fixture.workspace.createdTime
        )
        var emails = Set<String>()
        for (index, user) in fixture.users.enumerated() {
            let path = "$.users[\(index)]"
            _ = try id(user.id, at: "\(path).id")
            _ = try name(user.name, "name", at: "\(path).name")
            let email = user.email.trimmingCharacters(in: .whitespaces).lowercased()
            guard AdminOperations.looksLikeEmail(email), emails.insert(email).inserted else {
                throw AdminError("the fixture's \(path).email is not a valid, unique e-mail address")
            }
        }
        var integrations: [Integration] = []
        for (index, entry) in fixture.integrations.enumerated() {
            let path = "$.integrations[\(index)]"
            let capabilities: Capabilities
            do { capabilities = try Capabilities(names: entry.capabilities) } catch {
                throw AdminError("the fixture's \(path).capabilities: \(error)")
            }
            integrations.append(
                Integration(
                    id: try id(entry.id, at: "\(path).id"),
                    workspaceID: workspaceID,
                    name: try name(entry.name, "name", at: "\(path).name"),
                    kind: .internal,
                    capabilities: capabilities,
                    botID: try id(entry.botID, at: "\(path).bot_id"),
                    createdAt: entry.createdTime
                )
            )
        }
        let userIDs = Set(fixture.users.map(\.id)).union(fixture.integrations.map(\.botID))
        func author(_ value: String, at path: String) throws -> String {
            guard userIDs.contains(value) else { throw AdminError("the fixture's \(path) names no user or bot of it") }
            return value
        }
        let pageIDs = Set(fixture.pages.map(\.id))
        let databaseIDs = Set(fixture.databases.map(\.id))

        var sources: [String: DataSourceRecord] = [:]
        var extra: [DataSourceRecord] = []
        for (index, entry) in fixture.dataSources.enumerated() {
            let path = "$.data_sources[\(index)]"
            guard databaseIDs.contains(entry.databaseID) else {
                throw AdminError("the fixture's \(path).database_id names no database of it")
            }
            guard entry.schema.properties.filter({ $0.type == .title }).count == 1 else {
                throw AdminError("the fixture's \(path).schema must have exactly one title property")
            }
            guard Set(entry.schema.properties.map(\.id)).count == entry.schema.properties.count else {
                throw AdminError("the fixture's \(path).schema repeats a property id")
            }
            let record = DataSourceRecord(
                // The first data source has its database's id, checked with the database.
                id: entry.id == entry.databaseID ? entry.id : try id(entry.id, at: "\(path).id"),
                databaseID: entry.databaseID,
                workspaceID: workspaceID,
                name: try name(entry.name, "name", at: "\(path).name", empty: true),
                schema: entry.schema,
                inTrash: entry.inTrash,
                createdAt: entry.createdTime,
                lastEditedAt: entry.lastEditedTime,
                createdBy: try entry.createdBy.map { try author($0, at: "\(path).created_by") },
                lastEditedBy: try entry.lastEditedBy.map { try author($0, at: "\(path).last_edited_by") }
            )
            sources[record.id] = record
            if record.id != record.databaseID { extra.append(record) }
        }
        var databases: [(DatabaseRecord, DataSourceRecord)] = []
        for (index, entry) in fixture.databases.enumerated() {
            let path = "$.databases[\(index)]"
            guard let first = sources[entry.id] else {
                throw AdminError("the fixture's \(path) has no data source with its id in $.data_sources")
            }
            if let parent = entry.parentPageID, !pageIDs.contains(parent) {
                throw AdminError("the fixture's \(path).parent_page_id names no page of it")
            }
            let database = DatabaseRecord(
                id: try id(entry.id, at: "\(path).id"),
                workspaceID: workspaceID,
                title: try name(entry.title, "title", at: "\(path).title", empty: true),
                parentPageID: entry.parentPageID,
                createdAt: entry.createdTime,
                lastEditedAt: entry.lastEditedTime,
                createdBy: try entry.createdBy.map { try author($0, at: "\(path).created_by") },
                lastEditedBy: try entry.lastEditedBy.map { try author($0, at: "\(path).last_edited_by") }
            )
            databases.append((database, first))
        }

        var pages: [(StoredPage, DataSourceRecord?)] = []
        for (index, entry) in fixture.pages.enumerated() {
            let path = "$.pages[\(index)]"
            let parent: PageParent
            var dataSource: DataSourceRecord?
            switch (entry.parent.type, entry.parent.id) {
            case ("workspace", nil): parent = .workspace
            case ("data_source_id", let sourceID?):
                guard let source = sources[sourceID] else {
                    throw AdminError("the fixture's \(path).parent.id names no data source of it")
                }
                (parent, dataSource) = (.database(sourceID), source)
            case ("page_id", let pageID?) where pageIDs.contains(pageID): parent = .page(pageID)
            default:
                throw AdminError(
                    "the fixture's \(path).parent must be {type: workspace} or name a data source or page of it"
                )
            }
            let schema = dataSource?.schema ?? PropertyValueParser.pageParentSchema
            try checkValues(entry.properties, schema: schema, users: userIDs, pages: pageIDs, at: "\(path).properties")
            guard entry.createdTime <= now else {
                throw AdminError(
                    "the fixture's \(path).created_time is later than now: a page cannot be created in the future"
                )
            }
            let titleText = entry.properties[schema.title?.id ?? "title"]?.plainText ?? ""
            var record = PageRecord(
                id: try id(entry.id, at: "\(path).id"),
                workspaceID: workspaceID,
                title: try name(titleText, "title", at: "\(path).properties.title", empty: true),
                parent: parent,
                archived: entry.inTrash,
                createdBy: try author(entry.createdBy, at: "\(path).created_by"),
                lastEditedBy: try author(entry.lastEditedBy, at: "\(path).last_edited_by"),
                createdAt: entry.createdTime,
                lastEditedAt: entry.lastEditedTime
            )
            do {
                try PageAppearance.parse(["icon": entry.icon ?? .null, "cover": entry.cover ?? .null])
                    .apply(to: &record)
            } catch let error as ContentValidationError {
                throw AdminError("the fixture's \(path): \(error.message.replacingOccurrences(of: "body.", with: ""))")
            }
            let metadata = PageMetadata(
                createdTime: entry.createdTime.epochMilliseconds,
                lastEditedTime: entry.lastEditedTime.epochMilliseconds,
                createdBy: entry.createdBy,
                lastEditedBy: entry.lastEditedBy,
                uniqueNumber: entry.uniqueNumber
            )
            pages.append(
                (
                    StoredPage(record: record, properties: .init(values: entry.properties, metadata: metadata)),
                    dataSource
                )
            )
        }

        var blocks: [BlockRecord] = []
        var blockPages: [String: String] = [:]
        var withChildren = Set<String>()
        for (index, entry) in fixture.blocks.enumerated() {
            let path = "$.blocks[\(index)]"
            let parent: BlockParent
            switch (entry.parent.type, entry.parent.id) {
            case ("page_id", let pageID?) where pageIDs.contains(pageID) && pageID == entry.pageID:
                parent = .page(id: pageID)
            case ("block_id", let blockID?) where blockPages[blockID] == entry.pageID:
                parent = .block(id: blockID)
                withChildren.insert(blockID)
            default:
                throw AdminError(
                    "the fixture's \(path).parent must name its page or a block listed before it on the same page"
                )
            }
            try checkText(entry.content.richText, at: "\(path).content.rich_text")
            try checkText(entry.content.caption, at: "\(path).content.caption")
            for (cell, text) in (entry.content.cells ?? []).enumerated() {
                try checkText(text, at: "\(path).content.cells[\(cell)]")
            }
            // A child_page or child_database block has the id of its page or database.
            let known = pageIDs.contains(entry.id) || databaseIDs.contains(entry.id)
            let blockID = known ? entry.id : try id(entry.id, at: "\(path).id")
            guard blockPages[blockID] == nil else { throw AdminError("the fixture's \(path).id repeats a block id") }
            blockPages[blockID] = entry.pageID
            blocks.append(
                BlockRecord(
                    id: blockID,
                    workspaceID: workspaceID,
                    parent: parent,
                    pageID: entry.pageID,
                    position: entry.position,
                    content: entry.content,
                    inTrash: entry.inTrash,
                    createdBy: try author(entry.createdBy, at: "\(path).created_by"),
                    lastEditedBy: try author(entry.lastEditedBy, at: "\(path).last_edited_by"),
                    createdAt: entry.createdTime,
                    lastEditedAt: entry.lastEditedTime
                )
            )
        }
        for index in blocks.indices where withChildren.contains(blocks[index].id) { blocks[index].hasChildren = true }

        var comments: [CommentRecord] = []
        for (index, entry) in fixture.comments.enumerated() {
            let path = "$.comments[\(index)]"
            let parent: CommentParent
            switch (entry.parent.type, entry.parent.id) {
            case ("page_id", let pageID?) where pageID == entry.pageID && pageIDs.contains(pageID):
                parent = .page(pageID)
            case ("block_id", let blockID?) where blockPages[blockID] == entry.pageID: parent = .block(blockID)
            default: throw AdminError("the fixture's \(path).parent must name its page or one of that page's blocks")
            }
            let displayName: CommentDisplayName
            switch (entry.displayType, entry.displayName) {
            case ("integration", nil): displayName = .integration
            case ("user", nil): displayName = .user
            case ("custom", let name?): displayName = .custom(try self.name(name, at: "\(path).display_name"))
            default:
                throw AdminError(
                    "the fixture's \(path).display_type must be integration, user or custom (with a display_name)"
                )
            }
            try checkText(entry.richText, at: "\(path).rich_text")
            guard ResourceID.canonical(entry.discussionID) == entry.discussionID else {
                throw AdminError("the fixture's \(path).discussion_id must be a lowercase, dashed UUID")
            }
            comments.append(
                CommentRecord(
                    id: try id(entry.id, at: "\(path).id"),
                    workspaceID: workspaceID,
                    parent: parent,
                    pageID: entry.pageID,
                    discussionID: entry.discussionID,
                    richTextJSON: String(decoding: try JSONEncoder().encode(entry.richText), as: UTF8.self),
                    displayName: displayName,
                    createdBy: try author(entry.createdBy, at: "\(path).created_by"),
                    createdAt: entry.createdTime,
                    lastEditedAt: entry.lastEditedTime
                )
            )
        }
        for (index, entry) in fixture.integrations.enumerated() {
            for (shareIndex, share) in entry.shares.enumerated() {
                let known =
                    share.type == "database"
                    ? databaseIDs.contains(share.id) : share.type == "page" && pageIDs.contains(share.id)
                guard known else {
                    throw AdminError(
                        "the fixture's $.integrations[\(index)].shares[\(shareIndex)] names no database or page of it"
                    )
                }
            }
        }
        return Records(
            workspace: workspace,
            integrations: integrations,
            databases: databases,
            extraDataSources: extra,
            pages: pages,
            blocks: blocks,
            comments: comments
        )
    }

    /// Rich text passes the API's parser (lengths, links, mentioned ids) as the API renders it.
    private func checkText(_ text: RichText?, at path: String) throws {
        guard let text else { return }
        do {
            _ = try RichText.parse(text.rendered(resolving: UnresolvedMentions()), at: path)
        } catch let error as ContentValidationError {
            throw AdminError("the fixture's \(error.path) is not valid rich text: \(error.message)")
        }
    }

    private func name(_ value: String, at path: String) throws -> String {
        do { return try AdminOperations.nonEmpty(value, "name") } catch let error as AdminError {
            throw AdminError("the fixture's \(path): \(error.message)")
        }
    }

    /// A page's values: properties of its schema, of their type, naming options, users and pages that exist.
    private func checkValues(
        _ values: [String: PropertyValue],
        schema: DataSourceSchema,
        users: Set<String>,
        pages: Set<String>,
        at path: String
    ) throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let valuePath = "\(path).\(key)"
            guard let property = schema.properties.first(where: { $0.id == key }) else {
                throw AdminError("the fixture's \(valuePath) is not a property of the page's data source")
            }
            if case .title(let text) = value { try checkText(text, at: valuePath) }
            if case .richText(let text) = value { try checkText(text, at: valuePath) }
            let options = Set(property.options.map(\.id))
            let fits: Bool =
                switch value {
                case .title: property.type == .title
                case .richText: property.type == .richText
                case .number: property.type == .number
                case .select(let option): property.type == .select && option.map(options.contains) ?? true
                case .multiSelect(let chosen): property.type == .multiSelect && chosen.allSatisfy(options.contains)
                case .status(let option): property.type == .status && option.map(options.contains) ?? true
                case .date: property.type == .date
                case .people(let ids): property.type == .people && ids.allSatisfy(users.contains)
                case .checkbox: property.type == .checkbox
                case .url: property.type == .url
                case .email: property.type == .email
                case .phoneNumber: property.type == .phoneNumber
                case .relation(let ids): property.type == .relation && ids.allSatisfy(pages.contains)
                case .files: property.type == .files
                }
            guard fits else {
                throw AdminError(
                    "the fixture's \(valuePath) does not fit the \(property.type.rawValue) property \"\(property.name)\" (type, option, user or page)"
                )
            }
        }
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// Writes workspace content from request-shaped JSON through the API's own pure parsers and store
/// calls, so what it stores is exactly what the API would have stored for the same requests: the
/// schema through ``SchemaParser``, property values through ``PropertyValueParser`` (with the people
/// and pages they name checked to exist in the workspace), blocks through
/// ``BlockDraft/parseChildren(_:at:version:under:)`` and comments through ``RichText/parse(_:at:)``.
///
/// Meant to run inside ``Store/atomically(_:)``; errors are the parsers' ``ContentValidationError``
/// (naming the JSON path) or ``AdminError``.
struct ContentWriter: Sendable {
    let store: any Store
    let workspaceID: String
    /// The user (a person or a bot) the content is created by.
    let author: String
    var time: Date
    /// The version whose request shapes the JSON follows.
    var version = NotionVersion("2025-09-03")!

    /// Creates a database with its first data source from `properties` (as in
    /// `initial_data_source.properties`), under `parentPageID` (with its `child_database` block) or
    /// at the top of the workspace.
    func database(
        id: String = UUIDv4.string(),
        title: String,
        properties: JSONValue,
        parentPageID: String? = nil
    ) async throws -> DataSourceRecord {
        var ids = SeededShortIds(seed: .random(in: .min ... .max))
        let schema = try SchemaParser.create(properties, at: "initial_data_source.properties", ids: &ids)
        let database = DatabaseRecord(
            id: id,
            workspaceID: workspaceID,
            title: try AdminOperations.nonEmpty(title, "database title"),
            parentPageID: parentPageID,
            createdAt: time,
            lastEditedAt: time,
            createdBy: author
        )
        try await store.createDatabase(database, schema: schema)
        if let parentPageID {
            try await store.appendChildReference(
                id: database.id,
                content: .childDatabase(title: database.title),
                to: appendTarget(parentPageID)
            )
        }
        guard let dataSource = try await store.dataSource(id: database.id) else {
            throw AdminError("the data source of database \(database.id) was not stored")
        }
        return dataSource
    }

    /// Where a page goes: a data source (its properties follow the schema), under a page (with its
    /// `child_page` block) or at the top of the workspace.
    enum PageLocation: Sendable {
        case dataSource(DataSourceRecord)
        case page(String)
        case workspace
    }

    /// Creates a page with `properties` (as in `POST /v1/pages`); returns it with the data source as
    /// written (options used for the first time are added to its schema, as the API does).
    @discardableResult
    func page(
        id: String = UUIDv4.string(),
        in location: PageLocation,
        properties: JSONValue,
        icon: Icon? = nil
    ) async throws -> (page: StoredPage, dataSource: DataSourceRecord?) {
        var dataSource: DataSourceRecord?
        let parent: PageParent
        switch location {
        case .dataSource(let source):
            dataSource = source
            parent = .database(source.id)
        case .page(let parentID): parent = .page(parentID)
        case .workspace: parent = .workspace
        }
        var ids = SeededShortIds(seed: .random(in: .min ... .max))
        let write = try PropertyValueParser(schema: dataSource?.schema ?? PropertyValueParser.pageParentSchema)
            .parse(properties, at: "properties", ids: &ids)
        try await checkReferences(of: write)
        let title = try AdminOperations.nonEmpty(
            write.values[write.schema.title?.id ?? "title"]?.plainText ?? "",
            "title"
        )
        let record = PageRecord(
            id: id,
            workspaceID: workspaceID,
            title: title,
            parent: parent,
            createdBy: author,
            lastEditedBy: author,
            createdAt: time,
            lastEditedAt: time,
            icon: icon
        )
        let metadata = PageMetadata(
            createdTime: time.epochMilliseconds,
            lastEditedTime: time.epochMilliseconds,
            createdBy: author,
            lastEditedBy: author
        )
        let page = StoredPage(record: record, properties: PageProperties(values: write.values, metadata: metadata))
        dataSource?.schema = write.schema
        let written = try await store.writePage(page, create: true, dataSource: dataSource)
        if case .page(let parentID) = location {
            try await store.appendChildReference(id: id, content: .childPage(title: title), to: appendTarget(parentID))
        }
        return (written.page, written.dataSource)
    }

    /// Appends `children` (as in `PATCH /v1/blocks/{id}/children`) to the end of a page.
    @discardableResult
    func blocks(_ children: JSONValue, on pageID: String) async throws -> [BlockRecord] {
        let drafts = try BlockDraft.parseChildren(children, at: "children", version: version)
        return try await store.appendBlocks(drafts, to: appendTarget(pageID), at: .end)
    }

    /// Adds a comment on a page: a new discussion, or a reply in `discussionID`.
    @discardableResult
    func comment(
        on pageID: String,
        richText: JSONValue,
        discussionID: String? = nil,
        by userID: String,
        displayName: CommentDisplayName
    ) async throws -> CommentRecord {
        let text = try RichText.parse(richText, at: "rich_text")
        let comment = CommentRecord(
            id: UUIDv4.string(),
            workspaceID: workspaceID,
            parent: .page(pageID),
            pageID: pageID,
            discussionID: discussionID ?? UUIDv4.string(),
            richTextJSON: String(decoding: try JSONEncoder().encode(text), as: UTF8.self),
            displayName: displayName,
            createdBy: userID,
            createdAt: time,
            lastEditedAt: time
        )
        try await store.createComment(comment)
        return comment
    }

    /// The people and pages a write names must exist in the workspace, as the API checks.
    private func checkReferences(of write: PropertyWrite) async throws {
        if !write.referencedUserIds.isEmpty {
            var known = Set(try await store.people(workspaceID: workspaceID).map(\.id))
            known.formUnion(try await store.integrations(workspaceID: workspaceID).map(\.botID))
            if let missing = write.referencedUserIds.sorted().first(where: { !known.contains($0) }) {
                throw AdminError("could not find user with ID: \(missing)")
            }
        }
        for pageID in write.referencedPageIds.sorted() {
            guard let related = try await store.page(id: pageID), related.workspaceID == workspaceID else {
                throw AdminError("could not find page with ID: \(pageID)")
            }
        }
    }

    private func appendTarget(_ pageID: String) -> BlockAppendTarget {
        BlockAppendTarget(
            parent: .page(id: pageID),
            pageID: pageID,
            workspaceID: workspaceID,
            userID: author,
            time: time
        )
    }
}

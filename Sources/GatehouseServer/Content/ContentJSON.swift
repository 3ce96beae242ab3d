import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// The wire shapes of databases, data sources and pages with properties, by version.
enum ContentJSON {
    /// A database: at 2025-09-03 and later with `data_sources: [{id, name}]`, before with its
    /// first data source's `properties`. `requester` (the asking integration's bot) stands for an
    /// author that was not recorded.
    static func database(
        _ database: DatabaseRecord,
        dataSources: [DataSourceRecord],
        requester: String,
        version: NotionVersion
    ) -> JSONValue {
        var json = NotionObjects.database(database, requester: requester, version: version)
        if version.usesDataSources {
            let list = dataSources.filter { !$0.inTrash }.map { source -> JSONValue in
                ["id": .string(source.id), "name": .string(source.name)]
            }
            json = replacing("data_sources", in: json, with: .array(list))
        } else if let first = dataSources.first {
            json = replacing("properties", in: json, with: SchemaRenderer.render(first.schema, version: version))
        }
        return json
    }

    /// A data source (2025-09-03 and later); `requester` as for ``database(_:dataSources:requester:version:)``.
    static func dataSource(
        _ dataSource: DataSourceRecord,
        database: DatabaseRecord,
        requester: String,
        version: NotionVersion
    ) -> JSONValue {
        let createdBy = dataSource.createdBy ?? requester
        let databaseParent: JSONValue =
            database.parentPageID.map { ["type": "page_id", "page_id": .string($0)] }
            ?? ["type": "workspace", "workspace": true]
        return [
            "object": "data_source",
            "id": .string(dataSource.id),
            "created_time": NotionObjects.timestamp(dataSource.createdAt),
            "last_edited_time": NotionObjects.timestamp(dataSource.lastEditedAt),
            "created_by": NotionObjects.userReference(createdBy),
            "last_edited_by": NotionObjects.userReference(dataSource.lastEditedBy ?? createdBy),
            "title": NotionObjects.richText(dataSource.name),
            "description": [],
            "icon": nil,
            "cover": nil,
            "properties": SchemaRenderer.render(dataSource.schema, version: version),
            "parent": ["type": "database_id", "database_id": .string(database.id)],
            "database_parent": databaseParent,
            "url": NotionObjects.url(for: dataSource.id),
            "public_url": nil,
            "archived": .bool(dataSource.inTrash),
            "in_trash": .bool(dataSource.inTrash),
            "is_inline": false,
        ]
    }

    /// A page with its `properties` rendered against `schema` (only `only` ids, when not empty).
    /// `databaseID` is the database of the page's data source: a page in a second (or later) data
    /// source names that database, not its data source, as `database_id`.
    static func page(
        _ page: StoredPage,
        schema: DataSourceSchema,
        databaseID: String? = nil,
        users: WorkspaceUsers,
        version: NotionVersion,
        only: [String] = []
    ) -> JSONValue {
        var schema = schema
        if !only.isEmpty { schema.properties = schema.properties.filter { only.contains($0.id) } }
        let properties = PropertyValueRenderer(schema: schema, resolver: users, version: version)
            .render(page.properties.values, metadata: page.properties.metadata)
        var json = replacing(
            "properties",
            in: NotionObjects.page(page.record, version: version, files: users),
            with: properties
        )
        if let databaseID, case .database(let sourceID) = page.record.parent, sourceID != databaseID {
            let parent: JSONValue =
                version.usesDataSources
                ? ["type": "data_source_id", "data_source_id": .string(sourceID), "database_id": .string(databaseID)]
                : ["type": "database_id", "database_id": .string(databaseID)]
            json = replacing("parent", in: json, with: parent)
        }
        return json
    }

    static func replacing(_ key: String, in object: JSONValue, with value: JSONValue) -> JSONValue {
        guard case .object(var members) = object else { return object }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    /// The plain text of a rich text array (`text.content` or `plain_text` of each item).
    static func plainText(_ value: JSONValue?, at path: String) throws(APIError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let parts) = value else {
            throw .validation("body failed validation: \(path) should be an array, instead was `\(value.typeName)`.")
        }
        let text = parts.compactMap { $0["text"]?["content"]?.stringValue ?? $0["plain_text"]?.stringValue }.joined()
        do {
            return try DisplayName.validate(text)
        } catch {
            throw .validation("body failed validation: \(path) \(error).")
        }
    }

    /// Runs a content rule, answering its ``ContentValidationError`` as `validation_error`.
    static func validated<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as ContentValidationError {
            throw APIError.validation(error.message)
        }
    }
}

/// The workspace's people and bots as the integration may see them: a ``MentionResolver`` for
/// rendering people values (no names without user information, no e-mail without
/// `user_info_with_email`), and the set of ids that
/// people values may name.
struct WorkspaceUsers: MentionResolver, Equatable, Sendable {
    var names: [String: String] = [:]
    var objects: [String: JSONValue] = [:]
    var ids: Set<String> = []
    /// Signs the links of uploaded files that `files` values show; `nil` when the pages rendered
    /// can show none.
    var fileLinks: FileLinkSigner?

    /// The people and bots that rendering `pages` against `schema` may name, loaded only when it
    /// names someone (a people, created-by or last-edited-by property, a people value or a user
    /// mention); for pages that name nobody, none, and the two reads are saved.
    static func load(
        rendering pages: [StoredPage],
        schema: DataSourceSchema,
        for principal: Principal,
        store: any Store,
        files: FileLinks
    ) async throws -> WorkspaceUsers {
        let namesPeople =
            schema.properties.contains { [.people, .createdBy, .lastEditedBy].contains($0.type) }
            || pages.contains { page in page.properties.values.values.contains(where: Self.namesSomeone) }
        if namesPeople { return try await load(for: principal, store: store, files: files) }
        var users = WorkspaceUsers()
        if schema.properties.contains(where: { $0.type == .files }) { users.fileLinks = try await files.signer() }
        return users
    }

    private static func namesSomeone(_ value: PropertyValue) -> Bool {
        switch value {
        case .people(let ids): !ids.isEmpty
        case .title(let text), .richText(let text): !text.mentionedIDs.users.isEmpty
        default: false
        }
    }

    static func load(for principal: Principal, store: any Store, files: FileLinks) async throws -> WorkspaceUsers {
        var users = WorkspaceUsers(fileLinks: try await files.signer())
        let userInfo = principal.capabilities.userInfo
        for person in try await store.people(workspaceID: principal.workspaceID) {
            users.ids.insert(person.id)
            guard userInfo != .none else { continue }
            users.names[person.id] = person.name
            users.objects[person.id] = NotionObjects.person(person, userInfo: userInfo)
        }
        for integration in try await store.integrations(workspaceID: principal.workspaceID) {
            users.ids.insert(integration.botID)
            if userInfo != .none {
                users.names[integration.botID] = integration.name
                users.objects[integration.botID] =
                    integration.botID == principal.botID
                    ? NotionObjects.bot(of: principal) : NotionObjects.otherBot(integration)
            }
        }
        return users
    }

    func userName(id: String) -> String? { names[id] }
    func userObject(id: String) -> JSONValue? { objects[id] }
    func pageTitle(id: String) -> String? { nil }
    func databaseTitle(id: String) -> String? { nil }
    func fileLink(uploadID: String, name: String?) -> FileLink? { fileLinks?.link(uploadID: uploadID, name: name) }
}

/// Property and option ids for schemas and pages: random, as Notion's are.
struct RandomShortIds: ShortIdSource {
    var seeded = SeededShortIds(seed: UInt64.random(in: 0...UInt64.max))
    mutating func nextShortId() -> String { seeded.nextShortId() }
}

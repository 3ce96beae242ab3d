import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// `workspace export` and `workspace import`: a workspace as a ``WorkspaceFixture`` and back.
extension AdminOperations {
    /// The workspace with its users, internal integrations (capabilities and shares), databases,
    /// data sources, pages, blocks and comments; never a secret.
    public func exportWorkspace(_ workspaceID: String) async throws -> WorkspaceFixture {
        let workspace = try await workspace(workspaceID)
        let people = try await store.people(workspaceID: workspace.id).sorted {
            ($0.createdAt, $0.id) < ($1.createdAt, $1.id)
        }
        let databases = try await store.databases(workspaceID: workspace.id)
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let databaseIDs = Set(databases.map(\.id))
        var dataSources: [DataSourceRecord] = []
        for database in databases {
            dataSources += try await store.dataSources(databaseID: database.id)
                .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
        let schemas = Dictionary(dataSources.map { ($0.id, $0.schema) }, uniquingKeysWith: { first, _ in first })
        var integrations: [WorkspaceFixture.IntegrationEntry] = []
        for integration in try await store.integrations(workspaceID: workspace.id) where integration.kind == .internal {
            let shares = try await store.shares(integrationID: integration.id).sorted().map { id in
                WorkspaceFixture.ShareEntry(type: databaseIDs.contains(id) ? "database" : "page", id: id)
            }
            integrations.append(
                .init(
                    id: integration.id,
                    name: integration.name,
                    botID: integration.botID,
                    capabilities: integration.capabilities.names,
                    shares: shares,
                    createdTime: integration.createdAt
                )
            )
        }
        var pages: [WorkspaceFixture.PageEntry] = []
        for record in try await store.pages(workspaceID: workspace.id) {
            var titleID = "title"
            if case .database(let sourceID) = record.parent { titleID = schemas[sourceID]?.title?.id ?? "title" }
            let properties = try await store.storedPage(id: record.id, titleID: titleID)?.properties
            pages.append(
                .init(
                    id: record.id,
                    parent: Self.fixtureParent(record.parent),
                    inTrash: record.archived,
                    createdBy: record.createdBy,
                    lastEditedBy: record.lastEditedBy,
                    createdTime: record.createdAt,
                    lastEditedTime: record.lastEditedAt,
                    properties: properties?.values ?? [:],
                    uniqueNumber: properties?.metadata.uniqueNumber,
                    icon: record.icon.map(PageAppearance.requestForm(of:)),
                    cover: record.cover.map(PageAppearance.requestForm(of:))
                )
            )
        }
        let blocks = try await store.blocks(workspaceID: workspace.id).map { block in
            WorkspaceFixture.BlockEntry(
                id: block.id,
                parent: Self.fixtureParent(block.parent),
                pageID: block.pageID,
                position: block.position,
                inTrash: block.inTrash,
                content: block.content,
                createdBy: block.createdBy,
                lastEditedBy: block.lastEditedBy,
                createdTime: block.createdAt,
                lastEditedTime: block.lastEditedAt
            )
        }
        var comments: [WorkspaceFixture.CommentEntry] = []
        for comment in try await store.comments(workspaceID: workspace.id) {
            let (type, name): (String, String?) =
                switch comment.displayName {
                case .integration: ("integration", nil)
                case .user: ("user", nil)
                case .custom(let name): ("custom", name)
                }
            comments.append(
                .init(
                    id: comment.id,
                    parent: Self.fixtureParent(comment.parent),
                    pageID: comment.pageID,
                    discussionID: comment.discussionID,
                    richText: try JSONDecoder().decode(RichText.self, from: Data(comment.richTextJSON.utf8)),
                    displayType: type,
                    displayName: name,
                    createdBy: comment.createdBy,
                    createdTime: comment.createdAt,
                    lastEditedTime: comment.lastEditedAt
                )
            )
        }
        return WorkspaceFixture(
            format: WorkspaceFixture.formatName,
            version: WorkspaceFixture.currentVersion,
            workspace: .init(
                id: workspace.id,
                name: workspace.name,
                icon: workspace.icon,
                plan: workspace.plan,
                createdTime: workspace.createdAt
            ),
            users: people.map {
                .init(id: $0.id, name: $0.name, email: $0.email, role: $0.role, createdTime: $0.createdAt)
            },
            integrations: integrations.sorted { ($0.createdTime, $0.id) < ($1.createdTime, $1.id) },
            databases: databases.map {
                .init(
                    id: $0.id,
                    title: $0.title,
                    parentPageID: $0.parentPageID,
                    createdBy: $0.createdBy,
                    lastEditedBy: $0.lastEditedBy,
                    createdTime: $0.createdAt,
                    lastEditedTime: $0.lastEditedAt
                )
            },
            dataSources: dataSources.map {
                .init(
                    id: $0.id,
                    databaseID: $0.databaseID,
                    name: $0.name,
                    inTrash: $0.inTrash,
                    schema: $0.schema,
                    createdBy: $0.createdBy,
                    lastEditedBy: $0.lastEditedBy,
                    createdTime: $0.createdAt,
                    lastEditedTime: $0.lastEditedAt
                )
            },
            pages: pages,
            blocks: blocks,
            comments: comments
        )
    }

    /// What an import created, by kind.
    public struct ImportedWorkspace: Sendable, Equatable {
        public var workspaceID: String
        public var userIDs: [String]
        public var integrationIDs: [String]
        public var databaseIDs: [String]
        public var dataSourceIDs: [String]
        public var pageIDs: [String]
        public var blockIDs: [String]
        public var commentIDs: [String]
    }

    /// Writes the fixture's workspace into this store in one transaction, after checking it whole
    /// (``FixtureCheck``): a workspace the store already holds is a `conflict`, a bad fixture an
    /// error naming the JSON path; either way nothing is written. Users get no password and
    /// integrations no key.
    public func importWorkspace(_ fixture: WorkspaceFixture) async throws -> ImportedWorkspace {
        let checked = try FixtureCheck(fixture, now: clock.now()).records()
        if try await store.workspace(id: fixture.workspace.id) != nil {
            throw AdminError("conflict: the store already holds workspace \(fixture.workspace.id)")
        }
        var people: [Person] = []
        for user in fixture.users {
            let unusable = try await Self.bcrypt(UUIDv4.string() + UUIDv4.string(), cost: bcryptCost)
            people.append(
                Person(
                    id: user.id,
                    workspaceID: fixture.workspace.id,
                    name: user.name,
                    // As every admin operation stores it, so that sign-in and `user set-password`
                    // (which lowercase what they are given) find this person and no other.
                    email: user.email.trimmingCharacters(in: .whitespaces).lowercased(),
                    role: user.role,
                    passwordHash: unusable,
                    createdAt: user.createdTime
                )
            )
        }
        for person in people where try await store.person(email: person.email) != nil {
            throw AdminError("conflict: the store already has a user with the e-mail of \(person.id)")
        }
        let imported = people
        let event = event(
            "workspace.imported",
            target: fixture.workspace.id,
            workspaceID: fixture.workspace.id,
            details: ["name": fixture.workspace.name]
        )
        let time = clock.now()
        do {
            try await store.atomically { store in
                try await store.createWorkspace(checked.workspace)
                for person in imported { try await store.createPerson(person) }
                for integration in checked.integrations { try await store.createIntegration(integration, token: nil) }
                for (database, first) in checked.databases {
                    try await store.createDatabase(database, schema: first.schema)
                    try await store.updateDataSource(first, reindex: false)
                }
                for dataSource in checked.extraDataSources { try await store.createDataSource(dataSource) }
                for (page, dataSource) in checked.pages {
                    try await store.writePage(page, create: true, dataSource: dataSource)
                }
                try await store.insertBlocks(checked.blocks)
                for comment in checked.comments { try await store.createComment(comment) }
                for share in fixture.integrations.flatMap({ entry in entry.shares.map { (entry.id, $0) } }) {
                    try await store.setShare(
                        integrationID: share.0,
                        resourceID: share.1.id,
                        resourceType: share.1.type,
                        remove: false,
                        at: time
                    )
                }
                try await store.appendEvent(event)
            }
        } catch let error as StoreError where error.code == .duplicate {
            throw AdminError("conflict: an id of the fixture is already in this store (\(error.message.prefix(120)))")
        }
        return ImportedWorkspace(
            workspaceID: fixture.workspace.id,
            userIDs: fixture.users.map(\.id),
            integrationIDs: fixture.integrations.map(\.id),
            databaseIDs: fixture.databases.map(\.id),
            dataSourceIDs: fixture.dataSources.map(\.id),
            pageIDs: fixture.pages.map(\.id),
            blockIDs: fixture.blocks.map(\.id),
            commentIDs: fixture.comments.map(\.id)
        )
    }

    static func fixtureParent(_ parent: PageParent) -> WorkspaceFixture.ParentEntry {
        switch parent {
        case .workspace: .init(type: "workspace", id: nil)
        case .database(let id): .init(type: "data_source_id", id: id)
        case .page(let id): .init(type: "page_id", id: id)
        }
    }

    static func fixtureParent(_ parent: BlockParent) -> WorkspaceFixture.ParentEntry {
        switch parent {
        case .page(let id): .init(type: "page_id", id: id)
        case .block(let id): .init(type: "block_id", id: id)
        }
    }

    static func fixtureParent(_ parent: CommentParent) -> WorkspaceFixture.ParentEntry {
        switch parent {
        case .page(let id): .init(type: "page_id", id: id)
        case .block(let id): .init(type: "block_id", id: id)
        }
    }
}

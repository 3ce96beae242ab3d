import Foundation
import GatehouseContent
import GatehouseCore

/// A data source: a database's table of pages, with its schema.
public struct DataSourceRecord: Sendable, Equatable {
    public var id: String
    public var databaseID: String
    public var workspaceID: String
    public var name: String
    public var schema: DataSourceSchema
    public var inTrash: Bool
    public var createdAt: Date
    public var lastEditedAt: Date
    /// As ``DatabaseRecord/createdBy``.
    public var createdBy: String?
    /// As ``DatabaseRecord/lastEditedBy``.
    public var lastEditedBy: String?

    public init(
        id: String,
        databaseID: String,
        workspaceID: String,
        name: String,
        schema: DataSourceSchema,
        inTrash: Bool = false,
        createdAt: Date,
        lastEditedAt: Date,
        createdBy: String? = nil,
        lastEditedBy: String? = nil
    ) {
        self.id = id
        self.databaseID = databaseID
        self.workspaceID = workspaceID
        self.name = name
        self.schema = schema
        self.inTrash = inTrash
        self.createdAt = createdAt
        self.lastEditedAt = lastEditedAt
        self.createdBy = createdBy
        self.lastEditedBy = lastEditedBy
    }
}

/// The schema a database gets when nothing else is said: one title property, "Name".
public enum DataSourceDefaults {
    public static let titleOnlySchema = DataSourceSchema(properties: [
        PropertyDefinition(id: "title", name: "Name", type: .title)
    ])

    /// ``titleOnlySchema`` as stored (JSON), for the migration that gives old databases a data source.
    static let titleOnlySchemaJSON: String = {
        let data = (try? JSONEncoder().encode(titleOnlySchema)) ?? Data()
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "'", with: "''")
    }()
}

/// A page's stored properties: its record, values and the computed metadata.
public struct StoredPage: Sendable, Equatable {
    public var record: PageRecord
    public var properties: PageProperties

    public init(record: PageRecord, properties: PageProperties) {
        self.record = record
        self.properties = properties
    }
}

/// A page as ``DataSourceStore/writePage(_:create:dataSource:)`` stored it: its `unique_id` number
/// given, its option ids those of the stored schema, which `dataSource` holds.
public struct WrittenPage: Sendable, Equatable {
    public var page: StoredPage
    public var dataSource: DataSourceRecord?
    /// Whether an updated page was in the trash just before the write, read under its row lock
    /// (`nil` for a new page): a caller tells from it whether the write trashed or restored it.
    public var wasInTrash: Bool?

    public init(page: StoredPage, dataSource: DataSourceRecord?, wasInTrash: Bool? = nil) {
        self.page = page
        self.dataSource = dataSource
        self.wasInTrash = wasInTrash
    }
}

/// What a page update sets: the properties it names (ids) and which of the page's own fields.
/// Everything else keeps the value stored when the write commits, not the one the caller read,
/// so two updates that set different things of one page both count.
public struct PageUpdate: Sendable, Equatable {
    public var properties: Set<String>
    /// Whether the update sets `in_trash` (a page trashed meanwhile otherwise stays in the trash).
    public var setsTrash: Bool
    public var setsIcon: Bool
    public var setsCover: Bool

    public init(properties: Set<String>, setsTrash: Bool = false, setsIcon: Bool = false, setsCover: Bool = false) {
        self.properties = properties
        self.setsTrash = setsTrash
        self.setsIcon = setsIcon
        self.setsCover = setsCover
    }
}

/// Data sources (schemas), page property values and queries over the page index.
public protocol DataSourceStore: Sendable {
    /// Creates the database and its first data source (whose id is the database's), in one transaction.
    func createDatabase(_ database: DatabaseRecord, schema: DataSourceSchema) async throws
    func createDataSource(_ dataSource: DataSourceRecord) async throws
    func dataSource(id: String) async throws -> DataSourceRecord?
    /// The database's data sources, its first (whose id is the database's) first, then by creation.
    func dataSources(databaseID: String) async throws -> [DataSourceRecord]
    /// Every data source of the workspace (trashed ones too), for computing many lineages at once.
    func dataSources(workspaceID: String) async throws -> [DataSourceRecord]
    /// Saves the name, schema and trash flag; with `reindex`, rewrites every page's index rows
    /// (a property's type changed or was added or removed).
    func updateDataSource(_ dataSource: DataSourceRecord, reindex: Bool) async throws
    /// Changes the schema of data source `id` to what `change` makes of the schema stored, read
    /// under the row's lock, and nothing else of it but who last edited it and when; rebuilds its
    /// pages' index rows when a property went. Nothing when there is no such data source.
    func changeSchema(
        of id: String,
        by editor: String,
        at time: Date,
        _ change: @escaping @Sendable (DataSourceSchema) -> DataSourceSchema
    ) async throws
    /// Takes the workspace's mirroring lock until the transaction ends: every transaction that
    /// writes two-way relations' values or schemas takes it first, so they queue rather than deadlock.
    func takeMirroringLock(workspaceID: String) async throws
    /// Mirrors, on the other side of each two-way relation in `properties` (ids) of the stored data
    /// source, the values its pages hold there already: for a relation just made two-way.
    func mirrorStoredValues(of dataSourceID: String, properties: [String]) async throws
    /// Saves a database's title (and parent) as the record says.
    func updateDatabase(_ database: DatabaseRecord) async throws

    /// The page with its values; a page without stored values has its title only.
    func storedPage(id: String, titleID: String) async throws -> StoredPage?
    /// Inserts (`create`) or updates the page, its values and its index rows, in one transaction.
    /// In a data source (`dataSource`, as the caller read it, with the options the page's values
    /// created), the write is reconciled with the schema stored at that moment (see
    /// ``SchemaReconciliation``), and a new page without a `unique_id` number takes the data
    /// source's next one when its schema has a `unique_id` property. Returns the page and data
    /// source as written.
    ///
    /// `setting` is what an update sets (``PageUpdate``); the rest of the page stays as stored
    /// when it commits. `nil`: every value and field is the caller's.
    @discardableResult
    func writePage(
        _ page: StoredPage,
        create: Bool,
        dataSource: DataSourceRecord?,
        setting: PageUpdate?
    ) async throws -> WrittenPage
    /// Moves page `id` from `expected` (its parent as the caller read it) to `parent`, in one
    /// transaction and from the page as stored then: its values carried over (``PageMove``), a
    /// new `unique_id` number in a data source whose schema has one, its `child_page` block
    /// taken from the page or block it was under and appended to a new parent page
    /// (`reference`), its index rows rebuilt, and its links in two-way relations taken off the
    /// data source it leaves and made in the one it enters. Throws ``StoreError/Code/conflict``
    /// when the page moved or was trashed since the caller read it, or `parent` now lies under it.
    @discardableResult
    func movePage(
        _ id: String,
        from expected: PageParent,
        to parent: PageParent,
        into dataSource: DataSourceRecord?,
        by editor: String,
        at time: Date,
        reference: BlockAppendTarget?
    ) async throws -> WrittenPage
    /// One page of the data source's pages in `scope` that match `plan`, in `sorts` order (ties:
    /// creation order, then id; without sorts, newest first), from `offset`, at most `limit`.
    func queryPages(
        dataSource: DataSourceRecord,
        plan: FilterPlan,
        sorts: [QuerySort],
        scope: PageQueryScope,
        offset: Int,
        limit: Int
    ) async throws -> [StoredPage]
}

/// Which of a data source's pages a query reads: the live ones or those in the trash, and when
/// `createdUpTo` is given only those created by then (a cursor's first page, ``QueryCursor``).
public struct PageQueryScope: Equatable, Sendable {
    public var inTrash: Bool
    /// Milliseconds since 1970; nil for every page.
    public var createdUpTo: Int64?

    public init(inTrash: Bool = false, createdUpTo: Int64? = nil) {
        self.inTrash = inTrash
        self.createdUpTo = createdUpTo
    }
}

extension DataSourceStore {
    /// ``queryPages(dataSource:plan:sorts:scope:offset:limit:)`` of every live page.
    public func queryPages(
        dataSource: DataSourceRecord,
        plan: FilterPlan,
        sorts: [QuerySort],
        offset: Int,
        limit: Int
    ) async throws -> [StoredPage] {
        try await queryPages(
            dataSource: dataSource,
            plan: plan,
            sorts: sorts,
            scope: PageQueryScope(),
            offset: offset,
            limit: limit
        )
    }
}

extension DataSourceStore {
    /// ``writePage(_:create:dataSource:setting:)`` with every value the caller's.
    @discardableResult
    public func writePage(_ page: StoredPage, create: Bool, dataSource: DataSourceRecord?) async throws -> WrittenPage {
        try await writePage(page, create: create, dataSource: dataSource, setting: nil)
    }
}

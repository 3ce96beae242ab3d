import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

/// A page update writes what it sets and leaves the rest as stored when it commits, so an
/// update computed from an older read undoes nothing written meanwhile.
@Suite struct PageUpdateStoreTests {
    static func archivedAt(_ id: String, in store: SQLStore) async throws -> Int64? {
        try await store.read { database in
            try await database.raw("SELECT archived_at FROM pages WHERE id = \(bind: id)").first()?
                .decode(column: "archived_at", as: Int64?.self)
        }
    }

    static func titled(_ page: StoredPage, _ title: String) -> StoredPage {
        var page = page
        page.record.title = title
        page.properties.values["title"] = .title(RichText([.text(title)]))
        return page
    }

    @Test(arguments: StoreEngine.available)
    func anUpdateReadBeforeACoverChangeKeepsItAndOneReadBeforeATrashIsRefused(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        var page = Self.titled(Fixtures.storedPage(in: workspace.id, under: .workspace), "One")
        page.record.icon = .emoji("🍎")
        page.record.cover = "https://example.com/one.png"
        try await store.writePage(page, create: true, dataSource: nil)
        let read = page

        // Meanwhile another update sets the cover.
        var recovered = read
        recovered.record.cover = "https://example.com/two.png"
        try await store.writePage(
            recovered,
            create: false,
            dataSource: nil,
            setting: PageUpdate(properties: [], setsCover: true)
        )
        // The update read before it sets the title only, and keeps that cover.
        let written = try await store.writePage(
            Self.titled(read, "Two"),
            create: false,
            dataSource: nil,
            setting: PageUpdate(properties: ["title"])
        )
        let stored = try #require(try await store.page(id: page.record.id))
        #expect(stored.title == "Two" && !stored.archived)
        #expect(stored.cover == "https://example.com/two.png")
        #expect(stored.icon == .emoji("🍎"))
        #expect(written.page.record == stored)

        // Trashed meanwhile: an update read before is refused, and nothing of it is written.
        let trashed = try #require(
            try await store.setPageTrash(id: page.record.id, true, by: "bot-b", at: Fixtures.now)?.page
        )
        await #expect(throws: StoreError.self) {
            try await store.writePage(
                Self.titled(read, "Three"),
                create: false,
                dataSource: nil,
                setting: PageUpdate(properties: ["title"])
            )
        }
        #expect(try await store.page(id: page.record.id) == trashed)

        // An update that sets the trash flag and the icon writes them.
        var untrashing = Self.titled(read, "Two")
        untrashing.record.icon = nil
        try await store.writePage(
            untrashing,
            create: false,
            dataSource: nil,
            setting: PageUpdate(properties: [], setsTrash: true, setsIcon: true)
        )
        let restored = try #require(try await store.page(id: page.record.id))
        #expect(!restored.archived)
        #expect(restored.icon == nil)
        #expect(restored.cover == "https://example.com/two.png")
    }

    @Test(arguments: StoreEngine.available)
    func trashingAPageKeepsATitleWrittenMeanwhile(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let page = Self.titled(Fixtures.storedPage(in: workspace.id, under: .workspace), "One")
        try await store.writePage(page, create: true, dataSource: nil)
        try await store.writePage(
            Self.titled(page, "Two"),
            create: false,
            dataSource: nil,
            setting: PageUpdate(properties: ["title"])
        )

        let trashed = try #require(
            try await store.setPageTrash(id: page.record.id, true, by: "bot-b", at: Fixtures.now)?.page
        )
        #expect(trashed.title == "Two" && trashed.archived && trashed.lastEditedBy == "bot-b")
        #expect(try await store.page(id: page.record.id) == trashed)
        // Trashed again (a raced delete): it keeps the moment it first went to the trash.
        let id = page.record.id
        let firstTrashed = try await Self.archivedAt(id, in: store)
        let again = try await store.setPageTrash(id: id, true, by: "bot-c", at: Fixtures.now.addingTimeInterval(60))
        #expect(again?.changed == false, "already in the trash")
        #expect(try await Self.archivedAt(id, in: store) == firstTrashed)
        let restored = try #require(
            try await store.setPageTrash(id: page.record.id, false, by: "bot", at: Fixtures.now)
        )
        #expect(restored.changed && !restored.page.archived && restored.page.title == "Two")
        #expect(try await store.setPageTrash(id: Fixtures.id(), true, by: "bot", at: Fixtures.now) == nil)
    }
}

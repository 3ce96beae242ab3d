import Foundation
import GatehouseContent
import GatehouseCore
import Testing

@testable import GatehouseStore

/// A page update writes what it sets and leaves the rest as stored when it commits, so an
/// update computed from an older read undoes nothing written meanwhile.
@Suite struct PageUpdateStoreTests {
    static func titled(_ page: StoredPage, _ title: String) -> StoredPage {
        var page = page
        page.record.title = title
        page.properties.values["title"] = .title(RichText([.text(title)]))
        return page
    }

    @Test(arguments: StoreEngine.available)
    func anUpdateReadBeforeATrashAndACoverChangeKeepsBoth(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        var page = Self.titled(Fixtures.storedPage(in: workspace.id, under: .workspace), "One")
        page.record.icon = .emoji("🍎")
        page.record.cover = "https://example.com/one.png"
        try await store.writePage(page, create: true, dataSource: nil)
        let read = page

        // Meanwhile: the page goes to the trash, and another update sets its cover.
        let trashed = try #require(
            try await store.setPageTrash(id: page.record.id, true, by: "bot-b", at: Fixtures.now)
        )
        #expect(trashed.archived && trashed.title == "One")
        var recovered = read
        recovered.record.cover = "https://example.com/two.png"
        try await store.writePage(
            recovered,
            create: false,
            dataSource: nil,
            setting: PageUpdate(properties: [], setsCover: true)
        )

        // The update read before both sets the title only.
        let written = try await store.writePage(
            Self.titled(read, "Two"),
            create: false,
            dataSource: nil,
            setting: PageUpdate(properties: ["title"])
        )
        let stored = try #require(try await store.page(id: page.record.id))
        #expect(stored.title == "Two")
        #expect(stored.archived)
        #expect(stored.cover == "https://example.com/two.png")
        #expect(stored.icon == .emoji("🍎"))
        #expect(written.page.record == stored)

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
            try await store.setPageTrash(id: page.record.id, true, by: "bot-b", at: Fixtures.now)
        )
        #expect(trashed.title == "Two" && trashed.archived && trashed.lastEditedBy == "bot-b")
        #expect(try await store.page(id: page.record.id) == trashed)
        let restored = try #require(
            try await store.setPageTrash(id: page.record.id, false, by: "bot", at: Fixtures.now)
        )
        #expect(!restored.archived && restored.title == "Two")
        #expect(try await store.setPageTrash(id: Fixtures.id(), true, by: "bot", at: Fixtures.now) == nil)
    }
}

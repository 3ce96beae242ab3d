import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

@testable import GatehouseStore

/// Blocks in the store: trees written in one append and read back a page at a time, in order,
/// wherever they were placed, and appends to one parent that never interleave.
@Suite(.timeLimit(.minutes(2))) struct BlockStoreTests {
    static func paragraph(_ text: String, children: [BlockDraft] = []) -> BlockDraft {
        var content = BlockContent(type: .paragraph)
        content.richText = [.text(text)]
        return BlockDraft(content: content, children: children)
    }

    static func text(_ record: BlockRecord) -> String {
        record.content.plainText(resolving: UnresolvedMentions())
    }

    static func target(_ parent: BlockParent, page: String, workspace: Workspace) -> BlockAppendTarget {
        BlockAppendTarget(parent: parent, pageID: page, workspaceID: workspace.id, userID: "bot", time: Fixtures.now)
    }

    /// All untrashed children of `parentID`, through every page.
    static func allChildren(_ store: SQLStore, of parentID: String, pageSize: Int = 100) async throws -> [BlockRecord] {
        var all: [BlockRecord] = []
        var cursor: String?
        repeat {
            let page = try await store.children(of: parentID, startCursor: cursor, pageSize: pageSize)
            all += page.blocks
            cursor = page.nextCursor
        } while cursor != nil
        return all
    }

    @Test(arguments: StoreEngine.available)
    func anAppendedTreeReadsBackInOrderWithItsNesting(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let written = try await store.appendBlocks(
            [
                Self.paragraph("one", children: [Self.paragraph("one.a"), Self.paragraph("one.b")]),
                Self.paragraph("two"),
            ],
            to: Self.target(.page(id: pageID), page: pageID, workspace: workspace),
            at: .end
        )
        #expect(written.map(Self.text) == ["one", "one.a", "one.b", "two"])
        let top = try await store.children(of: pageID, startCursor: nil, pageSize: 100)
        #expect(top.blocks.map(Self.text) == ["one", "two"])
        #expect(top.nextCursor == nil)
        #expect(top.blocks.map(\.hasChildren) == [true, false])
        #expect(top.blocks.allSatisfy { $0.pageID == pageID && $0.parent == .page(id: pageID) })
        let nested = try await store.children(of: top.blocks[0].id, startCursor: nil, pageSize: 100)
        #expect(nested.blocks.map(Self.text) == ["one.a", "one.b"])
        #expect(nested.blocks.allSatisfy { $0.pageID == pageID && $0.parent == .block(id: top.blocks[0].id) })
        #expect(try await store.block(id: nested.blocks[1].id) == nested.blocks[1])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func childrenComeAPageAtATimeFromTheCursor(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let target = Self.target(.page(id: pageID), page: pageID, workspace: workspace)
        for batch in 0..<3 {
            _ = try await store.appendBlocks(
                (0..<100).map { Self.paragraph("\(batch * 100 + $0)") },
                to: target,
                at: .end
            )
        }
        let first = try await store.children(of: pageID, startCursor: nil, pageSize: 100)
        #expect(first.blocks.count == 100)
        #expect(first.nextCursor != nil)
        let all = try await Self.allChildren(store, of: pageID, pageSize: 70)
        #expect(all.map(Self.text) == (0..<300).map { "\($0)" })
        await #expect(throws: StoreError.self) {
            _ = try await store.children(of: pageID, startCursor: Fixtures.id(), pageSize: 10)
        }
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func blocksGoAtTheStartAfterASiblingOrAtTheEnd(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let target = Self.target(.page(id: pageID), page: pageID, workspace: workspace)
        let written = try await store.appendBlocks([Self.paragraph("a"), Self.paragraph("b")], to: target, at: .end)
        _ = try await store.appendBlocks(
            [Self.paragraph("a1"), Self.paragraph("a2")],
            to: target,
            at: .afterBlock(id: written[0].id, path: "body.after")
        )
        _ = try await store.appendBlocks([Self.paragraph("first")], to: target, at: .start)
        _ = try await store.appendBlocks([Self.paragraph("last")], to: target, at: .end)
        _ = try await store.appendBlocks(
            [Self.paragraph("after b")],
            to: target,
            at: .afterBlock(id: written[1].id, path: "body.after")
        )
        #expect(
            try await Self.allChildren(store, of: pageID).map(Self.text) == [
                "first", "a", "a1", "a2", "b", "after b", "last",
            ]
        )
        await #expect(throws: ContentValidationError.self) {
            _ = try await store.appendBlocks(
                [Self.paragraph("nowhere")],
                to: target,
                at: .afterBlock(id: Fixtures.id(), path: "body.after")
            )
        }
        #expect(try await Self.allChildren(store, of: pageID).count == 7)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func manyInsertionsAtOneSpotRenumberAndKeepTheOrder(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let target = Self.target(.page(id: pageID), page: pageID, workspace: workspace)
        let written = try await store.appendBlocks([Self.paragraph("a"), Self.paragraph("z")], to: target, at: .end)
        // Each insertion goes right after "a", so the newest comes first; the gap runs out after ~20.
        for index in 0..<40 {
            _ = try await store.appendBlocks(
                [Self.paragraph("\(index)")],
                to: target,
                at: .afterBlock(id: written[0].id, path: "body.after")
            )
        }
        let expected = ["a"] + (0..<40).reversed().map { "\($0)" } + ["z"]
        #expect(try await Self.allChildren(store, of: pageID, pageSize: 7).map(Self.text) == expected)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func updatesChangeContentAndTrashHidesABlockFromItsParentsChildren(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let target = Self.target(.page(id: pageID), page: pageID, workspace: workspace)
        let written = try await store.appendBlocks([Self.paragraph("a"), Self.paragraph("b")], to: target, at: .end)
        var content = written[0].content
        content.richText = [.text("changed")]
        let later = Fixtures.now.addingTimeInterval(5)
        let updated = try #require(
            try await store.updateBlock(id: written[0].id, content: content, inTrash: nil, by: "someone", at: later)
        )
        #expect(Self.text(updated) == "changed")
        #expect(updated.lastEditedBy == "someone")
        #expect(updated.lastEditedAt == later)
        #expect(updated.createdAt == written[0].createdAt)
        #expect(!updated.inTrash)
        let trashed = try #require(
            try await store.updateBlock(
                id: written[1].id,
                content: written[1].content,
                inTrash: true,
                by: "x",
                at: later
            )
        )
        #expect(trashed.inTrash)
        #expect(try await Self.allChildren(store, of: pageID).map(Self.text) == ["changed"])
        #expect(try await store.block(id: written[1].id)?.inTrash == true)
        #expect(
            try await store.updateBlock(id: Fixtures.id(), content: content, inTrash: nil, by: "x", at: later) == nil
        )
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func appendingToABlockMarksItAsHavingChildren(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let parent = try await store.appendBlocks(
            [Self.paragraph("parent")],
            to: Self.target(.page(id: pageID), page: pageID, workspace: workspace),
            at: .end
        )[0]
        #expect(!parent.hasChildren)
        _ = try await store.appendBlocks(
            [Self.paragraph("child")],
            to: Self.target(.block(id: parent.id), page: pageID, workspace: workspace),
            at: .end
        )
        #expect(try await store.block(id: parent.id)?.hasChildren == true)
        #expect(try await Self.allChildren(store, of: parent.id).map(Self.text) == ["child"])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aChildPageReferenceTakesThePagesIDAndGoesLast(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let target = Self.target(.page(id: pageID), page: pageID, workspace: workspace)
        _ = try await store.appendBlocks([Self.paragraph("a")], to: target, at: .end)
        let childID = Fixtures.id()
        let databaseID = Fixtures.id()
        try await store.appendChildReference(id: childID, content: .childPage(title: "Child"), to: target)
        try await store.appendChildReference(id: databaseID, content: .childDatabase(title: "Table"), to: target)
        let children = try await Self.allChildren(store, of: pageID)
        #expect(children.map(\.id).suffix(2) == [childID, databaseID])
        #expect(children.map(\.content.type) == [.paragraph, .childPage, .childDatabase])
        #expect(try await store.block(id: childID)?.content.title == "Child")
        await #expect(throws: StoreError.self) {
            try await store.appendChildReference(id: childID, content: .childPage(title: "Again"), to: target)
        }
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func concurrentAppendsToOneParentNeitherInterleaveNorLoseABlock(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (workspace, _, _, _) = try await Fixtures.seed(store)
        let pageID = Fixtures.id()
        let target = Self.target(.page(id: pageID), page: pageID, workspace: workspace)
        let writers = 16
        let perAppend = 10
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    _ = try await store.appendBlocks(
                        (0..<perAppend).map { Self.paragraph("\(writer)-\($0)") },
                        to: target,
                        at: writer.isMultiple(of: 2) ? .end : .start
                    )
                }
            }
            try await group.waitForAll()
        }
        let texts = try await Self.allChildren(store, of: pageID).map(Self.text)
        #expect(texts.count == writers * perAppend)
        #expect(Set(texts).count == writers * perAppend)
        // Each append's blocks sit together, in request order.
        for chunk in stride(from: 0, to: texts.count, by: perAppend) {
            let writer = texts[chunk].split(separator: "-")[0]
            #expect(texts[chunk..<chunk + perAppend].map { $0 } == (0..<perAppend).map { "\(writer)-\($0)" })
        }
        await store.shutdown()
    }
}

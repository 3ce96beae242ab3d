import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

@testable import GatehouseServer

/// The query's cache of rendered pages: an entry serves only an equal page under an equal
/// rendering, and the list around cached pages is the list ``JSONResponse/ok(_:requestID:status:)``
/// writes.
@Suite struct RenderedPageCacheTests {
    /// A cache whose renderings are counted, rendering as the server does.
    final class CountingCache: Sendable {
        final class Counter: Sendable {
            let value = Mutex(0)
        }

        let renders = Counter()
        let cache: RenderedPageCache

        init(byteBudget: Int = 32 << 20) {
            let renders = self.renders
            cache = RenderedPageCache(byteBudget: byteBudget) { page, rendering in
                renders.value.withLock { $0 += 1 }
                return rendering.serialized(page)
            }
        }

        var count: Int { renders.value.withLock { $0 } }
    }

    static let schema = DataSourceSchema(properties: [
        PropertyDefinition(id: "title", name: "Name", type: .title),
        PropertyDefinition(id: "n", name: "Score", type: .number),
        PropertyDefinition(id: "u", name: "ID", type: .uniqueId),
    ])

    static func page(_ index: Int, score: Double = 1) -> StoredPage {
        let created = Date(epochMilliseconds: 1_700_000_000_000 + Int64(index))
        let record = PageRecord(
            id: String(format: "00000000-0000-4000-8000-%012d", index),
            workspaceID: "w",
            title: "Page \(index)",
            parent: .database("ds"),
            createdBy: "bot",
            lastEditedBy: "bot",
            createdAt: created,
            lastEditedAt: created
        )
        let metadata = PageMetadata(
            createdTime: created.epochMilliseconds,
            lastEditedTime: created.epochMilliseconds,
            createdBy: "bot",
            lastEditedBy: "bot"
        )
        let values: [String: PropertyValue] = [
            "title": .title(RichText([.text("Page \(index)")])), "n": .number(score),
        ]
        return StoredPage(record: record, properties: PageProperties(values: values, metadata: metadata))
    }

    static func rendering(version: String = "2025-09-03", users: WorkspaceUsers = WorkspaceUsers()) -> PageRendering {
        PageRendering(
            schema: schema,
            databaseID: "db",
            users: users,
            version: NotionVersion(version)!,
            only: []
        )
    }

    @Test func anEqualPageUnderAnEqualRenderingIsNotRenderedAgain() {
        let counting = CountingCache()
        let pages = (0..<5).map { Self.page($0) }
        let first = counting.cache.serialized(pages, rendering: Self.rendering())
        let second = counting.cache.serialized(pages, rendering: Self.rendering())
        #expect(counting.count == 5)
        #expect(second == first)
        #expect(first == pages.map { Self.rendering().serialized($0) })
    }

    @Test func aPageChangedWithoutANewEditTimeIsRenderedAgain() throws {
        let counting = CountingCache()
        var page = Self.page(1)
        _ = counting.cache.serialized([page], rendering: Self.rendering())
        // A `unique_id` property added to the schema numbers the page; its edit time stays.
        page.properties.metadata.uniqueNumber = 7
        let numbered = counting.cache.serialized([page], rendering: Self.rendering())
        #expect(counting.count == 2)
        let json = try JSONValue.parse(Data(numbered[0]))
        #expect(json["properties"]?["ID"]?["unique_id"]?["number"] == .number(7))
        page.properties.values["n"] = .number(2)
        _ = counting.cache.serialized([page], rendering: Self.rendering())
        #expect(counting.count == 3)
    }

    @Test func eachRenderingKeepsItsOwnPages() throws {
        let counting = CountingCache()
        let page = Self.page(1)
        var named = WorkspaceUsers()
        named.names["bot"] = "A bot"
        let old = counting.cache.serialized([page], rendering: Self.rendering(version: "2022-06-28"))
        let new = counting.cache.serialized([page], rendering: Self.rendering())
        let withUsers = counting.cache.serialized([page], rendering: Self.rendering(users: named))
        #expect(counting.count == 3)
        let oldParent = try JSONValue.parse(Data(old[0]))["parent"]?["type"]
        let newParent = try JSONValue.parse(Data(new[0]))["parent"]?["type"]
        #expect(oldParent == "database_id")
        #expect(newParent == "data_source_id")
        // Each is found again under its own rendering.
        #expect(counting.cache.serialized([page], rendering: Self.rendering(version: "2022-06-28")) == old)
        #expect(counting.cache.serialized([page], rendering: Self.rendering(users: named)) == withUsers)
        #expect(counting.count == 3)
    }

    @Test func aRenderingInUseStaysAmongThoseKeptWhileOldOnesLeave() {
        let counting = CountingCache()
        let page = Self.page(1)
        func other(_ index: Int) -> PageRendering {
            var rendering = Self.rendering()
            rendering.databaseID = "db\(index)"
            return rendering
        }
        _ = counting.cache.serialized([page], rendering: Self.rendering())
        for index in 0..<RenderedPageCache.renderingsKept * 2 {
            _ = counting.cache.serialized([page], rendering: other(index))
            if index % 10 == 0 { _ = counting.cache.serialized([page], rendering: Self.rendering()) }
        }
        let rendered = counting.count
        _ = counting.cache.serialized([page], rendering: Self.rendering())
        #expect(counting.count == rendered)
        _ = counting.cache.serialized([page], rendering: other(0))
        #expect(counting.count == rendered + 1)
    }

    @Test func pastItsBudgetItStartsAgainEmpty() {
        let one =
            Self.rendering().serialized(Self.page(0)).count + RenderedPageCache.entryOverhead
            + RenderedPageCache.textBytes(of: Self.page(0))
        let counting = CountingCache(byteBudget: one * 3)
        let pages = (0..<4).map { Self.page($0) }
        _ = counting.cache.serialized(pages, rendering: Self.rendering())
        #expect(counting.count == 4)
        // The fourth page found the cache full and emptied it: only that one is held.
        _ = counting.cache.serialized(pages, rendering: Self.rendering())
        #expect(counting.count == 7)
    }

    @Test(arguments: [nil, "00000000-0000-4000-8000-000000000064"])
    func aListOfSerializedResultsIsTheListOfTheirValues(nextCursor: String?) async throws {
        let rendering = Self.rendering()
        let pages = (0..<3).map { Self.page($0) }
        let values = pages.map(rendering.json)
        let expected = JSONResponse.ok(
            NotionObjects.list(values, nextCursor: nextCursor, type: "page_or_data_source"),
            requestID: "r-1"
        )
        let listed = JSONResponse.list(
            serializedResults: pages.map(rendering.serialized),
            nextCursor: nextCursor,
            type: "page_or_data_source",
            requestID: "r-1"
        )
        #expect(try await Self.bytes(listed) == Self.bytes(expected))
        let empty = JSONResponse.list(serializedResults: [], nextCursor: nil, type: "page", requestID: "r-2")
        let emptyExpected = JSONResponse.ok(NotionObjects.list([], nextCursor: nil, type: "page"), requestID: "r-2")
        #expect(try await Self.bytes(empty) == Self.bytes(emptyExpected))
    }

    static func bytes(_ response: Response) async throws -> [UInt8] {
        let collector = BodyCollector()
        try await response.body.write(collector)
        return collector.bytes.withLock { $0 }
    }

    /// Gathers a response body's bytes.
    final class BodyCollector: ResponseBodyWriter, Sendable {
        let bytes = Mutex<[UInt8]>([])
        func write(_ buffer: ByteBuffer) async throws { bytes.withLock { $0 += Array(buffer.readableBytesView) } }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

import GatehouseContent
import GatehouseCore
import GatehouseStore
import Synchronization

/// Everything a page's JSON reads besides the page: ``ContentJSON/page(_:schema:databaseID:users:version:only:)``'s
/// other arguments.
struct PageRendering: Equatable, Sendable {
    var schema: DataSourceSchema
    var databaseID: String?
    var users: WorkspaceUsers
    var version: NotionVersion
    /// The `filter_properties` ids; empty for all.
    var only: [String]

    /// The page's JSON.
    func json(_ page: StoredPage) -> JSONValue {
        ContentJSON.page(page, schema: schema, databaseID: databaseID, users: users, version: version, only: only)
    }

    /// The page's JSON, serialized.
    func serialized(_ page: StoredPage) -> [UInt8] {
        json(page).serializedBytes()
    }
}

/// Pages serialized as a query answers them, kept so that a page read again unchanged is not
/// rendered again: building and serializing a page's JSON is most of what the server spends on a
/// query (`docs/performance.md`).
///
/// An entry serves only a page equal to the one it was rendered from (the whole stored page, not
/// its edit time: a number given by a new `unique_id` property changes no edit time) under an
/// equal ``PageRendering``. The renderings seen last are numbered here, so a request compares its
/// rendering once and its pages by that number and their id. Bounded by the bytes it holds: when
/// `byteBudget` would be passed, it starts again empty; a page over `largestPage` bytes (long
/// rich text) is rendered every time and never held.
final class RenderedPageCache: Sendable {
    private struct Key: Hashable {
        let rendering: Int
        let pageID: String
    }

    private struct Entry {
        let page: StoredPage
        let bytes: [UInt8]
    }

    private struct State {
        /// The renderings last used, oldest first, with their numbers.
        var renderings: [(number: Int, rendering: PageRendering)] = []
        var nextNumber = 0
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    /// How many renderings are told apart at once (integrations with different user information,
    /// API versions, `filter_properties`); an older one's entries are no longer found.
    static let renderingsKept = 16
    /// What an entry is counted for besides its JSON: the key, the page's record (its decoded
    /// values are shared with the store's cache of decoded properties).
    static let entryOverhead = 512

    private let state = Mutex(State())
    private let byteBudget: Int
    private let largestPage: Int
    private let render: @Sendable (StoredPage, PageRendering) -> [UInt8]

    /// `render` is ``PageRendering/serialized(_:)`` but in tests, which count its calls.
    init(
        byteBudget: Int = 32 << 20,
        largestPage: Int = 16 << 10,
        render: @escaping @Sendable (StoredPage, PageRendering) -> [UInt8] = { $1.serialized($0) }
    ) {
        self.byteBudget = byteBudget
        self.largestPage = largestPage
        self.render = render
    }

    /// `pages` serialized under `rendering`, each taken from here when an equal page was rendered
    /// under an equal rendering before, rendered otherwise.
    func serialized(_ pages: [StoredPage], rendering: PageRendering) -> [[UInt8]] {
        let (number, found) = state.withLock { state in
            let number = Self.number(of: rendering, in: &state)
            let found = pages.map { page -> [UInt8]? in
                guard let entry = state.entries[Key(rendering: number, pageID: page.record.id)], entry.page == page
                else { return nil }
                return entry.bytes
            }
            return (number, found)
        }
        var rendered: [(Key, Entry)] = []
        let results = zip(pages, found).map { page, found in
            if let found { return found }
            let bytes = render(page, rendering)
            if bytes.count <= largestPage {
                rendered.append((Key(rendering: number, pageID: page.record.id), Entry(page: page, bytes: bytes)))
            }
            return bytes
        }
        guard !rendered.isEmpty else { return results }
        state.withLock { state in
            for (key, entry) in rendered {
                let size = entry.bytes.count + Self.entryOverhead
                if state.bytes + size > byteBudget {
                    state.entries = [:]
                    state.bytes = 0
                }
                if let replaced = state.entries.updateValue(entry, forKey: key) {
                    state.bytes -= replaced.bytes.count + Self.entryOverhead
                }
                state.bytes += size
            }
        }
        return results
    }

    /// The number of `rendering`, given now if no equal one is among the last used.
    private static func number(of rendering: PageRendering, in state: inout State) -> Int {
        if let index = state.renderings.lastIndex(where: { $0.rendering == rendering }) {
            return state.renderings[index].number
        }
        let number = state.nextNumber
        state.nextNumber += 1
        state.renderings.append((number, rendering))
        if state.renderings.count > renderingsKept { state.renderings.removeFirst() }
        return number
    }
}

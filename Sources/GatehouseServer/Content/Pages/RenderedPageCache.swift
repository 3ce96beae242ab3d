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
/// equal ``PageRendering``. The renderings used last are numbered here, so a request compares its
/// rendering with those once and its pages by that number and their id; every comparison is made
/// outside the lock. Bounded by the bytes it holds (the JSON and an estimate of the page kept to
/// compare with): when `byteBudget` would be passed, it starts again empty; a page over
/// `largestPage` bytes (long rich text) is rendered every time and never held.
final class RenderedPageCache: Sendable {
    private struct Key: Hashable {
        let rendering: Int
        let pageID: String
    }

    private struct Entry {
        let page: StoredPage
        let bytes: [UInt8]
        /// What the entry is counted for against the budget.
        let size: Int
    }

    private struct State {
        /// The renderings used last, least recently used first, with their numbers.
        var renderings: [(number: Int, rendering: PageRendering)] = []
        var nextNumber = 0
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    /// How many renderings are told apart at once (data sources' schemas, integrations with
    /// different user information, API versions, `filter_properties`); the entries of one no
    /// longer among them are not found again and leave with the next emptying.
    static let renderingsKept = 64
    /// What an entry is counted for besides its JSON and its page's text: the key, the record.
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
        let known = state.withLock { $0.renderings }.last { $0.rendering == rendering }?.number
        let (number, candidates) = state.withLock { state in
            let number = Self.use(rendering, known: known, in: &state)
            return (number, pages.map { state.entries[Key(rendering: number, pageID: $0.record.id)] })
        }
        var rendered: [(Key, Entry)] = []
        let results = zip(pages, candidates).map { page, candidate in
            if let candidate, candidate.page == page { return candidate.bytes }
            let bytes = render(page, rendering)
            if bytes.count <= largestPage {
                let size = bytes.count + Self.entryOverhead + Self.textBytes(of: page)
                rendered.append(
                    (Key(rendering: number, pageID: page.record.id), Entry(page: page, bytes: bytes, size: size))
                )
            }
            return bytes
        }
        guard !rendered.isEmpty else { return results }
        state.withLock { state in
            for (key, entry) in rendered {
                if state.bytes + entry.size > byteBudget {
                    state.entries = [:]
                    state.bytes = 0
                }
                if let replaced = state.entries.updateValue(entry, forKey: key) { state.bytes -= replaced.size }
                state.bytes += entry.size
            }
        }
        return results
    }

    /// The number of `rendering` (`known` when it was found among the last used), now the most
    /// recently used; a new number if it was not.
    private static func use(_ rendering: PageRendering, known: Int?, in state: inout State) -> Int {
        if let known, let index = state.renderings.firstIndex(where: { $0.number == known }) {
            state.renderings.append(state.renderings.remove(at: index))
            return known
        }
        let number = state.nextNumber
        state.nextNumber += 1
        state.renderings.append((number, rendering))
        if state.renderings.count > renderingsKept { state.renderings.removeFirst() }
        return number
    }

    /// The page's text (its title and rich text values, a few bytes for every other value): what
    /// its kept copy holds besides the record.
    static func textBytes(of page: StoredPage) -> Int {
        page.properties.values.values.reduce(page.record.title.utf8.count) { total, value in
            total + 64 + (value.plainText?.utf8.count ?? 0)
        }
    }
}

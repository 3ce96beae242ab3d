import GatehouseContent
import SQLKit

/// The SQL of one data source query
/// (``SQLStore/queryPages(dataSource:plan:sorts:scope:offset:limit:)``): the same on both engines
/// but for the text collation.
///
/// Every statement reads the data source's pages in the scope (live or in the trash, created by a
/// time or all) that pass the plan, ordered by the sorts (empty values last, whatever the
/// direction), then by creation and id; without sorts, newest first (by creation, then id, both
/// descending), as the API answers. A query of the live pages whose first sort is a property reads
/// in two parts, so that neither sorts every matching page: first the pages with a value for that
/// property, walking `page_sort_keys_order` in the sort's order and stopping at the page's end
/// (ties are sorted among themselves); then the pages with no value. Other queries walk
/// `pages_query` in creation order (backwards without sorts), or sort their matches (the trash's
/// are few).
struct PageQuerySQL {
    /// Which of the matching pages a statement reads.
    enum Part {
        /// All of them: for queries whose first sort is not a property.
        case all
        /// Those with a value for the first sort's property.
        case valuedFirstSort
        /// Those without one.
        case emptyFirstSort
    }

    let dataSourceID: String
    let plan: FilterPlan
    let sorts: [QuerySort]
    /// The live pages or those in the trash, created by a time or all.
    let scope: PageQueryScope
    /// `""` or `" COLLATE \"C\""`: see ``SQLEngine/byteOrderCollation``.
    let textCollation: String

    /// Whether the query reads in two parts (``Part/valuedFirstSort`` then ``Part/emptyFirstSort``).
    /// Not in the trash: walking the sort keys would pass every live page to find the few there.
    var sortsByPropertyFirst: Bool {
        firstSortProperty != nil && !scope.inTrash
    }

    /// `SELECT p.* …` of the part, from `offset`, at most `limit` pages.
    func select(_ part: Part, offset: Int, limit: Int) -> SQLQueryString {
        "SELECT p.* " + body(part) + " ORDER BY " + order(part).joined(separator: ", ")
            + " LIMIT \(bind: limit) OFFSET \(bind: offset)"
    }

    /// `SELECT COUNT(*) AS n …` of the part.
    func count(_ part: Part) -> SQLQueryString {
        "SELECT COUNT(*) AS n " + body(part)
    }

    private var firstSortProperty: String? {
        if case .property(let id, _) = sorts.first?.target { return id }
        return nil
    }

    /// The sorts the part orders by with joins (the first one drives a two-part read instead).
    private func joinedSorts(_ part: Part) -> ArraySlice<QuerySort> {
        part == .all ? sorts[...] : sorts.dropFirst()
    }

    private func body(_ part: Part) -> SQLQueryString {
        var query: SQLQueryString
        var conditions: [SQLQueryString] = []
        switch part {
        case .all:
            query = "FROM pages p"
        case .valuedFirstSort:
            // CROSS JOIN: SQLite keeps the sort keys as the outer loop, so it walks their index.
            query = "FROM page_sort_keys s CROSS JOIN pages p"
            conditions.append(
                "s.data_source_id = \(bind: dataSourceID) AND s.property_id = \(bind: firstSortProperty ?? "") AND p.id = s.page_id"
            )
        case .emptyFirstSort:
            query = "FROM pages p"
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM page_sort_keys e WHERE e.page_id = p.id AND e.property_id = \(bind: firstSortProperty ?? ""))"
            )
        }
        for (index, sort) in joinedSorts(part).enumerated() {
            guard case .property(let id, _) = sort.target else { continue }
            let alias = "s\(index)"
            query =
                query
                + " LEFT JOIN page_sort_keys \(unsafeRaw: alias) ON \(unsafeRaw: alias).page_id = p.id AND \(unsafeRaw: alias).property_id = \(bind: id)"
        }
        // Walking the sort keys, the filter reads the key's page id (so the engines test it
        // before they read the page: only the pages that pass are read), row by row.
        let filter =
            part == .valuedFirstSort ? SQLStore.sql(plan, pageID: "s.page_id", rowByRow: true) : SQLStore.sql(plan)
        var page: SQLQueryString =
            "p.parent_type = 'database' AND p.parent_id = \(bind: dataSourceID) AND p.archived_at IS \(unsafeRaw: scope.inTrash ? "NOT NULL" : "NULL")"
        if let createdUpTo = scope.createdUpTo { page = page + " AND p.created_at <= \(bind: createdUpTo)" }
        // Walking the sort keys, each page is read by its id: `IS TRUE` keeps PostgreSQL from
        // reaching it through the parent index instead, which it does while its statistics of a
        // freshly filled table are missing (reading every page of the data source for each key).
        conditions.append((part == .valuedFirstSort ? "(" + page + ") IS TRUE" : page) + " AND " + filter)
        return query + " WHERE " + conditions.joined(separator: " AND ")
    }

    private func order(_ part: Part) -> [SQLQueryString] {
        var order: [SQLQueryString] = []
        if part == .valuedFirstSort, let first = sorts.first {
            let direction = first.ascending ? "ASC" : "DESC"
            order.append("s.number \(unsafeRaw: direction)")
            order.append("s.text\(unsafeRaw: textCollation) \(unsafeRaw: direction)")
        }
        for (index, sort) in joinedSorts(part).enumerated() {
            let direction = sort.ascending ? "ASC" : "DESC"
            switch sort.target {
            case .createdTime:
                order.append("p.created_at \(unsafeRaw: direction)")
            case .lastEditedTime:
                order.append("p.last_edited_at \(unsafeRaw: direction)")
            case .property:
                let alias = "s\(index)"
                order.append("CASE WHEN \(unsafeRaw: alias).page_id IS NULL THEN 1 ELSE 0 END")
                order.append("\(unsafeRaw: alias).number \(unsafeRaw: direction)")
                order.append("\(unsafeRaw: alias).text\(unsafeRaw: textCollation) \(unsafeRaw: direction)")
            }
        }
        // Without sorts the API answers newest first; sorted pages that tie come in creation order.
        let ties = sorts.isEmpty ? "DESC" : "ASC"
        order.append("p.created_at \(unsafeRaw: ties)")
        order.append("p.id \(unsafeRaw: ties)")
        return order
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``DataSourceStore``: querying a data source's pages in SQL, over the page index.
extension SQLStore {
    public func queryPages(
        dataSource: DataSourceRecord,
        plan: FilterPlan,
        sorts: [QuerySort],
        offset: Int,
        limit: Int
    ) async throws -> [StoredPage] {
        let titleID = dataSource.schema.title?.id ?? "title"
        let query = Self.querySQL(
            dataSourceID: dataSource.id,
            plan: plan,
            sorts: sorts,
            offset: offset,
            limit: limit,
            textCollation: engine is PostgresEngine ? " COLLATE \"C\"" : ""
        )
        return try await read { database in
            try await database.raw(query).all().map { try Self.storedPage($0, titleID: titleID) }
        }
    }

    /// `SELECT p.* FROM pages p [LEFT JOIN page_sort_keys sN …] WHERE <parent, live, plan> ORDER BY
    /// <sorts, empty last>, p.created_at, p.id LIMIT … OFFSET …`: the same SQL on both engines but
    /// for the text collation (PostgreSQL's `"C"` compares bytes, as SQLite does).
    static func querySQL(
        dataSourceID: String,
        plan: FilterPlan,
        sorts: [QuerySort],
        offset: Int,
        limit: Int,
        textCollation: String
    ) -> SQLQueryString {
        var query: SQLQueryString = "SELECT p.* FROM pages p"
        var order: [SQLQueryString] = []
        for (index, sort) in sorts.enumerated() {
            let direction = sort.ascending ? "ASC" : "DESC"
            switch sort.target {
            case .createdTime:
                order.append("p.created_at \(unsafeRaw: direction)")
            case .lastEditedTime:
                order.append("p.last_edited_at \(unsafeRaw: direction)")
            case .property(let id, _):
                let alias = "s\(index)"
                query =
                    query
                    + " LEFT JOIN page_sort_keys \(unsafeRaw: alias) ON \(unsafeRaw: alias).page_id = p.id AND \(unsafeRaw: alias).property_id = \(bind: id)"
                order.append("CASE WHEN \(unsafeRaw: alias).page_id IS NULL THEN 1 ELSE 0 END")
                order.append("\(unsafeRaw: alias).number \(unsafeRaw: direction)")
                order.append("\(unsafeRaw: alias).text\(unsafeRaw: textCollation) \(unsafeRaw: direction)")
            }
        }
        order.append("p.created_at ASC")
        order.append("p.id ASC")
        query =
            query
            + " WHERE p.parent_type = 'database' AND p.parent_id = \(bind: dataSourceID) AND p.archived_at IS NULL AND "
            + sql(plan)
            + " ORDER BY " + order.joined(separator: ", ")
            + " LIMIT \(bind: limit) OFFSET \(bind: offset)"
        return query
    }

    /// The plan as a boolean SQL expression over the page `p` (see ``FilterPlan``).
    static func sql(_ plan: FilterPlan) -> SQLQueryString {
        switch plan {
        case .constant(let value):
            return value ? "1 = 1" : "1 = 0"
        case .and(let parts):
            return parts.isEmpty ? "1 = 1" : "(" + parts.map(sql).joined(separator: " AND ") + ")"
        case .or(let parts):
            return parts.isEmpty ? "1 = 0" : "(" + parts.map(sql).joined(separator: " OR ") + ")"
        case .not(let part):
            return "NOT " + sql(part)
        case .exists(let propertyID, let predicate):
            return
                "EXISTS (SELECT 1 FROM page_index i WHERE i.page_id = p.id AND i.property_id = \(bind: propertyID) AND "
                + sql(predicate) + ")"
        }
    }

    static func sql(_ predicate: IndexPredicate) -> SQLQueryString {
        switch predicate {
        case .present:
            return "1 = 1"
        case .text(let textOperator, let operand):
            let escaped = likeEscaped(operand)
            switch textOperator {
            case .equals, .doesNotEqual: return "i.text = \(bind: operand)"
            case .contains, .doesNotContain: return "i.text LIKE \(bind: "%" + escaped + "%") ESCAPE '\\'"
            case .startsWith: return "i.text LIKE \(bind: escaped + "%") ESCAPE '\\'"
            case .endsWith: return "i.text LIKE \(bind: "%" + escaped) ESCAPE '\\'"
            }
        case .keyIn(let keys):
            return keys.isEmpty ? "1 = 0" : "i.key IN (\(binds: keys))"
        case .number(let numberOperator, let operand):
            let comparison =
                switch numberOperator {
                case .equals, .doesNotEqual: "="
                case .greaterThan: ">"
                case .lessThan: "<"
                case .greaterThanOrEqualTo: ">="
                case .lessThanOrEqualTo: "<="
                }
            return "i.number \(unsafeRaw: comparison) \(bind: operand)"
        case .flag(let flag):
            return "i.flag = \(bind: flag)"
        case .dateStart(let interval):
            var parts: [SQLQueryString] = ["i.date_start IS NOT NULL"]
            if let lower = interval.lower { parts.append("i.date_start >= \(bind: lower)") }
            if let upper = interval.upper { parts.append("i.date_start < \(bind: upper)") }
            return "(" + parts.joined(separator: " AND ") + ")"
        }
    }

    /// `text` with LIKE's wildcards and the escape character escaped by `\`.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

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
        scope: PageQueryScope,
        offset: Int,
        limit: Int
    ) async throws -> [StoredPage] {
        let titleID = dataSource.schema.title?.id ?? "title"
        let query = PageQuerySQL(
            dataSourceID: dataSource.id,
            plan: plan,
            sorts: sorts,
            scope: scope,
            textCollation: engine.byteOrderCollation
        )
        return try await read { database in
            let rows: [any SQLRow]
            if query.sortsByPropertyFirst {
                // Pages with a value for the first sort, in its index's order, then the pages
                // without one (empty values sort last, whatever the direction).
                let valued = try await database.raw(query.select(.valuedFirstSort, offset: offset, limit: limit)).all()
                if valued.count == limit {
                    rows = valued
                } else {
                    let valuedTotal =
                        valued.isEmpty && offset > 0
                        ? try await database.raw(query.count(.valuedFirstSort)).first()?.decode(
                            column: "n",
                            as: Int.self
                        ) ?? 0
                        : offset + valued.count
                    let empty = try await database.raw(
                        query.select(.emptyFirstSort, offset: max(0, offset - valuedTotal), limit: limit - valued.count)
                    ).all()
                    rows = valued + empty
                }
            } else {
                rows = try await database.raw(query.select(.all, offset: offset, limit: limit)).all()
            }
            return try rows.map { try Self.storedPage($0, titleID: titleID) }
        }
    }

    /// The plan as a boolean SQL expression over the page whose id is `pageID` (see
    /// ``FilterPlan``): `p.id`, or a column naming the same page that is known earlier in a join.
    ///
    /// With `rowByRow`, each test is a scalar subquery rather than `EXISTS`: PostgreSQL turns an
    /// `EXISTS` into a join over every page that passes, then sorts them all, where a query that
    /// walks an index in order wants each row tested as it comes and the walk stopped early.
    static func sql(_ plan: FilterPlan, pageID: String = "p.id", rowByRow: Bool = false) -> SQLQueryString {
        switch plan {
        case .constant(let value):
            return value ? "1 = 1" : "1 = 0"
        case .and(let parts):
            return parts.isEmpty
                ? "1 = 1"
                : "(" + parts.map { sql($0, pageID: pageID, rowByRow: rowByRow) }.joined(separator: " AND ") + ")"
        case .or(let parts):
            return parts.isEmpty
                ? "1 = 0"
                : "(" + parts.map { sql($0, pageID: pageID, rowByRow: rowByRow) }.joined(separator: " OR ") + ")"
        case .not(let part):
            return "NOT " + sql(part, pageID: pageID, rowByRow: rowByRow)
        case .exists(let propertyID, let predicate):
            let test: SQLQueryString =
                "SELECT 1 FROM page_index i WHERE i.page_id = \(unsafeRaw: pageID) AND i.property_id = \(bind: propertyID) AND "
                + sql(predicate)
            return rowByRow ? "((" + test + " LIMIT 1) IS NOT NULL)" : "EXISTS (" + test + ")"
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

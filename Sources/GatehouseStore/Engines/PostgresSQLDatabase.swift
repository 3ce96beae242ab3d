import Logging
import NIOCore
import PostgresKit
import SQLKit
import Synchronization

/// SQLKit's view of one PostgreSQL connection, as PostgresKit's `connection.sql()` gives it, with
/// two differences measured on the content API's query (`docs/performance.md`):
/// - the statements the store makes are prepared once per connection and then executed by name
///   (PostgresKit sends every statement unnamed, so PostgreSQL parsed and planned it on each call);
/// - the column reads the store makes (text, integers, booleans) are decoded straight from the
///   cell: PostgresKit's general translation builds a coding path, a string, for every cell.
///
/// Binds are encoded as PostgresKit encodes them; any value or column type outside the direct path
/// goes to PostgresKit, so both give the same results.
struct PostgresSQLDatabase: SQLDatabase {
    let connection: PostgresConnection
    /// The statements run as prepared statements, named once for all of the engine's connections.
    let statements: PreparedStatements
    /// PostgresKit's database on the same connection, for what this one does not handle itself.
    let general: any SQLDatabase

    init(connection: PostgresConnection, statements: PreparedStatements) {
        self.connection = connection
        self.statements = statements
        self.general = connection.sql(queryLogLevel: nil)
    }

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
    var dialect: any SQLDialect { general.dialect }
    var queryLogLevel: Logger.Level? { nil }

    /// The form SQLKit requires; the store calls the `async` one. Runs the statement unnamed.
    func execute(
        sql query: any SQLExpression,
        _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        let (sql, binds) = serialize(query)
        guard let bindings = Self.bindings(binds) else { return general.execute(sql: query, onRow) }
        return runUnnamed(sql, bindings, onRow)
    }

    /// Runs a statement the store makes often as a prepared statement (PostgreSQL parses and plans
    /// it once per connection rather than on every call), any other as an unnamed one.
    func execute(
        sql query: any SQLExpression,
        _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) async throws {
        let (sql, binds) = serialize(query)
        guard let bindings = Self.bindings(binds) else { return try await general.execute(sql: query, onRow) }
        guard let name = statements.name(for: sql, binds: binds) else {
            return try await runUnnamed(sql, bindings, onRow).get()
        }
        do {
            try await NamedStatement.$running.withValue((name, sql)) {
                let rows = try await connection.execute(NamedStatement(bindings: bindings), logger: connection.logger)
                for try await row in rows { onRow(PostgresDirectRow(row: row)) }
            }
        } catch let error as PSQLError
            where statements.refuse(sql: sql, binds: binds, sqlState: error.serverInfo?[.sqlState])
        {
            // Once more unnamed; inside a transaction the failure has ended it, and the caller
            // sees the first error.
            do { try await runUnnamed(sql, bindings, onRow).get() } catch { throw error }
        }
    }

    private func runUnnamed(
        _ sql: String,
        _ bindings: PostgresBindings,
        _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: connection.logger) {
            onRow(PostgresDirectRow(row: $0))
        }.map { _ in }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// The binds encoded as PostgresKit encodes them (nil as NULL, PostgresNIO's own encodings
    /// otherwise), or nil when one needs PostgresKit's general path.
    static func bindings(_ binds: [any Encodable & Sendable]) -> PostgresBindings? {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            if let optional = bind as? any OptionalBind, optional.isNil {
                bindings.appendNull()
            } else if let value = bind as? any PostgresThrowingDynamicTypeEncodable {
                do { try bindings.append(value, context: .default) } catch { return nil }
            } else {
                return nil
            }
        }
        return bindings
    }
}

/// A row whose text, integer and boolean columns are decoded by PostgresNIO directly; other
/// reads go through PostgresKit's row.
struct PostgresDirectRow: SQLRow {
    let row: PostgresRow
    let cells: PostgresRandomAccessRow

    init(row: PostgresRow) {
        self.row = row
        self.cells = row.makeRandomAccess()
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        !cells.contains(column) || cells[column].bytes == nil
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard cells.contains(column) else { return try row.sql().decode(column: column, as: D.self) }
        let cell = cells[column]
        // PostgresKit reads a user-defined type (an enum) as text when asked for a string.
        guard !cell.dataType.isUserDefined, let value = try Self.decodeDirectly(cell, as: D.self) else {
            return try row.sql().decode(column: column, as: D.self)
        }
        return value
    }

    /// `cell` decoded by PostgresNIO when `D` is one of the column types the store reads that
    /// PostgresKit decodes with PostgresNIO's own decoding and no translation of its own (unlike
    /// `Double` from `numeric`); nil for any other type. The type is told by identity, which costs
    /// less than a conformance check on each of a query's thousand cells.
    private static func decodeDirectly<D>(_ cell: PostgresCell, as _: D.Type) throws -> D? {
        switch ObjectIdentifier(D.self) {
        case ObjectIdentifier(String.self): try unsafeBitCast(cell.decode(String.self), to: D.self)
        case ObjectIdentifier(String?.self): try unsafeBitCast(cell.decode(String?.self), to: D.self)
        case ObjectIdentifier(Int64.self): try unsafeBitCast(cell.decode(Int64.self), to: D.self)
        case ObjectIdentifier(Int64?.self): try unsafeBitCast(cell.decode(Int64?.self), to: D.self)
        case ObjectIdentifier(Int.self): try unsafeBitCast(cell.decode(Int.self), to: D.self)
        case ObjectIdentifier(Int?.self): try unsafeBitCast(cell.decode(Int?.self), to: D.self)
        case ObjectIdentifier(Bool.self): try unsafeBitCast(cell.decode(Bool.self), to: D.self)
        case ObjectIdentifier(Bool?.self): try unsafeBitCast(cell.decode(Bool?.self), to: D.self)
        default: nil
        }
    }
}

/// An optional bind, to tell a nil one (NULL) from a value.
private protocol OptionalBind {
    var isNil: Bool { get }
}
extension Optional: OptionalBind {
    var isNil: Bool { self == nil }
}

/// A statement prepared under a name: PostgresNIO prepares a statement once per connection, then
/// executes it by name, only for a type that carries its SQL; this one reads the name and SQL of
/// the statement being run from a task-local value, which PostgresNIO reads when it is called.
struct NamedStatement: PostgresPreparedStatement {
    typealias Row = PostgresRow
    @TaskLocal static var running: (name: String, sql: String) = ("", "")
    static var name: String { running.name }
    static var sql: String { running.sql }

    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The names of the statements run as prepared statements: one per SQL text and bind types, for
/// queries and changes (not transaction control) of at most ``bindLimit`` binds, up to ``limit``
/// of them.
final class PreparedStatements: Sendable {
    /// At most this many statements are prepared (on each connection); others run unnamed.
    static let limit = 500
    /// Statements with more binds (inserts of many rows, one statement per row count) run
    /// unnamed: planning is a small part of their cost, and each would hold its parse tree on
    /// every connection.
    static let bindLimit = 64
    private struct Names {
        var named: [String: String] = [:]
        /// Names given so far: a refused statement's name is never given again, since connections
        /// that prepared it keep it under its old SQL.
        var given = 0
        /// Statements that failed as prepared statements (their table changed its columns): they
        /// run unnamed from then on.
        var refused: Set<String> = []
    }
    private let names = Mutex(Names())
    /// False when the database URL says `prepared_statements=off`: every statement runs unnamed.
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// The name to run `sql` under, or nil to run it unnamed.
    func name(for sql: String, binds: [any Encodable & Sendable]) -> String? {
        guard enabled, binds.count <= Self.bindLimit, Self.isPreparable(sql) else { return nil }
        let key = Self.key(sql, binds)
        return names.withLock { names in
            if let name = names.named[key] { return name }
            guard names.given < Self.limit, !names.refused.contains(key) else { return nil }
            names.given += 1
            let name = "gatehouse_\(names.given)"
            names.named[key] = name
            return name
        }
    }

    /// Whether an error of `sqlState` refused the statement's prepared form, which then runs
    /// unnamed from now on: a prepared `SELECT *` fails once its table has gained a column (a
    /// migration by a newer node: "cached plan must not change result type", SQLSTATE 0A000).
    func refuse(sql: String, binds: [any Encodable & Sendable], sqlState: String?) -> Bool {
        guard sqlState == "0A000" else { return false }
        let key = Self.key(sql, binds)
        names.withLock { names in
            names.named[key] = nil
            names.refused.insert(key)
        }
        return true
    }

    private static func isPreparable(_ sql: String) -> Bool {
        let verb = sql.prefix(7).uppercased()
        return ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH "].contains { verb.hasPrefix($0) }
    }

    /// The SQL and its binds' PostgreSQL types, as the statement is prepared with them.
    private static func key(_ sql: String, _ binds: [any Encodable & Sendable]) -> String {
        var key = sql
        for bind in binds {
            key.append("\u{0}")
            if let value = bind as? any PostgresThrowingDynamicTypeEncodable,
                !((bind as? any OptionalBind)?.isNil ?? false)
            {
                key.append(String(value.psqlType.rawValue))
            } else {
                key.append("null")
            }
        }
        return key
    }
}

import Foundation
import Logging
import SQLKit
import Testing

@testable import GatehouseStore

/// On PostgreSQL the store's statements run as prepared statements, parsed and planned once per
/// connection; a table that gains a column under them (a newer node's migration) does not break
/// its readers.
@Suite struct PreparedStatementTests {
    static var postgres: [StoreEngine] { StoreEngine.available.filter { $0 == .postgres } }

    @Test(arguments: Self.postgres)
    func aRepeatedStatementIsPreparedOnItsConnection(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let table = "prepared_probe_\(UUID().uuidString.prefix(8).lowercased())"
        try await store.write {
            try await $0.raw("CREATE TABLE \(unsafeRaw: table) (id TEXT COLLATE \"C\" PRIMARY KEY, n BIGINT)").run()
        }
        try await store.write {
            try await $0.raw("INSERT INTO \(unsafeRaw: table) VALUES (\(bind: "a"), \(bind: 1))").run()
        }

        let (first, prepared) = try await store.read { database in
            let value = try await database.raw("SELECT * FROM \(unsafeRaw: table) WHERE id = \(bind: "a")").first()?
                .decode(column: "n", as: Int64.self)
            let count = try await database.raw(
                "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE \(bind: "SELECT * FROM \(table)%")"
            ).first()?.decode(column: "n", as: Int64.self)
            return (value, count)
        }
        #expect(first == 1)
        #expect(prepared == 1)

        // An insert of many rows (more binds than prepared statements take) runs unnamed.
        let rows = (0..<PreparedStatements.bindLimit).map { "r\($0)" }
        let bulk = try await store.write { database in
            let values = rows.map { "(\(bind: $0), \(bind: 0))" as SQLQueryString }.joined(separator: ", ")
            try await database.raw("INSERT INTO \(unsafeRaw: table) (id, n) VALUES " + values).run()
            return try await database.raw(
                "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE \(bind: "INSERT INTO \(table) (id, n)%")"
            ).first()?.decode(column: "n", as: Int64.self)
        }
        #expect(bulk == 0)

        // Every connection of the pool that prepared the SELECT * now holds a plan of two columns.
        try await store.write {
            try await $0.raw("ALTER TABLE \(unsafeRaw: table) ADD COLUMN extra TEXT COLLATE \"C\"").run()
        }
        for _ in 0..<3 {
            let row = try await store.read { database in
                try await database.raw("SELECT * FROM \(unsafeRaw: table) WHERE id = \(bind: "a")").first()
            }
            #expect(try row?.decode(column: "n", as: Int64.self) == 1)
            #expect(try row?.decodeNil(column: "extra") == true)
        }
        try await store.write { try await $0.raw("DROP TABLE \(unsafeRaw: table)").run() }
        await store.shutdown()
    }

    @Test(arguments: Self.postgres)
    func bindsAndColumnsKeepTheirTypesAndNulls(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let row = try await store.read { database in
            try await database.raw(
                """
                SELECT CAST(\(bind: "text") AS TEXT) AS s, CAST(\(bind: Optional<String>.none) AS TEXT) AS missing,
                    CAST(\(bind: Int64.max) AS BIGINT) AS big, CAST(\(bind: true) AS BOOLEAN) AS flag,
                    CAST(\(bind: 2.5) AS DOUBLE PRECISION) AS real
                """
            ).first()
        }
        let decoded = try #require(row)
        #expect(try decoded.decode(column: "s", as: String.self) == "text")
        #expect(try decoded.decode(column: "missing", as: String?.self) == nil)
        #expect(try decoded.decode(column: "big", as: Int64.self) == .max)
        #expect(try decoded.decode(column: "flag", as: Bool.self))
        #expect(try decoded.decode(column: "real", as: Double.self) == 2.5)
        #expect(throws: (any Error).self) { try decoded.decode(column: "nowhere", as: String.self) }
        await store.shutdown()
    }

    @Test func aRefusedStatementRunsUnnamedAndItsNameIsNeverGivenAgain() {
        let statements = PreparedStatements(enabled: true)
        let first = statements.name(for: "SELECT * FROM t WHERE id = $1", binds: ["a"])
        let second = statements.name(for: "SELECT n FROM t WHERE id = $1", binds: ["a"])
        #expect(first != nil && second != nil && first != second)
        #expect(statements.name(for: "SELECT n FROM t WHERE id = $1", binds: ["b"]) == second)
        // Another type of bind is another statement.
        let byNumber = statements.name(for: "SELECT n FROM t WHERE id = $1", binds: [Int64(1)])
        #expect(byNumber != nil && ![first, second].contains(byNumber))

        #expect(!statements.refuse(sql: "SELECT * FROM t WHERE id = $1", binds: ["a"], sqlState: "23505"))
        #expect(statements.refuse(sql: "SELECT * FROM t WHERE id = $1", binds: ["a"], sqlState: "0A000"))
        #expect(statements.name(for: "SELECT * FROM t WHERE id = $1", binds: ["a"]) == nil)
        // A new statement gets a name no connection may hold under other SQL (counting the names
        // still given out would hand it the newest one's).
        let third = statements.name(for: "SELECT id FROM t WHERE n = $1", binds: ["a"])
        #expect(third != nil && ![first, second, byNumber].contains(third))
        #expect(statements.name(for: "BEGIN", binds: []) == nil)
        #expect(PreparedStatements(enabled: false).name(for: "SELECT 1", binds: []) == nil)
    }

    @Test func theDatabaseURLTurnsPreparedStatementsOff() throws {
        let base = "postgres://gatehouse@db.example/gatehouse"
        #expect(try PostgresPreparedStatementsMode(of: URL(string: base)!) == .on)
        #expect(try PostgresPreparedStatementsMode(of: URL(string: base + "?prepared_statements=off")!) == .off)
        #expect(
            try PostgresPreparedStatementsMode(of: URL(string: base + "?sslmode=disable&prepared_statements=on")!)
                == .on
        )
        #expect(throws: PostgresURLOptionError.self) {
            try PostgresPreparedStatementsMode(of: URL(string: base + "?prepared_statements=sometimes")!)
        }
    }

    @Test(arguments: Self.postgres)
    func withPreparedStatementsOffNothingIsPrepared(engine: StoreEngine) async throws {
        var components = URLComponents(string: ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"]!)!
        components.queryItems =
            (components.queryItems ?? []) + [URLQueryItem(name: "prepared_statements", value: "off")]
        let url = components.string!
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await SQLStore.open(try DatabaseURL(parsing: url), logger: logger)
        let marker = "probe_\(UUID().uuidString.prefix(8).lowercased())"
        let prepared = try await store.read { database in
            _ = try await database.raw("SELECT CAST(\(bind: marker) AS TEXT) AS \(unsafeRaw: marker)").all()
            return try await database.raw(
                "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE \(bind: "%\(marker)%")"
            ).first()?.decode(column: "n", as: Int64.self)
        }
        #expect(prepared == 0)
        await store.shutdown()
    }
}

import Foundation
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

@Suite struct DatabaseURLTests {
    @Test func sqliteAndPostgresURLsAreRead() throws {
        #expect(try DatabaseURL(parsing: "sqlite:gatehouse.sqlite") == .sqlite(path: "gatehouse.sqlite"))
        #expect(try DatabaseURL(parsing: "sqlite:///tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        guard case .postgres(let url) = try DatabaseURL(parsing: "postgres://gh:pw@127.0.0.1:5433/gatehouse") else {
            Issue.record("not postgres")
            return
        }
        #expect(url.port == 5433)
    }

    @Test(arguments: ["mysql://x@y/z", "sqlite:", "postgres://", "postgres://host/db", "gatehouse.sqlite", ""])
    func malformedURLsAreRefusedWithAReason(text: String) {
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(parsing: text) }
    }

    @Test func errorsAndRedactedFormsNeverShowThePassword() throws {
        let url = try DatabaseURL(parsing: "postgres://gh:hunter2secret@db.example:5432/gatehouse")
        #expect(!url.redacted.contains("hunter2secret"))
        #expect(url.redacted.contains("gh:***@db.example"))
        let error = DatabaseURLError(text: "postgres://gh:hunter2secret@", reason: "bad")
        #expect(!error.description.contains("hunter2secret"))
    }
}

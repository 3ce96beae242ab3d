import Foundation
import GatehouseCore
import GatehouseTestSupport
import Logging
import SQLKit
import Testing

@testable import GatehouseStore

@Suite struct DatabaseURLSecurityTests {
    @Test func postgresDefaultsToVerifiedTLSAwayFromLoopbackAndRefusesUnknownModes() throws {
        func mode(_ text: String) throws -> PostgresTLSMode {
            guard case .postgres(let url) = try DatabaseURL(parsing: text) else {
                throw StoreError(.notFound, "not postgres")
            }
            return try PostgresTLSMode(of: url)
        }
        #expect(try mode("postgres://u:p@db.example.com/x") == .verifyFull)
        #expect(try mode("postgres://u:p@10.0.0.5:5432/x") == .verifyFull)
        #expect(try mode("postgres://u:p@127.0.0.1/x") == .prefer)
        #expect(try mode("postgres://u:p@localhost/x") == .prefer)
        #expect(try mode("postgres://u:p@db.example.com/x?sslmode=require") == .verifyFull)
        #expect(try mode("postgres://u:p@db.example.com/x?sslmode=disable") == .disable)
        let error = try #require(throws: DatabaseURLError.self) {
            try DatabaseURL(parsing: "postgres://u:secret@db.example.com/x?sslmode=requir")
        }
        #expect(error.description.contains("sslmode must be"))
        #expect(!error.description.contains("secret"))
    }

    @Test func theSQLiteStoreAndItsWriteAheadLogAreReadableByTheirOwnerOnly() async throws {
        let path = Scratch.path(".sqlite")
        let store = try await SQLStore.open(.sqlite(path: path), logger: Logger(label: "test"))
        try await store.createWorkspace(
            Workspace(id: UUID().uuidString.lowercased(), name: "W", plan: .free, createdAt: Date())
        )
        for file in [path, path + "-wal", path + "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
        }
        await store.shutdown()
        // An existing file that others can read is made private when the store opens it.
        chmod(path, 0o644)
        let reopened = try await SQLStore.open(.sqlite(path: path), logger: Logger(label: "test"))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0)
        await reopened.shutdown()
    }
}

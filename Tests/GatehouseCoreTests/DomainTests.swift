import Foundation
import Testing

@testable import GatehouseCore

@Suite struct DomainTests {
    @Test func idsAreAcceptedDashedOrUndashedInEitherCase() {
        let dashed = "7775f3a3-893f-43fa-b625-460c61094c78"
        #expect(ResourceID.canonical(dashed) == dashed)
        #expect(ResourceID.canonical("7775F3A3893F43FAB625460C61094C78") == dashed)
        #expect(ResourceID.canonical("7775f3a3893f-43fa-b625-460c61094c78") == nil)
        #expect(ResourceID.canonical("7775f3a3-893f-43fa-b625-460c61094c7") == nil)
        #expect(ResourceID.canonical("7775f3a3-893f-43fa-b625-460c61094c7g") == nil)
        #expect(ResourceID.canonical("../../etc/passwd") == nil)
        #expect(ResourceID.canonical("7775f3a38-93f-43fa-b625-460c61094c78") == nil)
        #expect(ResourceID.canonical("7775f3a3-893f-43fa-b625-460c61094c78-") == nil)
    }

    @Test func capabilitiesParseAndPrintInAFixedOrder() throws {
        let capabilities = try Capabilities(names: ["update_content", "read_content", "user_info_without_email"])
        #expect(capabilities.content == [.readContent, .updateContent])
        #expect(capabilities.userInfo == .withoutEmail)
        #expect(capabilities.names == ["read_content", "update_content", "user_info_without_email"])
        #expect(try Capabilities(names: capabilities.names) == capabilities)
        #expect(try Capabilities(names: ["read_content"]).userInfo == .none)
    }

    @Test func joinedNamesAreTheNamesJoined() throws {
        for capabilities in [
            Capabilities.all, Capabilities(content: [], userInfo: .none),
            try Capabilities(names: ["insert_comments", "read_content", "user_info_with_email"]),
        ] {
            #expect(capabilities.names(joinedBy: " ") == capabilities.names.joined(separator: " "))
            #expect(capabilities.names(joinedBy: ", ") == capabilities.names.joined(separator: ", "))
        }
        let comments = Capabilities(content: [.readComments], userInfo: .none)
        #expect(comments.names(joinedBy: " ") == "read_comments no_user_info")
    }

    @Test func badCapabilityNamesAreRefused() {
        #expect(throws: CapabilityError.unknown("admin")) { try Capabilities(names: ["read_content", "admin"]) }
        #expect(throws: CapabilityError.conflictingUserInfo) {
            try Capabilities(names: ["no_user_info", "user_info_with_email"])
        }
    }

    @Test func notionVersionsAreCheckedAgainstTheAcceptedList() throws {
        #expect(NotionVersion("2022-06-28") != nil)
        #expect(NotionVersion("2024-11-15") != nil)
        #expect(NotionVersion("2023-01-01") == nil)
        #expect(NotionVersion("") == nil)
        #expect(NotionVersion("2022-06-28 ") == nil)
        #expect(NotionVersion("2022-06-2") == nil)
        #expect(NotionVersion("2022-06-2\u{FF18}") == nil)
        #expect(try #require(NotionVersion("2025-09-03")).usesDataSources)
        #expect(try !#require(NotionVersion("2022-06-28")).usesDataSources)
        let error = APIError.unsupportedVersion("1999-01-01")
        #expect(error.status == 400 && error.code == "validation_error")
        #expect(error.message.contains("\"2026-03-11\"") && error.message.contains("1999-01-01"))
    }

    @Test func tokenRecordsAreActiveUntilRevokedOrExpired() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var record = TokenRecord(
            id: "t",
            integrationID: "i",
            kind: .internalKey,
            digest: TokenDigest(of: "x"),
            displayHint: "h",
            createdAt: now
        )
        #expect(record.isActive(at: now))
        record.expiresAt = now.addingTimeInterval(10)
        #expect(record.isActive(at: now))
        #expect(!record.isActive(at: now.addingTimeInterval(10)))
        record.expiresAt = nil
        record.revokedAt = now
        #expect(!record.isActive(at: now))
    }

    @Test func epochMillisecondsRoundTrip() {
        let date = Date(epochMilliseconds: 1_764_000_000_123)
        #expect(date.epochMilliseconds == 1_764_000_000_123)
    }

    @Test func aDateMadeFromMillisecondsGivesThemBackExactly() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let milliseconds = Int64.random(in: 0..<7_258_118_400_000, using: &generator)
            #expect(Date(epochMilliseconds: milliseconds).epochMilliseconds == milliseconds)
        }
        #expect(Date(timeIntervalSince1970: 1.9999).epochMilliseconds == 1999)
    }
}

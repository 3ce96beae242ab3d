import Foundation
import GatehouseClient
import Testing

/// The SDK's webhook helpers: a signature is checked on the exact bytes, and events decode from
/// the shape Notion documents.
@Suite struct NotionWebhookTests {
    static let token = "verification-token-for-tests"
    static let body = Data(#"{"id":"1782edd6","type":"page.created"}"#.utf8)
    // Computed independently with Python's hmac module.
    static let signature = "sha256=be8f0a3cd055f87a9e5e8aa4f63359ac98af73019aa69046580e0b374f48590f"

    @Test func aSignatureIsCheckedOnTheExactBytes() {
        #expect(NotionWebhook.isValidSignature(Self.signature, body: Self.body, verificationToken: Self.token))
        #expect(
            NotionWebhook.isValidSignature(
                Self.signature.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="),
                body: Self.body,
                verificationToken: Self.token
            )
        )
        #expect(
            !NotionWebhook.isValidSignature(
                Self.signature,
                body: Self.body + Data(" ".utf8),
                verificationToken: Self.token
            )
        )
        #expect(!NotionWebhook.isValidSignature(Self.signature, body: Self.body, verificationToken: Self.token + "x"))
        #expect(
            !NotionWebhook.isValidSignature(
                String(Self.signature.dropFirst(7)),
                body: Self.body,
                verificationToken: Self.token
            )
        )
        #expect(!NotionWebhook.isValidSignature(nil, body: Self.body, verificationToken: Self.token))
        #expect(
            !NotionWebhook.isValidSignature(
                "sha256=+b" + Self.signature.dropFirst(9),
                body: Self.body,
                verificationToken: Self.token
            )
        )
        #expect(!NotionWebhook.isValidSignature("sha256=00", body: Self.body, verificationToken: Self.token))
    }

    @Test func theVerificationRequestAndAnEventAreRead() throws {
        #expect(NotionWebhook.verificationToken(in: Data(#"{"verification_token":"secret_abc"}"#.utf8)) == "secret_abc")
        // Notion's own example of `page.properties_updated` ("Event types & delivery").
        let example = Data(
            """
            {"id":"1782edd6-a853-4d4a-b02c-9c8c16f28e53","timestamp":"2024-12-05T23:57:05.379Z",
             "workspace_id":"13950b26-c203-4f3b-b97d-93ec06319565","workspace_name":"Quantify Labs",
             "subscription_id":"29d75c0d-5546-4414-8459-7b7a92f1fc4b","integration_id":"0ef2e755-4912-8096-91c1-00376a88a5ca",
             "type":"page.properties_updated","authors":[{"id":"c7c11cca-1d73-471d-9b6e-bdef51470190","type":"person"}],
             "accessible_by":[{"id":"556a1abf-4f08-40c6-878a-75890d2a88ba","type":"person"},{"id":"1edc05f6-2702-81b5-8408-00279347f034","type":"bot"}],
             "attempt_number":1,"entity":{"id":"153104cd-477e-809d-8dc4-ff2d96ae3090","type":"page"},
             "data":{"parent":{"id":"13950b26-c203-4f3b-b97d-93ec06319565","type":"space"},"updated_properties":["XGe%40","bDf%5B","DbAu"]}}
            """.utf8
        )
        #expect(NotionWebhook.verificationToken(in: example) == nil)
        let event = try NotionWebhook.event(from: example)
        #expect(event.type == "page.properties_updated" && event.attemptNumber == 1 && event.apiVersion == nil)
        #expect(event.entity == NotionWebhook.Actor(id: "153104cd-477e-809d-8dc4-ff2d96ae3090", type: "page"))
        #expect(event.accessibleBy?.map(\.type) == ["person", "bot"])
        #expect(event.data?["updated_properties"]?[1]?.stringValue == "bDf%5B")
        #expect(event.data?["parent"]?["type"]?.stringValue == "space")
    }
}

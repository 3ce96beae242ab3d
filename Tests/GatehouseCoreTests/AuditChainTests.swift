import Crypto
import Foundation
import Testing

@testable import GatehouseCore

@Suite struct AuditChainTests {
    func chain(_ count: Int) -> [AuditEvent] {
        var events: [AuditEvent] = []
        var previous = AuditChain.genesis
        for index in 0..<count {
            var event = AuditEvent(
                sequence: Int64(index + 1),
                time: Date(epochMilliseconds: 1_800_000_000_000 + Int64(index)),
                actor: "cli",
                action: "token.revoked",
                target: "t\(index)",
                details: ["hint": "secret_…ab\(index)"],
                previousHash: previous
            )
            event.hash = AuditChain.hash(of: event)
            previous = event.hash
            events.append(event)
        }
        return events
    }

    @Test func anUntouchedChainIsIntact() {
        #expect(AuditChain.verify(chain(5)) == .intact(events: 5))
        #expect(AuditChain.verify([]) == .intact(events: 0))
    }

    @Test func anEditedEventIsFound() {
        var events = chain(5)
        events[2].details["hint"] = "secret_…zzzz"
        guard case .broken(let sequence, let reason) = AuditChain.verify(events) else {
            Issue.record("not detected")
            return
        }
        #expect(sequence == 3)
        #expect(reason.contains("edited"))
    }

    @Test func aDeletedEventIsFoundAtItsSuccessor() {
        var events = chain(5)
        events.remove(at: 1)
        guard case .broken(let sequence, let reason) = AuditChain.verify(events) else {
            Issue.record("not detected")
            return
        }
        #expect(sequence == 3)
        #expect(reason.contains("deleted"))
    }

    @Test func secretsNeverEnterAnEvent() {
        let token = TokenFormat.generate(.internalKey)
        let event = AuditEvent(
            time: Date(),
            actor: "cli",
            action: "x",
            details: ["note": "leaked \(token)", "password": "hunter2hunter2"]
        )
        #expect(!event.detailsJSON.contains(token.dropFirst(7).prefix(12)))
        #expect(!event.detailsJSON.contains("hunter2"))
    }

    /// The chain's hash as first defined (Foundation's serializer for the details, `%02x` for the
    /// digest): stored chains were hashed this way, so the current code must agree byte for byte.
    static func referenceHash(of event: AuditEvent) -> String {
        func quoted(_ text: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        let details =
            "{"
            + event.details.keys.sorted().map { "\(quoted($0)):\(quoted(event.details[$0]!))" }
            .joined(separator: ",") + "}"
        let fields = [
            event.previousHash, String(event.time.epochMilliseconds), event.actor, event.action, event.target ?? "",
            event.outcome, event.ip ?? "", event.userAgent ?? "", event.requestID ?? "", details,
        ]
        var hasher = SHA256()
        for field in fields {
            hasher.update(data: Data(field.utf8))
            hasher.update(data: Data([0x1F]))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static let awkwardTexts: [String] = [
        "", "plain", "a/b", "quote \" inside", "back\\slash", "tab\tnew\nline\r", "\u{0}\u{1}\u{1F}", "\u{7F}",
        "café", "日本語", "emoji 🔑", "\u{2028}\u{2029}", "</script>",
        String((0x20..<0x7F).map { Character(UnicodeScalar($0)!) }),
    ]

    @Test func detailsAreQuotedExactlyAsJSONSerializationQuotesThem() throws {
        let printable = (0x20..<0x7F).map { String(UnicodeScalar(UInt8($0))) }
        for text in Self.awkwardTexts + printable {
            let data = try JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
            #expect(AuditEvent.quoted(text) == String(decoding: data.dropFirst().dropLast(), as: UTF8.self))
        }
    }

    @Test func theHashIsTheOneStoredChainsWereMadeWith() {
        for (index, text) in Self.awkwardTexts.enumerated() {
            let event = AuditEvent(
                time: Date(epochMilliseconds: 1_800_000_000_000 + Int64(index)),
                actor: text,
                action: "oauth.exchanged",
                target: index.isMultiple(of: 2) ? nil : text,
                ip: "127.0.0.1",
                userAgent: text,
                requestID: "r\(index)",
                details: ["name": text, text: "value", "plan": "pro"],
                previousHash: index == 0 ? AuditChain.genesis : String(repeating: "ab", count: 32)
            )
            #expect(AuditChain.hash(of: event) == Self.referenceHash(of: event))
        }
    }

    @Test func hexIsTwoLowercaseDigitsPerByte() {
        #expect(Hex.lowercase([0x00, 0x0a, 0xff, 0x10]) == "000aff10")
        #expect(Hex.lowercase([UInt8]()) == "")
        #expect(
            Hex.lowercase(SHA256.hash(data: Data("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
    }
}

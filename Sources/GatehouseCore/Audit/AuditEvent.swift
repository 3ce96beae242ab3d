import Crypto
import Foundation

/// One entry of the audit log. Never holds a secret: tokens appear as display hints only.
public struct AuditEvent: Sendable, Equatable {
    /// Position in the log, assigned by the store.
    public var sequence: Int64
    public var time: Date
    /// Who acted: `cli`, `server`, or an integration's bot id.
    public var actor: String
    /// What happened, as `noun.verb`: `token.revoked`, `integration.created`, `auth.failed`, …
    public var action: String
    /// The id acted on, if any.
    public var target: String?
    /// `success` or `failure`.
    public var outcome: String
    public var ip: String?
    public var userAgent: String?
    public var requestID: String?
    /// Extra facts (names, hints, plans), redacted before they are stored.
    public var details: [String: String]
    /// The hash of the event before this one (64 zeros for the first).
    public var previousHash: String
    /// SHA-256 over this event's fields and `previousHash`.
    public var hash: String

    public init(
        sequence: Int64 = 0,
        time: Date,
        actor: String,
        action: String,
        target: String? = nil,
        outcome: String = "success",
        ip: String? = nil,
        userAgent: String? = nil,
        requestID: String? = nil,
        details: [String: String] = [:],
        previousHash: String = AuditChain.genesis,
        hash: String = ""
    ) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.ip = ip
        self.userAgent = userAgent
        self.requestID = requestID
        self.details = details.reduce(into: [:]) { safe, pair in
            safe[pair.key] = SecretRedactor.isSensitiveKey(pair.key) ? "[REDACTED]" : SecretRedactor.redact(pair.value)
        }
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The details as sorted, compact JSON: the stored form, and part of what is hashed.
    public var detailsJSON: String {
        let object = details.keys.sorted().map { key in
            "\(Self.quoted(key)):\(Self.quoted(details[key]!))"
        }
        return "{" + object.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string, exactly as `JSONSerialization` writes it (without escaping
    /// slashes): that form is hashed into the chain, so it must never change. Text without `"`,
    /// `\` or control characters comes out unchanged (the serializer escapes only those), so it is
    /// quoted directly, without the serializer, which was a tenth of the CPU of an OAuth code
    /// exchange; anything else is left to `JSONSerialization`.
    static func quoted(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        let data =
            (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]))
            ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// The tamper evidence of the audit log: each event's hash covers its fields and the hash of the
/// event before it, so editing or deleting an event breaks the chain from there on.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)
    /// Hashed after each field (the ASCII unit separator), so that fields cannot run into each other.
    static let fieldSeparator: [UInt8] = [0x1F]

    /// The hash `event` must carry, given its `previousHash`.
    public static func hash(of event: AuditEvent) -> String {
        let fields = [
            event.previousHash, String(event.time.epochMilliseconds), event.actor, event.action, event.target ?? "",
            event.outcome, event.ip ?? "", event.userAgent ?? "", event.requestID ?? "", event.detailsJSON,
        ]
        var hasher = SHA256()
        for var field in fields {
            field.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            hasher.update(data: fieldSeparator)
        }
        return Hex.lowercase(hasher.finalize())
    }

    /// The outcome of checking a log.
    public enum Verdict: Sendable, Equatable {
        case intact(events: Int)
        /// The first event at which the chain breaks, and how.
        case broken(sequence: Int64, reason: String)
    }

    /// Checks `events` (in log order, from the first) link up and carry their own hashes.
    public static func verify(_ events: [AuditEvent]) -> Verdict {
        var previous = genesis
        for event in events {
            guard event.previousHash == previous else {
                return .broken(
                    sequence: event.sequence,
                    reason: "the event before it was deleted or edited (its link does not match)"
                )
            }
            guard hash(of: event) == event.hash else {
                return .broken(sequence: event.sequence, reason: "this event was edited (its hash does not match)")
            }
            previous = event.hash
        }
        return .intact(events: events.count)
    }
}

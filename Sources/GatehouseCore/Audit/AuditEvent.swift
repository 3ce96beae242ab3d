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
    /// SHA-256 over this event's fields and `previousHash` (unkeyed, 64 hex digits), or
    /// `k1:` + HMAC-SHA256 under the server's audit key (``AuditKey``) over the same fields and
    /// the two workspace tags.
    public var hash: String
    /// The workspace the event belongs to: the actor's, or (for an actor without one, such as
    /// `cli`) the workspace of what it acted on. That workspace sees the event in full.
    public var workspaceID: String?
    /// Another workspace the event concerns (an OAuth app's, when a user of `workspaceID`
    /// authorized it). That workspace sees the event without the actor's identity, IP or agent.
    public var relatedWorkspaceID: String?

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
        hash: String = "",
        workspaceID: String? = nil,
        relatedWorkspaceID: String? = nil
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
        self.workspaceID = workspaceID
        self.relatedWorkspaceID = relatedWorkspaceID
    }

    /// Whether the hash is keyed (made with an ``AuditKey``).
    public var isKeyed: Bool { hash.hasPrefix(AuditChain.keyedPrefix) }

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

/// The secret the audit chain is keyed with, held outside the store (an environment variable or a
/// file), so that someone who can write the store alone cannot recompute the chain.
public struct AuditKey: Sendable {
    let key: SymmetricKey

    /// A key from at least 32 bytes of material (a file's bytes or an environment variable's text).
    public init(material: some DataProtocol) throws(AuditKeyError) {
        guard material.count >= 32 else { throw AuditKeyError() }
        key = SymmetricKey(data: SHA256.hash(data: Data(material)))
    }

    /// 32 random bytes, hex-encoded: the content of a new key file.
    public static func generateMaterial() -> String {
        Hex.lowercase(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// HMAC-SHA256 of `fields`, each followed by the unit separator, as hex.
    func mac(_ fields: [String]) -> String {
        var code = HMAC<SHA256>(key: key)
        for var field in fields {
            field.withUTF8 { code.update(data: UnsafeRawBufferPointer($0)) }
            code.update(data: AuditChain.fieldSeparator)
        }
        return Hex.lowercase(code.finalize())
    }

    /// The MAC a checkpoint (`name`, sequence, hash, count) carries, so that a store writer cannot move it.
    public func checkpointMAC(name: String, sequence: Int64, hash: String, events: Int64) -> String {
        mac(["checkpoint", name, String(sequence), hash, String(events)])
    }
}

/// Audit key material shorter than 32 bytes.
public struct AuditKeyError: Error, CustomStringConvertible {
    public var description: String {
        "the audit key must be at least 32 bytes (generate one with: openssl rand -hex 32)"
    }
}

/// The tamper evidence of the audit log: each event's hash covers its fields and the hash of the
/// event before it, so editing or deleting an event breaks the chain from there on.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)
    /// Hashed after each field (the ASCII unit separator), so that fields cannot run into each other.
    static let fieldSeparator: [UInt8] = [0x1F]

    /// What a keyed hash starts with.
    public static let keyedPrefix = "k1:"

    /// The hash `event` must carry, given its `previousHash`: keyed when `key` is given.
    public static func hash(of event: AuditEvent, key: AuditKey?) -> String {
        guard let key else { return hash(of: event) }
        return keyedPrefix
            + key.mac([
                "k1", event.previousHash, String(event.time.epochMilliseconds), event.actor, event.action,
                event.target ?? "", event.outcome, event.ip ?? "", event.userAgent ?? "", event.requestID ?? "",
                event.detailsJSON, event.workspaceID ?? "", event.relatedWorkspaceID ?? "",
            ])
    }

    /// The unkeyed hash `event` must carry, given its `previousHash` (events written without a key).
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

    /// The outcome of checking a run of events, with what was looked at.
    public struct Check: Sendable, Equatable {
        public var verdict: Verdict
        /// Events whose hash was recomputed.
        public var hashed: Int
        /// Keyed events whose MAC could not be checked because no key was given (links only).
        public var unverifiable: Int
        /// The last event checked (its sequence and hash), where the next check continues.
        public var lastSequence: Int64
        public var lastHash: String
    }

    /// Checks `events` (in log order) link up from `previous` and carry their own hashes. With a
    /// key, keyed events are checked with it, and an unkeyed event after a keyed one or at or after
    /// `keyedFrom` (where the store started keying) is a break (a rewrite without the key);
    /// without a key, keyed events are checked for their links only.
    public static func check(
        _ events: [AuditEvent],
        key: AuditKey?,
        after previous: String = genesis,
        previousSequence: Int64 = 0,
        sawKeyed: Bool = false,
        keyedFrom: Int64? = nil
    ) -> Check {
        var result = Check(
            verdict: .intact(events: 0),
            hashed: 0,
            unverifiable: 0,
            lastSequence: previousSequence,
            lastHash: previous
        )
        var keyedSoFar = sawKeyed || previous.hasPrefix(keyedPrefix)
        for event in events {
            guard event.previousHash == result.lastHash else {
                result.verdict = .broken(
                    sequence: event.sequence,
                    reason: "the event before it was deleted or edited (its link does not match)"
                )
                return result
            }
            if event.isKeyed {
                keyedSoFar = true
                if let key {
                    result.hashed += 1
                    guard hash(of: event, key: key) == event.hash else {
                        result.verdict = .broken(
                            sequence: event.sequence,
                            reason: "this event was edited or inserted without the audit key (its MAC does not match)"
                        )
                        return result
                    }
                } else {
                    result.unverifiable += 1
                }
            } else {
                if key != nil, keyedSoFar || keyedFrom.map({ event.sequence >= $0 }) == true {
                    result.verdict = .broken(
                        sequence: event.sequence,
                        reason: "an unkeyed event follows keyed ones: rewritten or inserted without the audit key"
                    )
                    return result
                }
                result.hashed += 1
                guard hash(of: event) == event.hash else {
                    result.verdict = .broken(
                        sequence: event.sequence,
                        reason: "this event was edited (its hash does not match)"
                    )
                    return result
                }
            }
            result.lastSequence = event.sequence
            result.lastHash = event.hash
        }
        result.verdict = .intact(events: events.count)
        return result
    }
}

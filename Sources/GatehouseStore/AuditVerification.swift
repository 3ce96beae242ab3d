import Foundation
import GatehouseCore

/// What a check of the audit chain found, and how much work it did.
public struct AuditVerification: Sendable, Equatable {
    public var verdict: AuditChain.Verdict
    /// The last event known intact.
    public var verifiedThrough: Int64
    /// Events whose hash this check recomputed (not those the checkpoint already covered).
    public var hashed: Int
    /// Keyed events whose MAC could not be checked (no key given): links only.
    public var unverifiable: Int
    /// Events left for the next check (the bound was reached).
    public var pending: Bool

    public var isIntact: Bool {
        if case .intact = verdict { return true }
        return false
    }
}

extension Store {
    /// Checks the events after the stored `verified` checkpoint (or the retention anchor, or the
    /// beginning), at most `limit` of them, and advances the checkpoint: each event is hashed once,
    /// not on every call. A checkpoint or anchor whose MAC does not match the store's key, or an
    /// event named by the checkpoint that is gone or changed (deletion, truncation), is a break.
    public func verifyAuditIncrementally(limit: Int = 10_000, now: Date) async throws -> AuditVerification {
        let key = auditKey
        let keyedFrom: Int64?
        switch try await self.keyedFrom() {
        case .success(let from): keyedFrom = from
        case .failure(let problem): return Self.broken(at: problem.sequence, problem.reason)
        }
        var sequence: Int64 = 0
        var hash = AuditChain.genesis
        var counted: Int64 = 0
        if let retention = try await auditCheckpoint("retention") {
            guard retention.isAuthentic(under: key) else {
                return Self.broken(at: retention.sequence, "the retention anchor was altered without the audit key")
            }
            sequence = retention.sequence - 1
            hash = retention.hash
        }
        if let verified = try await auditCheckpoint("verified") {
            guard verified.isAuthentic(under: key) else {
                return Self.broken(
                    at: verified.sequence,
                    "the verification checkpoint was altered without the audit key"
                )
            }
            if verified.sequence > sequence {
                let named = try await events(afterSequence: verified.sequence - 1, limit: 1).first
                guard let named, named.sequence == verified.sequence, named.hash == verified.hash else {
                    return Self.broken(
                        at: verified.sequence,
                        "an event already verified is gone or changed (events were deleted or the log truncated)"
                    )
                }
                sequence = verified.sequence
                hash = verified.hash
                counted = verified.events
            }
        }
        var result = AuditVerification(
            verdict: .intact(events: Int(counted)),
            verifiedThrough: sequence,
            hashed: 0,
            unverifiable: 0,
            pending: false
        )
        while result.hashed + result.unverifiable < limit {
            let page = try await events(
                afterSequence: sequence,
                limit: min(1_000, limit - result.hashed - result.unverifiable)
            )
            if page.isEmpty { break }
            let check = AuditChain.check(
                page,
                key: key,
                after: hash,
                previousSequence: sequence,
                keyedFrom: keyedFrom
            )
            result.hashed += check.hashed
            result.unverifiable += check.unverifiable
            if case .broken = check.verdict {
                result.verdict = check.verdict
                return result
            }
            counted += Int64(page.count)
            sequence = check.lastSequence
            hash = check.lastHash
        }
        result.verifiedThrough = sequence
        result.verdict = .intact(events: Int(counted))
        result.pending = !(try await events(afterSequence: sequence, limit: 1).isEmpty)
        if sequence > 0 {
            try await saveAuditCheckpoint(
                AuditCheckpoint(name: "verified", sequence: sequence, hash: hash, events: counted, updatedAt: now)
            )
        }
        return result
    }

    /// Checks the whole chain from its beginning (or the retention anchor), ignoring the
    /// `verified` checkpoint, and that every anchor exported off the store (`anchors`) still
    /// names an event with the same hash: the CLI's `events verify`.
    public func verifyAuditLog(anchors: [AuditCheckpoint] = []) async throws -> AuditVerification {
        let key = auditKey
        let keyedFrom: Int64?
        switch try await self.keyedFrom() {
        case .success(let from): keyedFrom = from
        case .failure(let problem): return Self.broken(at: problem.sequence, problem.reason)
        }
        var sequence: Int64 = 0
        var hash = AuditChain.genesis
        var firstKept: Int64 = 1
        if let retention = try await auditCheckpoint("retention") {
            guard retention.isAuthentic(under: key) else {
                return Self.broken(at: retention.sequence, "the retention anchor was altered without the audit key")
            }
            sequence = retention.sequence - 1
            hash = retention.hash
            firstKept = retention.sequence
        }
        var result = AuditVerification(
            verdict: .intact(events: 0),
            verifiedThrough: sequence,
            hashed: 0,
            unverifiable: 0,
            pending: false
        )
        var counted = 0
        var hashes: [Int64: String] = [:]
        let wanted = Set(anchors.map(\.sequence))
        while true {
            let page = try await events(afterSequence: sequence, limit: 1_000)
            if page.isEmpty { break }
            let check = AuditChain.check(
                page,
                key: key,
                after: hash,
                previousSequence: sequence,
                keyedFrom: keyedFrom
            )
            result.hashed += check.hashed
            result.unverifiable += check.unverifiable
            if case .broken = check.verdict {
                result.verdict = check.verdict
                return result
            }
            for event in page where wanted.contains(event.sequence) { hashes[event.sequence] = event.hash }
            counted += page.count
            sequence = check.lastSequence
            hash = check.lastHash
        }
        for anchor in anchors.sorted(by: { $0.sequence < $1.sequence }) where anchor.sequence >= firstKept {
            guard anchor.isAuthentic(under: key) else {
                return Self.broken(at: anchor.sequence, "an exported anchor does not carry a valid MAC")
            }
            guard hashes[anchor.sequence] == anchor.hash else {
                return Self.broken(
                    at: anchor.sequence,
                    anchor.sequence > sequence
                        ? "the log ends at event \(sequence) but an exported anchor names event \(anchor.sequence): the newest events were deleted (truncated)"
                        : "this event differs from the exported anchor (deleted, or the chain rewritten)"
                )
            }
        }
        result.verifiedThrough = sequence
        result.verdict = .intact(events: counted)
        return result
    }

    /// From which event on every event must be keyed: the store's MACed `keyed` marker, or the
    /// first event when a key is configured but the marker is gone (deleted by a store writer).
    func keyedFrom() async throws -> Result<Int64?, AuditVerificationBreak> {
        guard let key = auditKey else { return .success(nil) }
        guard let marker = try await auditCheckpoint("keyed") else { return .success(0) }
        guard marker.isAuthentic(under: key) else {
            return .failure(
                AuditVerificationBreak(
                    sequence: marker.sequence,
                    reason: "the keyed-since marker was altered without the audit key"
                )
            )
        }
        return .success(marker.sequence)
    }

    static func broken(at sequence: Int64, _ reason: String) -> AuditVerification {
        AuditVerification(
            verdict: .broken(sequence: sequence, reason: reason),
            verifiedThrough: 0,
            hashed: 0,
            unverifiable: 0,
            pending: false
        )
    }
}

/// A break found before any event was read (a checkpoint or marker that is not authentic).
public struct AuditVerificationBreak: Error {
    let sequence: Int64
    let reason: String
}

/// Checkpoints exported off the store, one line each (`sequence hash events mac`), appended to a
/// file the database's writers cannot reach: the anchor that makes truncating the newest events
/// detectable.
public struct AuditAnchorFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Appends `checkpoint` (created 0600 if new).
    public func append(_ checkpoint: AuditCheckpoint) throws {
        let line = "\(checkpoint.sequence) \(checkpoint.hash) \(checkpoint.events) \(checkpoint.mac ?? "-")\n"
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw StoreError(.unavailable, "cannot create the audit anchor file '\(path)'") }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
    }

    /// The anchors in the file (none when it does not exist).
    public func read() throws -> [AuditCheckpoint] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 4, let sequence = Int64(parts[0]), let events = Int64(parts[2]) else { return nil }
            return AuditCheckpoint(
                name: "verified",
                sequence: sequence,
                hash: parts[1],
                events: events,
                mac: parts[3] == "-" ? nil : parts[3],
                updatedAt: Date(timeIntervalSince1970: 0)
            )
        }
    }
}

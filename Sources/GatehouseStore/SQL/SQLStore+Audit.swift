import Foundation
import GatehouseCore
import SQLKit

/// The audit log: a chain of events (keyed when the store has an ``AuditKey``), each tagged with
/// the workspaces it belongs to when it is written, read newest first a page at a time.
extension SQLStore {
    @discardableResult
    public func appendEvent(_ event: AuditEvent) async throws -> AuditEvent {
        try await transaction { database in
            try await self.appendEvent(event, in: database)
        }
    }

    /// Appends `event`, linked to the last one, inside the caller's transaction.
    func appendEvent(_ event: AuditEvent, in database: any SQLDatabase) async throws -> AuditEvent {
        try await appendEvents([event], in: database)[0]
    }

    /// Appends `events` in order, each linked to the one before, in one statement inside the
    /// caller's transaction.
    func appendEvents(_ events: [AuditEvent], in database: any SQLDatabase) async throws -> [AuditEvent] {
        guard !events.isEmpty else { return [] }
        try await engine.lockForAuditAppend(database)
        var tagged: [AuditEvent] = []
        for var event in events {
            try await Self.tagWorkspaces(&event, in: database)
            tagged.append(event)
        }
        var previous =
            try await database.raw("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1").first()?
            .decode(column: "hash", as: String.self) ?? AuditChain.genesis
        let key = auditKey
        var linked = tagged.map { event in
            var event = event
            event.previousHash = previous
            event.hash = AuditChain.hash(of: event, key: key)
            previous = event.hash
            return event
        }
        let rows = linked.map { event -> SQLQueryString in
            """
            (\(bind: event.time.epochMilliseconds), \(bind: event.actor), \(bind: event.action), \(bind: event.target),
             \(bind: event.outcome), \(bind: event.ip), \(bind: event.userAgent), \(bind: event.requestID),
             \(bind: event.detailsJSON), \(bind: event.previousHash), \(bind: event.hash),
             \(bind: event.workspaceID), \(bind: event.relatedWorkspaceID))
            """
        }
        let inserted = try await database.raw(
            "INSERT INTO audit_events (time, actor, action, target, outcome, ip, user_agent, request_id, details, prev_hash, hash, workspace_id, related_workspace_id) VALUES "
                + rows.joined(separator: ", ") + " RETURNING seq, hash"
        ).all()
        var sequences: [String: Int64] = [:]
        for row in inserted {
            sequences[try row.decode(column: "hash", as: String.self)] = try row.decode(column: "seq", as: Int64.self)
        }
        for index in linked.indices { linked[index].sequence = sequences[linked[index].hash] ?? 0 }
        return linked
    }

    /// Fills in the workspaces an event belongs to, when the caller did not: the actor's (a
    /// person, an OAuth client, a bot), else that of what it acted on; and, when what it acted on
    /// (or the integration its details name) lies in another workspace, that one as related.
    static func tagWorkspaces(_ event: inout AuditEvent, in database: any SQLDatabase) async throws {
        guard event.workspaceID == nil, event.relatedWorkspaceID == nil else { return }
        let actor = event.actor
        let userID = actor.hasPrefix("user:") ? String(actor.dropFirst(5)) : ""
        let clientID = actor.hasPrefix("client:") ? String(actor.dropFirst(7)) : ""
        let target = event.target ?? ""
        let detail = event.details["integration_id"] ?? ""
        let rows = try await database.raw(
            """
            SELECT 'a' AS side, workspace_id AS ws FROM users WHERE id = \(bind: userID)
            UNION ALL SELECT 'a', workspace_id FROM integrations WHERE client_id = \(bind: clientID) OR bot_id = \(bind: actor)
            UNION ALL SELECT 't', workspace_id FROM integrations WHERE id = \(bind: target)
            UNION ALL SELECT 't', id FROM workspaces WHERE id = \(bind: target)
            UNION ALL SELECT 't', workspace_id FROM databases WHERE id = \(bind: target)
            UNION ALL SELECT 't', workspace_id FROM pages WHERE id = \(bind: target)
            UNION ALL SELECT 't', workspace_id FROM users WHERE id = \(bind: target)
            UNION ALL SELECT 'd', workspace_id FROM integrations WHERE id = \(bind: detail)
            """
        ).all()
        var found: [String: String] = [:]
        for row in rows {
            let side = try row.decode(column: "side", as: String.self)
            if found[side] == nil { found[side] = try row.decode(column: "ws", as: String.self) }
        }
        let primary = found["a"] ?? found["t"] ?? found["d"]
        event.workspaceID = primary
        event.relatedWorkspaceID = [found["t"], found["d"]].compactMap { $0 }.first { $0 != primary }
    }

    public func events(since: Date?, limit: Int) async throws -> [AuditEvent] {
        try await read { database in
            try await database.raw(
                """
                SELECT * FROM audit_events WHERE time >= \(bind: since?.epochMilliseconds ?? Int64.min)
                ORDER BY seq LIMIT \(bind: limit)
                """
            ).all().map(Self.event)
        }
    }

    public func eventCount(workspaceID: String) async throws -> Int {
        try await read { database in
            let own =
                try await database.raw(
                    "SELECT COUNT(*) AS n FROM audit_events WHERE workspace_id = \(bind: workspaceID)"
                ).first()?.decode(column: "n", as: Int64.self) ?? 0
            let related =
                try await database.raw(
                    "SELECT COUNT(*) AS n FROM audit_events WHERE related_workspace_id = \(bind: workspaceID)"
                ).first()?.decode(column: "n", as: Int64.self) ?? 0
            return Int(own + related)
        }
    }

    public func events(afterSequence sequence: Int64, limit: Int) async throws -> [AuditEvent] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM audit_events WHERE seq > \(bind: sequence) ORDER BY seq LIMIT \(bind: limit)"
            ).all().map(Self.event)
        }
    }

    public func events(_ query: AuditQuery) async throws -> AuditWindow {
        let limit = max(1, query.limit)
        var conditions: [SQLQueryString] = []
        if let before = query.before { conditions.append("seq < \(bind: before)") }
        if let since = query.since { conditions.append("time >= \(bind: since.epochMilliseconds)") }
        if let outcome = query.outcome { conditions.append("outcome = \(bind: outcome)") }
        if let prefix = query.actionPrefix, !prefix.isEmpty {
            conditions.append(
                "substr(action, 1, CAST(\(bind: prefix.unicodeScalars.count) AS INTEGER)) = \(bind: prefix)"
            )
        }
        if let integration = query.integrationID {
            // Ids are canonical UUIDs (no LIKE wildcards); details are compact sorted JSON.
            conditions.append(
                "(target = \(bind: integration) OR details LIKE \(bind: "%\"integration_id\":\"\(integration)\"%"))"
            )
        }
        func filtered(_ first: SQLQueryString) -> SQLQueryString {
            ([first] + conditions).joined(separator: " AND ")
        }
        let statement: SQLQueryString
        if let workspace = query.workspaceID {
            // Two index range scans, (workspace_id, seq) and (related_workspace_id, seq), newest
            // first: another tenant's events and unattributed noise are never read.
            statement =
                "SELECT * FROM (SELECT * FROM audit_events WHERE " + filtered("workspace_id = \(bind: workspace)")
                + " ORDER BY seq DESC LIMIT \(bind: limit + 1)) AS own UNION ALL SELECT * FROM (SELECT * FROM audit_events WHERE "
                + filtered("related_workspace_id = \(bind: workspace)")
                + " ORDER BY seq DESC LIMIT \(bind: limit + 1)) AS related ORDER BY seq DESC LIMIT \(bind: limit + 1)"
        } else {
            statement =
                "SELECT * FROM audit_events WHERE " + filtered("1 = 1")
                + " ORDER BY seq DESC LIMIT \(bind: limit + 1)"
        }
        var events = try await read { database in try await database.raw(statement).all().map(Self.event) }
        var cursor: Int64?
        if events.count > limit {
            events.removeLast(events.count - limit)
            cursor = events.last?.sequence
        }
        return AuditWindow(events: events, olderCursor: cursor)
    }

    @discardableResult
    public func appendFailure(_ event: AuditEvent, period: Duration) async throws -> Int {
        let length = max(Int64(1), period.components.seconds * 1000)
        let start = event.time.epochMilliseconds / length * length
        let address = event.ip ?? event.actor
        return try await transaction { database in
            let count =
                try await database.raw(
                    """
                    INSERT INTO audit_failures (action, ip, period_start, count)
                    VALUES (\(bind: event.action), \(bind: address), \(bind: start), 1)
                    ON CONFLICT (action, ip, period_start) DO UPDATE SET count = audit_failures.count + 1
                    RETURNING count
                    """
                ).first()?.decode(column: "count", as: Int64.self) ?? 1
            if count == 1 { _ = try await self.appendEvent(event, in: database) }
            return Int(count)
        }
    }

    public func auditCheckpoint(_ name: String) async throws -> AuditCheckpoint? {
        try await read { database in
            try await database.raw("SELECT * FROM audit_checkpoints WHERE name = \(bind: name)").first().map { row in
                AuditCheckpoint(
                    name: try row.decode(column: "name", as: String.self),
                    sequence: try row.decode(column: "seq", as: Int64.self),
                    hash: try row.decode(column: "hash", as: String.self),
                    events: try row.decode(column: "events", as: Int64.self),
                    mac: try row.decode(column: "mac", as: String?.self),
                    updatedAt: try Self.date(row, "updated_at")
                )
            }
        }
    }

    public func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await write { database in try await self.saveAuditCheckpoint(checkpoint, in: database) }
    }

    func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint, in database: any SQLDatabase) async throws {
        let mac = auditKey?.checkpointMAC(
            name: checkpoint.name,
            sequence: checkpoint.sequence,
            hash: checkpoint.hash,
            events: checkpoint.events
        )
        try await database.raw(
            """
            INSERT INTO audit_checkpoints (name, seq, hash, events, mac, updated_at)
            VALUES (\(bind: checkpoint.name), \(bind: checkpoint.sequence), \(bind: checkpoint.hash),
                    \(bind: checkpoint.events), \(bind: mac), \(bind: checkpoint.updatedAt.epochMilliseconds))
            ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, events = excluded.events,
                mac = excluded.mac, updated_at = excluded.updated_at
            """
        ).run()
    }

    /// With a key, records once (MACed) the sequence from which every event is keyed, so that a
    /// chain rewritten unkeyed by someone without the key does not pass as old unkeyed events.
    func markKeyedFromHereOn() async throws {
        guard let key = auditKey else { return }
        try await transaction { database in
            try await self.engine.lockForAuditAppend(database)
            let next =
                (try await database.raw("SELECT MAX(seq) AS last FROM audit_events").first()?
                .decode(column: "last", as: Int64?.self) ?? nil).map { $0 + 1 } ?? 1
            let mac = key.checkpointMAC(name: "keyed", sequence: next, hash: "", events: 0)
            try await database.raw(
                """
                INSERT INTO audit_checkpoints (name, seq, hash, events, mac, updated_at)
                VALUES ('keyed', \(bind: next), '', 0, \(bind: mac), \(bind: self.clock.now().epochMilliseconds))
                ON CONFLICT (name) DO NOTHING
                """
            ).run()
        }
    }

    @discardableResult
    public func purgeEvents(before time: Date) async throws -> Int {
        let cutoff = time.epochMilliseconds
        return try await transaction { database in
            try await self.engine.lockForAuditAppend(database)
            try await database.raw("DELETE FROM audit_failures WHERE period_start < \(bind: cutoff)").run()
            // The kept events are a suffix of the chain: everything from the first event inside
            // the retention window on (and always the newest event, which the next one links to).
            guard
                let first = try await database.raw(
                    """
                    SELECT seq, prev_hash FROM audit_events
                    WHERE seq = COALESCE((SELECT MIN(seq) FROM audit_events WHERE time >= \(bind: cutoff)),
                                         (SELECT MAX(seq) FROM audit_events))
                    """
                ).first()
            else { return 0 }
            let sequence = try first.decode(column: "seq", as: Int64.self)
            let deleted = try await database.raw(
                "DELETE FROM audit_events WHERE seq < \(bind: sequence) RETURNING seq"
            ).all().count
            if deleted > 0 {
                try await self.saveAuditCheckpoint(
                    AuditCheckpoint(
                        name: "retention",
                        sequence: sequence,
                        hash: try first.decode(column: "prev_hash", as: String.self),
                        events: 0,
                        updatedAt: time
                    ),
                    in: database
                )
            }
            return deleted
        }
    }

    public func atomically<Result: Sendable>(
        _ body: @escaping @Sendable (any Store) async throws -> Result
    ) async throws -> Result {
        let base = engine
        let logger = self.logger
        let key = auditKey
        return try await transaction { database in
            try await body(
                SQLStore(
                    engine: BoundEngine(base: base, database: database),
                    logger: logger,
                    auditKey: key,
                    clock: self.clock,
                    nested: true
                )
            )
        }
    }

    static func event(_ row: any SQLRow) throws -> AuditEvent {
        let detailsText = try row.decode(column: "details", as: String.self)
        let details = (try? JSONSerialization.jsonObject(with: Data(detailsText.utf8))) as? [String: String] ?? [:]
        var event = AuditEvent(
            sequence: try row.decode(column: "seq", as: Int64.self),
            time: try Self.date(row, "time"),
            actor: try row.decode(column: "actor", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            target: try row.decode(column: "target", as: String?.self),
            outcome: try row.decode(column: "outcome", as: String.self),
            ip: try row.decode(column: "ip", as: String?.self),
            userAgent: try row.decode(column: "user_agent", as: String?.self),
            requestID: try row.decode(column: "request_id", as: String?.self),
            previousHash: try row.decode(column: "prev_hash", as: String.self),
            hash: try row.decode(column: "hash", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String?.self),
            relatedWorkspaceID: try row.decode(column: "related_workspace_id", as: String?.self)
        )
        // Stored details are kept exactly as read, so an edit shows in the hash.
        event.details = details
        if event.detailsJSON != detailsText { event.details["__stored"] = detailsText }
        return event
    }
}

/// An engine bound to one connection inside an open transaction (``SQLStore/atomically(_:)``):
/// every statement runs on it, and transactions become savepoints.
struct BoundEngine: SQLEngine {
    let base: any SQLEngine
    let database: any SQLDatabase

    var autoIncrementPrimaryKey: String { base.autoIncrementPrimaryKey }
    var byteOrderCollation: String { base.byteOrderCollation }
    var binaryType: String { base.binaryType }
    var beginWriteTransaction: String { "SAVEPOINT gatehouse_nested" }
    var changeNotificationStatement: String? { base.changeNotificationStatement }

    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await body(database)
    }

    func withWriteConnection<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await body(database)
    }

    func lockForMigration(_ database: any SQLDatabase) async throws { try await base.lockForMigration(database) }
    func lockForAuditAppend(_ database: any SQLDatabase) async throws { try await base.lockForAuditAppend(database) }
    func lockForInstallation(_ key: String, in database: any SQLDatabase) async throws {
        try await base.lockForInstallation(key, in: database)
    }
    func retryingMigration<Result>(_ body: () async throws -> Result) async throws -> Result { try await body() }
    func listenForChanges(_ onNotification: @escaping @Sendable () -> Void) async {}
    func isUniqueViolation(_ error: any Error) -> Bool { base.isUniqueViolation(error) }
    func isConnectionLost(_ error: any Error) -> Bool { base.isConnectionLost(error) }
    func shutdown() async {}
}

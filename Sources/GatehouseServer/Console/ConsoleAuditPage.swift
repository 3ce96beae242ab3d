import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The console's audit log: the viewer's workspace's events, newest first, a page at a time,
/// filtered and paged in SQL (``Store/events(_:)``), with a link to the older events when the
/// window holds more than a page; and the same as JSON lines.
extension ConsoleController {
    /// Events on one page of the console.
    static let auditPageSize = 100
    /// Events in one export response; a `Link: …; rel="next"` header names the rest.
    static let auditExportSize = 10_000

    @Sendable func audit(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context) { viewer in
            let filter = AuditFilter(request.uri.queryParameters, now: authenticator.clock.now())
            let integrations = try await store.integrations(workspaceID: viewer.workspace.id)
            let window = try await store.events(filter.query(workspace: viewer.workspace, limit: Self.auditPageSize))
            var values: [String: Any] = [
                "events": window.events.map { event -> [String: Any] in
                    let event = Self.visible(event, to: viewer.workspace)
                    return [
                        "time": Self.dateTime(event.time), "actor": event.actor, "action": event.action,
                        "target": event.target ?? "", "outcome": event.outcome, "ip": event.ip ?? "",
                        "details": event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                            .joined(separator: " "),
                    ]
                },
                "integrationOptions": integrations.map {
                    ["id": $0.id, "name": $0.name, "selected": $0.id == filter.integrationID]
                },
                "action": filter.action ?? "", "outcomeSuccess": filter.outcome == "success",
                "outcomeFailure": filter.outcome == "failure", "since24h": filter.since == "24h",
                "since7d": filter.since == "7d", "since30d": filter.since == "30d",
                "sinceAll": filter.since == "all",
                "query": filter.queryString(before: nil),
                "pageSize": Self.auditPageSize,
            ]
            if let cursor = window.olderCursor { values["olderQuery"] = filter.queryString(before: cursor) }
            if filter.before != nil { values["newestQuery"] = filter.queryString(before: nil) }
            return render("console_audit", "Audit log", viewer, values)
        }
    }

    @Sendable func auditExport(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context) { viewer in
            let filter = AuditFilter(request.uri.queryParameters, now: authenticator.clock.now())
            let window = try await store.events(filter.query(workspace: viewer.workspace, limit: Self.auditExportSize))
            var body = Data()
            for event in window.events {
                body += AuditEventJSON.json(Self.visible(event, to: viewer.workspace)).serialized()
                body.append(0x0A)
            }
            var response = Response(
                status: .ok,
                headers: [
                    .contentType: "application/x-ndjson; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"gatehouse-audit.jsonl\"",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
            )
            if let cursor = window.olderCursor {
                // Newest first; the older events are one request further.
                response.headers[HTTPField.Name("Link")!] =
                    "</console/audit.jsonl?\(filter.queryString(before: cursor))>; rel=\"next\""
            }
            HTMLPages.secure(&response.headers)
            return response
        }
    }

    /// `event` as `workspace` may see it: in full when the event is its own; when it only concerns
    /// it (a person of another workspace authorized its OAuth app), without who acted, from where
    /// and with what agent — that belongs to the other tenant.
    static func visible(_ event: AuditEvent, to workspace: Workspace) -> AuditEvent {
        guard event.workspaceID != workspace.id else { return event }
        var redacted = event
        redacted.actor = "another workspace"
        redacted.ip = nil
        redacted.userAgent = nil
        redacted.details = event.details.filter { !["email", "user_id", "person_id"].contains($0.key) }
        return redacted
    }

    // MARK: Audit filters

    struct AuditFilter {
        var integrationID: String?
        var action: String?
        var outcome: String?
        var since: String
        /// The sequence the page starts below (the "older events" cursor).
        var before: Int64?
        let now: Date

        init(_ parameters: FlatDictionary<Substring, Substring>, now: Date) {
            func value(_ name: String) -> String? {
                parameters.get(name).flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }
            }
            integrationID = value("integration").flatMap(ResourceID.canonical)
            action = value("action")
            outcome = value("outcome").flatMap { ["success", "failure"].contains($0) ? $0 : nil }
            since = value("since").flatMap { ["24h", "7d", "30d", "all"].contains($0) ? $0 : nil } ?? "7d"
            before = value("before").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
            self.now = now
        }

        var start: Date? {
            switch since {
            case "24h": now.addingTimeInterval(-86_400)
            case "30d": now.addingTimeInterval(-30 * 86_400)
            case "all": nil
            default: now.addingTimeInterval(-7 * 86_400)
            }
        }

        /// The store query: this workspace's events (tagged when written), filtered in SQL.
        func query(workspace: Workspace, limit: Int) -> AuditQuery {
            AuditQuery(
                workspaceID: workspace.id,
                integrationID: integrationID,
                actionPrefix: action,
                outcome: outcome,
                since: start,
                before: before,
                limit: limit
            )
        }

        func queryString(before cursor: Int64?) -> String {
            var items = [URLQueryItem(name: "since", value: since)]
            if let integrationID { items.append(URLQueryItem(name: "integration", value: integrationID)) }
            if let action { items.append(URLQueryItem(name: "action", value: action)) }
            if let outcome { items.append(URLQueryItem(name: "outcome", value: outcome)) }
            if let cursor { items.append(URLQueryItem(name: "before", value: String(cursor))) }
            var components = URLComponents()
            components.queryItems = items
            return components.percentEncodedQuery ?? ""
        }
    }
}

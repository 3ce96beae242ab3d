import Foundation
import GatehouseCore

/// An audit event as exported (`gatehouse events --json`, the console's JSON-lines export).
public enum AuditEventJSON {
    public static func json(_ event: AuditEvent) -> JSONValue {
        [
            "sequence": .number(Double(event.sequence)), "time": CredentialJSON.time(event.time),
            "actor": .string(event.actor), "action": .string(event.action), "target": .optional(event.target),
            "outcome": .string(event.outcome), "ip": .optional(event.ip), "user_agent": .optional(event.userAgent),
            "request_id": .optional(event.requestID),
            "details": .object(event.details.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }),
            "previous_hash": .string(event.previousHash), "hash": .string(event.hash),
        ]
    }
}

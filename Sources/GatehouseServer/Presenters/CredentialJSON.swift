import Foundation
import GatehouseCore

/// How a stored credential is shown to operators (the CLI's `token list`, the console's API):
/// never the token, only its hint, status, age and last use.
public enum CredentialJSON {
    /// `active`, `revoked`, `expired`, or `rotated` (a refresh token exchanged for its successor).
    public static func status(_ token: TokenRecord, at now: Date) -> String {
        if token.revokedAt != nil { return "revoked" }
        if let expiresAt = token.expiresAt, expiresAt <= now { return "expired" }
        if token.usedAt != nil { return "rotated" }
        return "active"
    }

    /// Whether `token` is a live API key or client secret older than the rotation policy (the
    /// seed asks for monthly rotation).
    public static func rotationDue(_ token: TokenRecord, at now: Date, policyDays: Int) -> Bool {
        (token.kind == .internalKey || token.kind == .clientSecret) && status(token, at: now) == "active"
            && now.timeIntervalSince(token.createdAt) >= Double(policyDays) * 86_400
    }

    /// The token's fields, with its age and whether its rotation is due.
    public static func token(_ token: TokenRecord, at now: Date, rotationPolicyDays: Int = 30) -> JSONValue {
        let ageDays = Int(now.timeIntervalSince(token.createdAt) / 86_400)
        return [
            "id": .string(token.id), "kind": .string(token.kind.prefix), "hint": .string(token.displayHint),
            "status": .string(status(token, at: now)), "created_at": time(token.createdAt),
            "expires_at": time(token.expiresAt), "revoked_at": time(token.revokedAt),
            "last_used_at": time(token.lastUsedAt), "last_used_ip": .optional(token.lastUsedIP),
            "last_used_user_agent": .optional(token.lastUsedAgent), "use_count": .number(Double(token.useCount)),
            "age_days": .number(Double(ageDays)),
            "rotation_due": .bool(rotationDue(token, at: now, policyDays: rotationPolicyDays)),
            "max_uses": token.maxUses.map { .number(Double($0)) } ?? .null, "uses": .number(Double(token.uses)),
        ]
    }

    /// An ISO 8601 time, or `null`.
    public static func time(_ date: Date?) -> JSONValue {
        date.map { .string($0.formatted(.iso8601)) } ?? .null
    }
}

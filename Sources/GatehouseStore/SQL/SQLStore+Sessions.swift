import Foundation
import GatehouseCore
import SQLKit

/// Browser sessions (only their digests), and the server keys the sign-in form is signed with.
extension SQLStore {
    public func createSession(_ session: SessionRecord) async throws {
        try await write { database in
            try await database.raw(
                """
                INSERT INTO sessions (hash, user_id, created_at, expires_at, last_seen_at)
                VALUES (\(bind: session.digest.hex), \(bind: session.userID), \(bind: session.createdAt.epochMilliseconds), \(bind: session.expiresAt.epochMilliseconds), \(bind: session.lastSeenAt.epochMilliseconds))
                """
            ).run()
        }
    }

    public func session(digest: TokenDigest) async throws -> SessionRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM sessions WHERE hash = \(bind: digest.hex)").first().map { row in
                SessionRecord(
                    digest: digest,
                    userID: try row.decode(column: "user_id", as: String.self),
                    createdAt: try Self.date(row, "created_at"),
                    expiresAt: try Self.date(row, "expires_at"),
                    lastSeenAt: try Self.optionalDate(row, "last_seen_at")
                )
            }
        }
    }

    public func deleteSession(digest: TokenDigest) async throws {
        try await write { database in
            try await database.raw("DELETE FROM sessions WHERE hash = \(bind: digest.hex)").run()
        }
    }

    public func touchSession(digest: TokenDigest, at time: Date) async throws {
        try await write { database in
            try await database.raw(
                "UPDATE sessions SET last_seen_at = \(bind: time.epochMilliseconds) WHERE hash = \(bind: digest.hex)"
            ).run()
        }
    }

    @discardableResult
    public func deleteSessions(userID: String, keeping: TokenDigest?) async throws -> Int {
        try await write { database in
            try await Self.deleteSessions(userID: userID, keeping: keeping, in: database)
        }
    }

    public func setPassword(userID: String, hash: String, keeping: TokenDigest?) async throws -> Bool {
        try await transaction { database in
            let updated = try await database.raw(
                "UPDATE users SET password_hash = \(bind: hash) WHERE id = \(bind: userID) RETURNING id"
            ).all()
            guard !updated.isEmpty else { return false }
            _ = try await Self.deleteSessions(userID: userID, keeping: keeping, in: database)
            return true
        }
    }

    public func serverKey(named name: String, make: @Sendable () -> String, at time: Date) async throws -> String {
        let candidate = make()
        return try await write { database in
            try await database.raw(
                """
                INSERT INTO server_keys (name, key, created_at)
                VALUES (\(bind: name), \(bind: candidate), \(bind: time.epochMilliseconds))
                ON CONFLICT (name) DO NOTHING
                """
            ).run()
            guard let row = try await database.raw("SELECT key FROM server_keys WHERE name = \(bind: name)").first()
            else { throw StoreError(.notFound, "the server key \(name) is missing") }
            return try row.decode(column: "key", as: String.self)
        }
    }

    // MARK: Second factor

    public func secondFactor(userID: String) async throws -> SecondFactorRecord? {
        try await read { database in
            guard
                let row = try await database.raw(
                    "SELECT totp_secret, totp_last_step FROM users WHERE id = \(bind: userID)"
                ).first(),
                let sealed = try row.decode(column: "totp_secret", as: String?.self)
            else { return nil }
            return SecondFactorRecord(
                sealedSecret: sealed,
                lastStep: try row.decode(column: "totp_last_step", as: Int64?.self) ?? 0
            )
        }
    }

    public func setSecondFactor(userID: String, sealedSecret: String, step: Int64) async throws {
        try await write { database in
            try await database.raw(
                """
                UPDATE users SET totp_secret = \(bind: sealedSecret), totp_last_step = \(bind: step)
                WHERE id = \(bind: userID)
                """
            ).run()
        }
    }

    public func clearSecondFactor(userID: String) async throws -> Bool {
        try await transaction { database in
            let cleared = try await database.raw(
                """
                UPDATE users SET totp_secret = NULL, totp_last_step = NULL
                WHERE id = \(bind: userID) AND totp_secret IS NOT NULL RETURNING id
                """
            ).all()
            _ = try await Self.deleteSessions(userID: userID, keeping: nil, in: database)
            return !cleared.isEmpty
        }
    }

    public func useSecondFactorStep(userID: String, step: Int64) async throws -> Bool {
        try await write { database in
            let used = try await database.raw(
                """
                UPDATE users SET totp_last_step = \(bind: step)
                WHERE id = \(bind: userID) AND totp_secret IS NOT NULL
                AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
                RETURNING id
                """
            ).all()
            return !used.isEmpty
        }
    }

    private static func deleteSessions(
        userID: String,
        keeping: TokenDigest?,
        in database: any SQLDatabase
    ) async throws -> Int {
        if let keeping {
            return try await database.raw(
                "DELETE FROM sessions WHERE user_id = \(bind: userID) AND hash <> \(bind: keeping.hex) RETURNING hash"
            ).all().count
        }
        return try await database.raw("DELETE FROM sessions WHERE user_id = \(bind: userID) RETURNING hash").all()
            .count
    }
}

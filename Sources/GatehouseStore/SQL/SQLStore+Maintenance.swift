import Foundation
import GatehouseCore
import SQLKit

/// ``MaintenanceStore``: the janitor's purge.
extension SQLStore {
    @discardableResult
    public func purge(
        credentialsBefore: Date,
        rateLimitsBefore: Date,
        changesBefore: Date,
        successorsBefore: Date
    ) async throws -> Int {
        let credentials = credentialsBefore.epochMilliseconds
        // The TAT of a row untouched for a while lies in the past: compare it, in nanoseconds.
        let rateLimits = rateLimitsBefore.epochMilliseconds * 1_000_000
        let changes = changesBefore.epochMilliseconds
        return try await transaction { database in
            let purged = try await database.raw(
                "DELETE FROM tokens WHERE revoked_at < \(bind: credentials) OR expires_at < \(bind: credentials) RETURNING id"
            ).all().count
            try await database.raw("DELETE FROM oauth_codes WHERE expires_at < \(bind: credentials)").run()
            try await database.raw("DELETE FROM sessions WHERE expires_at < \(bind: credentials)").run()
            try await database.raw(
                "UPDATE tokens SET successor = NULL WHERE successor IS NOT NULL AND used_at < \(bind: successorsBefore.epochMilliseconds)"
            ).run()
            try await database.raw("DELETE FROM rate_limits WHERE tat < \(bind: rateLimits)").run()
            // Usage older than 90 days is not shown anywhere.
            try await database.raw(
                "DELETE FROM usage_daily WHERE day < \(bind: DailyUsage.day(of: credentialsBefore) - 83)"
            ).run()
            try await database.raw("DELETE FROM changes WHERE created_at < \(bind: changes)").run()
            // Uploads never attached, expired (an attached one has no expiry), then the bytes of
            // uploads no longer there: an upload attached meanwhile is kept whole, as its row's
            // lock makes the first statement see it attached.
            try await database.raw("DELETE FROM file_uploads WHERE expires_at < \(bind: credentials)").run()
            try await database.raw(
                "DELETE FROM file_upload_parts WHERE NOT EXISTS (SELECT 1 FROM file_uploads u WHERE u.id = file_upload_parts.upload_id)"
            ).run()
            // Deliveries done with, kept as long as revoked credentials for `webhook deliveries`.
            try await database.raw("DELETE FROM webhook_deliveries WHERE finished_at < \(bind: credentials)").run()
            return purged
        }
    }
}

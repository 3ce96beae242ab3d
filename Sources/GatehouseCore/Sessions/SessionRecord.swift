import Foundation

/// A signed-in browser session (sign-in page, consent, console); only its digest is stored.
public struct SessionRecord: Sendable, Equatable {
    public var digest: TokenDigest
    public var userID: String
    public var createdAt: Date
    /// The absolute end: the session ends then however active it is.
    public var expiresAt: Date
    /// When a request last used it, written at most once per ``SessionPolicy/lastSeenResolution``.
    public var lastSeenAt: Date

    public init(digest: TokenDigest, userID: String, createdAt: Date, expiresAt: Date, lastSeenAt: Date? = nil) {
        self.digest = digest
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt ?? createdAt
    }
}

/// How long browser sessions live: an idle timeout inside an absolute lifetime.
public struct SessionPolicy: Sendable, Equatable {
    /// The absolute lifetime from sign-in: 12 hours.
    public var lifetime: TimeInterval
    /// A session unused this long ends: 30 minutes.
    public var idleTimeout: TimeInterval
    /// The last-seen time is written at most this often per session (not on every request).
    public var lastSeenResolution: TimeInterval = 60

    public init(lifetime: TimeInterval = 12 * 3_600, idleTimeout: TimeInterval = 30 * 60) {
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
    }

    /// Whether `session` is still live at `now`.
    public func isLive(_ session: SessionRecord, at now: Date) -> Bool {
        session.expiresAt > now && now.timeIntervalSince(session.lastSeenAt) < idleTimeout
    }

    /// Whether a request at `now` should write the session's last-seen time.
    public func needsTouch(_ session: SessionRecord, at now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeenAt) >= lastSeenResolution
    }
}

/// A person's TOTP second factor: the shared secret, sealed, and the last time step a code was
/// accepted for (a code is good once).
public struct SecondFactorRecord: Sendable, Equatable {
    public var sealedSecret: String
    public var lastStep: Int64

    public init(sealedSecret: String, lastStep: Int64) {
        self.sealedSecret = sealedSecret
        self.lastStep = lastStep
    }
}

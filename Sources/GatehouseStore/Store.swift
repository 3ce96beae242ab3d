import Foundation
import GatehouseCore

/// Everything Gatehouse keeps: one protocol, implemented once in SQL (``SQLStore``) for both engines.
///
/// Methods that change who may do what (revocations, deletions, shares) also append to the change
/// feed in the same transaction.
public protocol Store: Sendable {
    // MARK: Workspaces and people
    func createWorkspace(_ workspace: Workspace) async throws
    func workspace(id: String) async throws -> Workspace?
    func workspaces() async throws -> [Workspace]
    /// Changes a workspace's plan (and so its integrations' rate limits); returns whether it exists.
    func setPlan(_ plan: Plan, workspaceID: String, at time: Date) async throws -> Bool
    /// Throws ``StoreError/Code/duplicate`` when the email is taken.
    func createPerson(_ person: Person) async throws
    func person(id: String) async throws -> Person?
    func person(email: String) async throws -> Person?
    func people(workspaceID: String) async throws -> [Person]

    // MARK: Integrations and tokens
    /// Creates the integration with its first token (an API key, or a public integration's client
    /// secret; none for a client without a secret), atomically.
    func createIntegration(_ integration: Integration, token: TokenRecord?) async throws
    func integration(id: String) async throws -> Integration?
    func integration(botID: String) async throws -> Integration?
    func integrations(workspaceID: String) async throws -> [Integration]
    /// The public integration whose OAuth `client_id` this is.
    func integration(clientID: String) async throws -> Integration?
    /// Deletes the integration, its tokens and shares (and, for a public integration, every
    /// installation of it with theirs). Returns whether it existed.
    func deleteIntegration(id: String) async throws -> Bool
    func tokens(integrationID: String) async throws -> [TokenRecord]
    /// The tokens of each of these integrations, oldest first, in one read (a listing's
    /// credentials without one query per integration).
    func tokens(integrationIDs: [String]) async throws -> [String: [TokenRecord]]
    func token(id: String) async throws -> TokenRecord?
    func token(digest: TokenDigest) async throws -> TokenRecord?
    /// Issues `newToken` for its integration and schedules every other live token of the
    /// integration to expire at `oldTokensExpireAt` (or leaves them valid until revoked when it is
    /// `nil`); serialized per integration. Returns the tokens that were live before.
    func rotate(to newToken: TokenRecord, oldTokensExpireAt: Date?, at time: Date) async throws -> [TokenRecord]
    /// Revokes the tokens with these ids that are not yet revoked; returns those it revoked.
    func revokeTokens(ids: [String], at time: Date) async throws -> [TokenRecord]
    /// The principal a token acts as, if the token exists (active or not; the caller checks).
    func principal(digest: TokenDigest) async throws -> (TokenRecord, Principal)?

    // MARK: OAuth

    func createAuthorizationCode(_ code: AuthorizationCode) async throws
    /// Marks the code used and returns it with whether this call was its first use (a second use
    /// is a replay); `nil` when no such code exists.
    func consumeAuthorizationCode(
        digest: TokenDigest,
        at time: Date
    ) async throws -> (AuthorizationCode, firstUse: Bool)?
    /// Completes a grant in one transaction: finds or creates the installation of
    /// `installation.installation.appID` for its workspace and owner (the candidate's id and bot
    /// are used when it is new), makes `resources` its shares, and stores `tokens` for it (their
    /// `integrationID` is set here). Returns the installation.
    func install(
        _ installation: Integration,
        resources: [SharedResource],
        tokens: [TokenRecord],
        at time: Date
    ) async throws -> Integration
    /// Redeems a code in one transaction: marks it used as ``consumeAuthorizationCode(digest:at:)``
    /// does, then — if `decide` returns a grant for it — installs the grant as
    /// ``install(_:resources:tokens:at:)`` does and appends the grant's audit event. All of it
    /// commits together or not at all. `nil` when no such code exists. Concurrent redemptions
    /// may share one transaction (group commit); `decide` is called inside it and must not wait.
    func redeemAuthorizationCode(
        digest: TokenDigest,
        at time: Date,
        decide: @escaping @Sendable (AuthorizationCode, _ firstUse: Bool) -> CodeGrant?
    ) async throws -> CodeRedemption?
    /// Marks refresh token `id` used and stores `successors` with the sealed pair, if no other
    /// request did so first; otherwise returns the token as that request left it.
    func rotateRefreshToken(
        id: String,
        successors: [TokenRecord],
        sealedSuccessor: String,
        usedFrom: String?,
        at time: Date
    ) async throws -> RefreshRotation
    /// The sealed successor pair of a used refresh token, while the janitor has not wiped it.
    func refreshSuccessor(tokenID: String) async throws -> String?
    /// Revokes every live token of an OAuth grant; returns those it revoked.
    func revokeGrant(id: String, at time: Date) async throws -> [TokenRecord]

    // MARK: Browser sessions

    func createSession(_ session: SessionRecord) async throws
    func session(digest: TokenDigest) async throws -> SessionRecord?
    func deleteSession(digest: TokenDigest) async throws
    /// Records that the session was used at `time`.
    func touchSession(digest: TokenDigest, at time: Date) async throws
    /// Ends every session of the person except `keeping` (sign out everywhere, password change);
    /// returns how many ended.
    @discardableResult
    func deleteSessions(userID: String, keeping: TokenDigest?) async throws -> Int
    /// Sets the person's password hash and ends every session of theirs except `keeping`, in one
    /// transaction; returns whether the person exists.
    func setPassword(userID: String, hash: String, keeping: TokenDigest?) async throws -> Bool
    /// The person's second factor (TOTP), if they enrolled one.
    func secondFactor(userID: String) async throws -> SecondFactorRecord?
    /// Enrols (or replaces) the person's second factor; `step` is the one its confirmation used.
    func setSecondFactor(userID: String, sealedSecret: String, step: Int64) async throws
    /// Removes the person's second factor (an operator's reset for a lost authenticator) and ends
    /// every session of theirs; returns whether they had one.
    func clearSecondFactor(userID: String) async throws -> Bool
    /// Marks `step` used if it is later than the last used one (compare-and-set): `false` for a
    /// replayed or older code, or when the person has no second factor.
    func useSecondFactorStep(userID: String, step: Int64) async throws -> Bool
    /// The server key named `name`, shared by every node of the store: the first caller's `make()`
    /// is stored, later callers read it.
    func serverKey(named name: String, make: @Sendable () -> String, at time: Date) async throws -> String

    // MARK: Content and sharing
    func createDatabase(_ database: DatabaseRecord) async throws
    func database(id: String) async throws -> DatabaseRecord?
    func databases(workspaceID: String) async throws -> [DatabaseRecord]
    func createPage(_ page: PageRecord) async throws
    func page(id: String) async throws -> PageRecord?
    func updatePage(_ page: PageRecord) async throws
    func pages(workspaceID: String) async throws -> [PageRecord]
    func pages(databaseID: String) async throws -> [PageRecord]
    /// Grants or, with `remove`, withdraws an integration's access to a database or page.
    func setShare(
        integrationID: String,
        resourceID: String,
        resourceType: String,
        remove: Bool,
        at time: Date
    )
        async throws
    /// The ids of the databases and pages shared with the integration.
    func shares(integrationID: String) async throws -> Set<String>
    /// The ids of what each of these integrations is shared, in one read.
    func shares(integrationIDs: [String]) async throws -> [String: Set<String>]
    /// Replaces the scopes of an integration and its installations; the changes made (none if it
    /// does not exist), which the change feed also carries.
    func setScopes(_ scopes: Scopes, integrationID: String, at time: Date) async throws -> [StoreChange]
    /// Adds a token to an existing integration (a verifier key); `false` if it does not exist.
    func addToken(_ token: TokenRecord) async throws -> Bool
    /// Sets or clears an integration's own rate limit; the changes made (none if it does not exist).
    func setRateLimit(_ limit: RatePlan?, integrationID: String, at time: Date) async throws -> [StoreChange]
    /// Sets a live token's expiry and number of uses; the token, or `nil` if there is no live one.
    func setTokenLimits(tokenID: String, expiresAt: Date?, maxUses: Int?, at time: Date) async throws -> TokenRecord?
    /// Counts one use of a usage-limited token; `false` once all its uses are spent.
    func consumeUse(tokenID: String) async throws -> Bool

    // MARK: Rate limits

    /// Admits `permits` requests for `key` at once if the GCRA (`emissionInterval`, `tolerance`, in
    /// nanoseconds) and the daily quota allow all of them, in one atomic statement, so every
    /// process and node sharing the store shares the limit. Returns whether they were admitted and
    /// the state after.
    func admit(
        key: String,
        now: RateLimitInstant,
        emissionInterval: Int64,
        tolerance: Int64,
        dailyQuota: Int?,
        permits: Int
    ) async throws -> (admitted: Bool, state: RateLimitState)

    // MARK: Audit log

    /// Appends `event` to the audit log, linking it to the last event (sequence, previous hash
    /// and hash are filled in); appends are serialized across processes and nodes.
    @discardableResult
    func appendEvent(_ event: AuditEvent) async throws -> AuditEvent
    /// Events at or after `since` (all when `nil`), oldest first, at most `limit`.
    func events(since: Date?, limit: Int) async throws -> [AuditEvent]
    /// One page of a workspace's events (or every event when the query names none), newest
    /// first, filtered and paged in SQL; says whether older events match too.
    func events(_ query: AuditQuery) async throws -> AuditWindow
    /// How many events belong to, or concern, the workspace.
    func eventCount(workspaceID: String) async throws -> Int
    /// Events after `sequence`, oldest first, at most `limit` (for incremental verification).
    func events(afterSequence sequence: Int64, limit: Int) async throws -> [AuditEvent]
    /// Appends a failed-authentication event at most once per (action, address, `period`): the
    /// first failure in a period is appended, later ones only count in `audit_failures`. Returns
    /// the failures counted so far in this period, this one included.
    @discardableResult
    func appendFailure(_ event: AuditEvent, period: Duration) async throws -> Int
    /// The checkpoint called `name` (`verified`: how far the chain is known intact; `retention`:
    /// the first event kept after a purge and the hash it links to), if any.
    func auditCheckpoint(_ name: String) async throws -> AuditCheckpoint?
    /// Stores a checkpoint (its MAC is made with the store's audit key, if it has one).
    func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws
    /// The store's audit key (nil when the chain is unkeyed).
    var auditKey: AuditKey? { get }
    /// Deletes events (and failure counters) older than `time`, always keeping the newest event,
    /// and re-anchors the chain at the first event kept; returns how many were deleted.
    @discardableResult
    func purgeEvents(before time: Date) async throws -> Int

    /// Runs `body` against a view of this store inside one transaction: every change made through
    /// that view (an action and its audit event, say) commits together or not at all. `body` must
    /// use only the view it is given, one call at a time.
    func atomically<Result: Sendable>(_ body: @Sendable (any Store) async throws -> Result) async throws -> Result

    // MARK: Usage

    /// Adds the usage seen since the last flush to each token's counters and last-use fields.
    func recordUsage(_ usage: [TokenUsage]) async throws
    /// Adds per-integration, per-day, per-status request counts.
    func recordDailyUsage(_ usage: [DailyUsage]) async throws
    /// The counts of these integrations from `sinceDay` (days since 1970-01-01 UTC) on.
    func dailyUsage(integrationIDs: [String], sinceDay: Int64) async throws -> [DailyUsage]

    // MARK: Janitor

    /// Deletes tokens, authorization codes and sessions that expired (or tokens that were revoked)
    /// before `credentialsBefore`, rate-limit state untouched since `rateLimitsBefore` and feed
    /// entries older than `changesBefore`, and wipes refresh successors sealed before
    /// `successorsBefore`; returns the number of tokens deleted.
    @discardableResult
    func purge(
        credentialsBefore: Date,
        rateLimitsBefore: Date,
        changesBefore: Date,
        successorsBefore: Date
    ) async throws -> Int

    // MARK: Change feed
    /// Calls `onNotification` whenever a change is committed elsewhere (PostgreSQL LISTEN/NOTIFY),
    /// until cancelled; returns at once where the feed can only be polled (SQLite).
    func listenForChanges(_ onNotification: @escaping @Sendable () -> Void) async
    /// Entries after `sequence`, oldest first, at most `limit`.
    func changes(after sequence: Int64, limit: Int) async throws -> [StoreChange]
    /// The newest feed position (0 when empty).
    func latestChangeSequence() async throws -> Int64
    /// Deletes feed entries older than `time`.
    func pruneChanges(before time: Date) async throws

    /// Closes every connection.
    func shutdown() async
}

extension Store {
    /// The ids of the resource and every page or database above it, nearest first (at most 64
    /// levels, which also stops a cycle).
    public func lineage(ofPage page: PageRecord) async throws -> [String] {
        var lineage = [page.id]
        var parent = page.parent
        while lineage.count < 64 {
            switch parent {
            case .workspace:
                return lineage
            case .database(let id):
                lineage.append(id)
                guard let database = try await database(id: id), let above = database.parentPageID else {
                    return lineage
                }
                guard let next = try await self.page(id: above) else { return lineage }
                lineage.append(next.id)
                parent = next.parent
            case .page(let id):
                guard let next = try await self.page(id: id) else { return lineage }
                lineage.append(next.id)
                parent = next.parent
            }
        }
        return lineage
    }

    /// The ids of the database and every page above it, nearest first.
    public func lineage(ofDatabase database: DatabaseRecord) async throws -> [String] {
        guard let parentID = database.parentPageID, let parent = try await page(id: parentID) else {
            return [database.id]
        }
        return [database.id] + (try await lineage(ofPage: parent))
    }
}

/// What one process saw of a token's use since its last flush.
public struct TokenUsage: Sendable, Equatable {
    public var tokenID: String
    public var count: Int
    public var lastUsedAt: Date
    public var lastUsedIP: String?
    public var lastUsedAgent: String?

    public init(tokenID: String, count: Int, lastUsedAt: Date, lastUsedIP: String?, lastUsedAgent: String?) {
        self.tokenID = tokenID
        self.count = count
        self.lastUsedAt = lastUsedAt
        self.lastUsedIP = lastUsedIP
        self.lastUsedAgent = lastUsedAgent
    }
}

/// What happened to a refresh token presented for rotation.
public enum RefreshRotation: Sendable {
    /// This request rotated it; the successors are stored.
    case rotated
    /// Another request rotated (or someone revoked) it first: the token as it is now.
    case lost(TokenRecord)
}

/// Requests of one integration on one UTC day with one kind of answer.
public struct DailyUsage: Sendable, Equatable, Hashable {
    public var integrationID: String
    /// Days since 1970-01-01 UTC.
    public var day: Int64
    /// `2xx`, `3xx`, `4xx`, `429` (rate limited, counted apart) or `5xx`.
    public var status: String
    public var count: Int

    public init(integrationID: String, day: Int64, status: String, count: Int) {
        self.integrationID = integrationID
        self.day = day
        self.status = status
        self.count = count
    }

    /// The status bucket of an HTTP status code: `2xx`, …, `5xx`, and `429` apart.
    public static func bucket(_ status: Int) -> String {
        let kept = statusClass(status)
        return kept == 429 ? "429" : "\(kept / 100)xx"
    }

    /// The bucket as a number — one code of the class (100, …, 500), or 429 — for counting on the
    /// request path without building a string.
    public static func statusClass(_ status: Int) -> Int {
        status == 429 ? 429 : min(max(status / 100, 1), 5) * 100
    }

    /// Days since 1970-01-01 UTC of `date`.
    public static func day(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }
}

/// What a redeemed code grants: an installation with its shares and tokens, and the audit event
/// that records it (made once the installation, new or reused, is known).
public struct CodeGrant: Sendable {
    public var candidate: Integration
    public var resources: [SharedResource]
    public var tokens: [TokenRecord]
    public var event: @Sendable (Integration) -> AuditEvent

    public init(
        candidate: Integration,
        resources: [SharedResource],
        tokens: [TokenRecord],
        event: @escaping @Sendable (Integration) -> AuditEvent
    ) {
        self.candidate = candidate
        self.resources = resources
        self.tokens = tokens
        self.event = event
    }
}

/// One code redemption waiting for its batch.
struct CodeRedemptionRequest: Sendable {
    var digest: TokenDigest
    var time: Date
    var decide: @Sendable (AuthorizationCode, _ firstUse: Bool) -> CodeGrant?
}

/// The outcome of ``Store/redeemAuthorizationCode(digest:at:decide:)``.
public struct CodeRedemption: Sendable {
    public var code: AuthorizationCode
    /// `false` when the code had been used before (a replay).
    public var firstUse: Bool
    /// The installation made or reused, when the grant was made.
    public var installation: Integration?
}

/// What the console asks of the audit log: one workspace's events, filtered, newest first.
public struct AuditQuery: Sendable {
    /// The workspace whose events (own or related) are wanted; every event when nil.
    public var workspaceID: String?
    /// Only events naming this integration (as target or `integration_id` detail).
    public var integrationID: String?
    /// Only actions starting with this.
    public var actionPrefix: String?
    public var outcome: String?
    public var since: Date?
    /// Only events older than this sequence (the cursor of the page before).
    public var before: Int64?
    public var limit: Int

    public init(
        workspaceID: String?,
        integrationID: String? = nil,
        actionPrefix: String? = nil,
        outcome: String? = nil,
        since: Date? = nil,
        before: Int64? = nil,
        limit: Int
    ) {
        self.workspaceID = workspaceID
        self.integrationID = integrationID
        self.actionPrefix = actionPrefix
        self.outcome = outcome
        self.since = since
        self.before = before
        self.limit = limit
    }
}

/// A page of events, newest first, and the cursor of the next (older) page when there is one.
public struct AuditWindow: Sendable {
    public var events: [AuditEvent]
    /// Pass as ``AuditQuery/before`` to read the older events; nil when there are none.
    public var olderCursor: Int64?

    public init(events: [AuditEvent], olderCursor: Int64?) {
        self.events = events
        self.olderCursor = olderCursor
    }
}

/// A position in the audit chain, remembered so that checks need not start from the beginning.
public struct AuditCheckpoint: Sendable, Equatable {
    public var name: String
    public var sequence: Int64
    public var hash: String
    /// Events covered (for `verified`), or 0.
    public var events: Int64
    /// HMAC over the fields under the audit key; nil when unkeyed.
    public var mac: String?
    public var updatedAt: Date

    public init(name: String, sequence: Int64, hash: String, events: Int64, mac: String? = nil, updatedAt: Date) {
        self.name = name
        self.sequence = sequence
        self.hash = hash
        self.events = events
        self.mac = mac
        self.updatedAt = updatedAt
    }

    /// Whether the MAC matches under `key` (always true without a key: nothing to check).
    public func isAuthentic(under key: AuditKey?) -> Bool {
        guard let key else { return true }
        return mac == key.checkpointMAC(name: name, sequence: sequence, hash: hash, events: events)
    }
}

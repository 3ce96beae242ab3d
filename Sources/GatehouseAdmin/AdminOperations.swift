import Foundation
import GatehouseCore
import GatehouseStore
import HummingbirdBcrypt
import NIOPosix

/// The administrative operations behind the CLI (and later the console): each validates its
/// input, generates what must be random, and writes through the store.
///
/// Secrets are generated here and returned once; only their hashes reach the store.
public struct AdminOperations: Sendable {
    public let store: any Store
    public let clock: any WallClock
    /// bcrypt cost for new passwords (12 in production; tests may lower it).
    public let bcryptCost: UInt8
    /// Told of revocations made through these operations, so this process's cache forgets them at
    /// once instead of waiting for the change feed.
    public let onRevocation: @Sendable ([StoreChange]) -> Void
    /// Who the audit log names as the actor of these operations (`cli`, `server`, …).
    public let actor: String
    /// Where the operations were asked from (the console's request), recorded with each event.
    public let origin: AuditOrigin?

    public init(
        store: any Store,
        clock: any WallClock = SystemClock(),
        bcryptCost: UInt8 = 12,
        actor: String = "cli",
        origin: AuditOrigin? = nil,
        onRevocation: @escaping @Sendable ([StoreChange]) -> Void = { _ in }
    ) {
        self.store = store
        self.clock = clock
        self.bcryptCost = bcryptCost
        self.onRevocation = onRevocation
        self.actor = actor
        self.origin = origin
    }

    // MARK: Workspaces and people

    public func createWorkspace(name: String, plan: Plan, icon: String? = nil) async throws -> Workspace {
        let workspace = Workspace(
            id: UUIDv4.string(),
            name: try Self.nonEmpty(name, "workspace name"),
            icon: icon,
            plan: plan,
            createdAt: clock.now()
        )
        let event = event(
            "workspace.created",
            target: workspace.id,
            workspaceID: workspace.id,
            details: ["name": workspace.name, "plan": plan.rawValue]
        )
        try await store.atomically { store in
            try await store.createWorkspace(workspace)
            try await store.appendEvent(event)
        }
        return workspace
    }

    public func workspace(_ id: String) async throws -> Workspace {
        guard let canonical = ResourceID.canonical(id), let workspace = try await store.workspace(id: canonical) else {
            throw AdminError(
                "no workspace with id '\(id.prefix(64))' (list them with the id printed by 'workspace create')"
            )
        }
        return workspace
    }

    /// Moves a workspace to another plan; its integrations get the new limits at once, everywhere.
    public func setPlan(_ plan: Plan, workspaceID: String) async throws -> Workspace {
        var workspace = try await workspace(workspaceID)
        let event = event(
            "workspace.plan_changed",
            target: workspace.id,
            workspaceID: workspace.id,
            details: ["plan": plan.rawValue]
        )
        let (id, now) = (workspace.id, clock.now())
        try await store.atomically { store in
            _ = try await store.setPlan(plan, workspaceID: id, at: now)
            try await store.appendEvent(event)
        }
        onRevocation([StoreChange(sequence: 0, kind: .workspaceChanged, workspaceID: workspace.id)])
        workspace.plan = plan
        return workspace
    }

    /// Creates a person; the password is hashed with bcrypt on a thread pool, off the event loops.
    public func createUser(
        workspaceID: String,
        email: String,
        name: String,
        role: Role,
        password: String
    )
        async throws -> Person
    {
        let workspace = try await workspace(workspaceID)
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard Self.looksLikeEmail(email) else { throw AdminError("'\(email.prefix(200))' is not an email address") }
        try Self.checkPasswordRules(password)
        if try await store.person(email: email) != nil {
            throw AdminError("a user with email \(email) already exists")
        }
        let hash = try await Self.bcrypt(password, cost: bcryptCost)
        let person = Person(
            id: UUIDv4.string(),
            workspaceID: workspace.id,
            name: try Self.nonEmpty(name, "user name"),
            email: email,
            role: role,
            passwordHash: hash,
            createdAt: clock.now()
        )
        let event = event(
            "user.created",
            target: person.id,
            workspaceID: workspace.id,
            details: ["email": email, "role": role.rawValue]
        )
        do {
            try await store.atomically { store in
                try await store.createPerson(person)
                try await store.appendEvent(event)
            }
        } catch let error as StoreError where error.code == .duplicate {
            throw AdminError("a user with email \(email) already exists")
        }
        return person
    }

    /// Sets the password of the person with `email` and ends every session of theirs (a reset by
    /// an operator); audited as `password.changed`.
    public func setPassword(email: String, password: String) async throws -> Person {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard let person = try await store.person(email: email) else {
            throw AdminError("no user with email '\(email.prefix(200))'")
        }
        let hash = try await Self.hashNewPassword(password, cost: bcryptCost)
        let event = event("password.changed", target: person.id, details: ["sessions_ended": "all"])
        let changed = try await store.atomically { store in
            guard try await store.setPassword(userID: person.id, hash: hash, keeping: nil) else { return false }
            try await store.appendEvent(event)
            return true
        }
        guard changed else { throw AdminError("no user with email '\(email.prefix(200))'") }
        return person
    }

    /// Removes the second factor (TOTP) of the person with `email`, for one who lost their
    /// authenticator, and ends every session of theirs; audited as `second_factor.reset`. Returns
    /// whether they had one.
    public func resetSecondFactor(email: String) async throws -> (Person, hadOne: Bool) {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard let person = try await store.person(email: email) else {
            throw AdminError("no user with email '\(email.prefix(200))'")
        }
        let event = event("second_factor.reset", target: person.id, details: ["sessions_ended": "all"])
        let hadOne = try await store.atomically { store in
            let hadOne = try await store.clearSecondFactor(userID: person.id)
            try await store.appendEvent(event)
            return hadOne
        }
        return (person, hadOne)
    }

    /// The bcrypt hash of a new password that follows the rules (8 characters to 72 bytes).
    public static func hashNewPassword(_ password: String, cost: UInt8) async throws -> String {
        try checkPasswordRules(password)
        return try await bcrypt(password, cost: cost)
    }

    /// At least 8 characters, at most 72 bytes (bcrypt ignores the rest).
    public static func checkPasswordRules(_ password: String) throws {
        guard password.count >= 8 else { throw AdminError("the password must have at least 8 characters") }
        guard password.utf8.count <= 72 else {
            throw AdminError("the password must be at most 72 bytes (a bcrypt limit)")
        }
    }

    /// Whether `password` is the person's; bcrypt runs off the event loops.
    public func verifyPassword(_ password: String, of person: Person) async throws -> Bool {
        let hash = person.passwordHash
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    public static func bcrypt(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    // MARK: Integrations and tokens

    /// A new internal integration and its first `secret_` token, returned once.
    public func createInternalIntegration(
        workspaceID: String,
        name: String,
        capabilities: Capabilities
    )
        async throws -> (Integration, token: String)
    {
        let workspace = try await workspace(workspaceID)
        let now = clock.now()
        let integration = Integration(
            id: UUIDv4.string(),
            workspaceID: workspace.id,
            name: try Self.nonEmpty(name, "integration name"),
            kind: .internal,
            capabilities: capabilities,
            botID: UUIDv4.string(),
            createdAt: now
        )
        let (token, record) = Self.issueToken(.internalKey, integrationID: integration.id, at: now)
        let event = event(
            "integration.created",
            target: integration.id,
            workspaceID: workspace.id,
            details: [
                "name": integration.name, "kind": "internal",
                "capabilities": capabilities.names(joinedBy: ","), "token_hint": record.displayHint,
            ]
        )
        try await store.atomically { store in
            try await store.createIntegration(integration, token: record)
            try await store.appendEvent(event)
        }
        return (integration, token)
    }

    /// A new public integration (an OAuth client) and its client secret, returned once (`nil`
    /// for a client registered without a secret, which must then use PKCE). `registeredFrom` is
    /// the address of a client that registered itself (RFC 7591), recorded in the audit log.
    public func createPublicIntegration(
        workspaceID: String,
        name: String,
        capabilities: Capabilities,
        redirectURIs: [String],
        expiringTokens: Bool,
        withSecret: Bool = true,
        registeredFrom: String? = nil
    ) async throws -> (Integration, clientSecret: String?) {
        let workspace = try await workspace(workspaceID)
        guard !redirectURIs.isEmpty else { throw AdminError("a public integration needs at least one --redirect-uri") }
        guard redirectURIs.count <= 20 else { throw AdminError("at most 20 redirect URIs") }
        for uri in redirectURIs {
            if let problem = RedirectURI.registrationProblem(uri) { throw AdminError("redirect URI: \(problem)") }
        }
        let now = clock.now()
        let integration = Integration(
            id: UUIDv4.string(),
            workspaceID: workspace.id,
            name: try Self.nonEmpty(name, "integration name"),
            kind: .public,
            capabilities: capabilities,
            botID: UUIDv4.string(),
            createdAt: now,
            oauthClient: OAuthClientSettings(
                clientID: UUIDv4.string(),
                redirectURIs: Array(NSOrderedSet(array: redirectURIs).array as? [String] ?? redirectURIs),
                expiringTokens: expiringTokens,
                confidential: withSecret,
                registeredFrom: registeredFrom
            )
        )
        let issued = withSecret ? Self.issueToken(.clientSecret, integrationID: integration.id, at: now) : nil
        let secretRecord = issued?.1
        var details = [
            "name": integration.name, "kind": "public",
            "capabilities": capabilities.names(joinedBy: ","),
            "redirect_uris": redirectURIs.joined(separator: " "), "expiring_tokens": expiringTokens ? "yes" : "no",
            "client_secret_hint": issued?.1.displayHint ?? "none (PKCE required)",
        ]
        if let registeredFrom { details["registered_from"] = registeredFrom }
        let event = event("integration.created", target: integration.id, workspaceID: workspace.id, details: details)
        try await store.atomically { store in
            try await store.createIntegration(integration, token: secretRecord)
            try await store.appendEvent(event)
        }
        return (integration, issued?.0)
    }

    public func integration(_ id: String) async throws -> Integration {
        guard let canonical = ResourceID.canonical(id), let integration = try await store.integration(id: canonical)
        else {
            throw AdminError.noIntegration(id)
        }
        return integration
    }

    /// Deletes an integration: its tokens fail at once, everywhere, and cannot be recovered.
    public func deleteIntegration(_ id: String) async throws {
        let integration = try await integration(id)
        let event = event(
            "integration.deleted",
            target: integration.id,
            workspaceID: integration.workspaceID,
            details: ["name": integration.name]
        )
        try await store.atomically { store in
            guard try await store.deleteIntegration(id: integration.id, at: clock.now()) else {
                throw AdminError.noIntegration(id)
            }
            try await store.appendEvent(event)
        }
        notifyChanged(integration)
    }

    /// Runs a store change on the integration `id`, reporting a concurrent deletion of it (the
    /// store's not-found) as ``AdminError/noIntegration(_:)``.
    private func changing<Result>(integration id: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as StoreError where error.code == .notFound {
            throw AdminError.noIntegration(id)
        }
    }

    public func tokens(integrationID: String) async throws -> [TokenRecord] {
        try await store.tokens(integrationID: try await integration(integrationID).id)
    }

    /// What a rotation returns: the new token (shown once) and when the old ones stop working.
    public struct Rotation: Sendable {
        public let token: String
        public let record: TokenRecord
        /// `nil` when the old tokens stay valid until revoked.
        public let oldTokensExpireAt: Date?
        public let previous: [TokenRecord]
    }

    /// Issues a new API key for an internal integration, or a new client secret for a public one.
    /// The old ones keep working until revoked, or until `grace` has passed when one is given (0
    /// ends them at once): during the grace period two are live.
    public func rotateToken(integrationID: String, grace: Duration?) async throws -> Rotation {
        let integration = try await integration(integrationID)
        let kind: TokenKind
        switch (integration.kind, integration.oauthClient) {
        case (.internal, _): kind = .internalKey
        case (.public, let client?) where client.confidential: kind = .clientSecret
        default:
            throw AdminError(
                "this integration has no API key or client secret to rotate (an OAuth installation's tokens are revoked, not rotated)"
            )
        }
        let now = clock.now()
        let (token, record) = Self.issueToken(kind, integrationID: integration.id, at: now)
        let expiry = grace.map { now.addingTimeInterval(Double($0.components.seconds)) }
        let previous = try await changing(integration: integration.id) {
            try await store.atomically { store in
                let previous = try await store.rotate(to: record, oldTokensExpireAt: expiry, at: now)
                try await store.appendEvent(
                    event(
                        kind == .clientSecret ? "client_secret.rotated" : "token.rotated",
                        target: record.id,
                        workspaceID: integration.workspaceID,
                        details: [
                            "integration_id": integration.id, "hint": record.displayHint,
                            "previous_hints": previous.map(\.displayHint).joined(separator: ","),
                            "old_tokens_expire_at": expiry.map { $0.formatted(.iso8601) } ?? "when revoked",
                        ]
                    )
                )
                return previous
            }
        }
        notifyChanged(integration)
        return Rotation(token: token, record: record, oldTokensExpireAt: expiry, previous: previous)
    }

    /// Reads a duration such as `90s`, `15m`, `24h`, `7d` or a number of seconds.
    public static func parseDuration(_ text: String) throws -> Duration {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var multiplier: Int64 = 1
        if let last = digits.last, let unit = units[last] {
            multiplier = unit
            digits = digits.dropLast()
        }
        guard let value = Int64(digits), value >= 0, value <= 3_650 * 86_400 / multiplier else {
            throw AdminError("'\(text.prefix(20))' is not a duration; use e.g. 90s, 15m, 24h or 7d")
        }
        return .seconds(value * multiplier)
    }

    /// Revokes every live token of the integration; returns those revoked.
    public func revokeTokens(integrationID: String) async throws -> [TokenRecord] {
        let live = try await tokens(integrationID: integrationID).filter { $0.revokedAt == nil }
        return try await revoke(live.map(\.id))
    }

    /// Revokes one token by id.
    public func revokeToken(id: String) async throws -> [TokenRecord] {
        guard let canonical = ResourceID.canonical(id), let token = try await store.token(id: canonical) else {
            throw AdminError("no token with id '\(id.prefix(64))'")
        }
        guard token.revokedAt == nil else {
            throw AdminError("token \(token.id) (\(token.displayHint)) is already revoked")
        }
        return try await revoke([token.id])
    }

    /// Revokes the token given in full (read from standard input, never from arguments).
    public func revokeToken(secret: String) async throws -> [TokenRecord] {
        let secret = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard TokenFormat.validate(secret) != nil, let token = try await store.token(digest: TokenDigest(of: secret))
        else {
            throw AdminError("that token is not one this store issued (checksum or lookup failed)")
        }
        guard token.revokedAt == nil else { throw AdminError("token \(token.displayHint) is already revoked") }
        return try await revoke([token.id])
    }

    private func revoke(_ ids: [String]) async throws -> [TokenRecord] {
        let now = clock.now()
        let revoked = try await store.atomically { store in
            let revoked = try await store.revokeTokens(ids: ids, at: now)
            for token in revoked {
                try await store.appendEvent(
                    event(
                        "token.revoked",
                        target: token.id,
                        details: ["integration_id": token.integrationID, "hint": token.displayHint]
                    )
                )
            }
            return revoked
        }
        onRevocation(
            revoked.map {
                StoreChange(sequence: 0, kind: .tokenRevoked, integrationID: $0.integrationID, tokenDigest: $0.digest)
            }
        )
        return revoked
    }

    // MARK: Content and sharing

    public func createDatabase(
        workspaceID: String,
        title: String,
        parentPageID: String? = nil
    ) async throws
        -> DatabaseRecord
    {
        let workspace = try await workspace(workspaceID)
        let now = clock.now()
        let database = DatabaseRecord(
            id: UUIDv4.string(),
            workspaceID: workspace.id,
            title: try Self.nonEmpty(title, "title"),
            parentPageID: parentPageID,
            createdAt: now,
            lastEditedAt: now,
            createdBy: try await store.people(workspaceID: workspace.id).first?.id
        )
        let event = event(
            "database.created",
            target: database.id,
            workspaceID: workspace.id,
            details: ["title": database.title]
        )
        try await store.atomically { store in
            try await store.createDatabase(database)
            try await store.appendEvent(event)
        }
        return database
    }

    public func createPage(
        workspaceID: String,
        title: String,
        databaseID: String?,
        createdBy: String? = nil
    )
        async throws -> PageRecord
    {
        let workspace = try await workspace(workspaceID)
        var parent = PageParent.workspace
        if let databaseID {
            guard let id = ResourceID.canonical(databaseID), let database = try await store.database(id: id),
                database.workspaceID == workspace.id
            else { throw AdminError("no database with id '\(databaseID.prefix(64))' in workspace \(workspace.id)") }
            parent = .database(database.id)
        }
        var author = createdBy ?? workspace.id
        if createdBy == nil, let firstPerson = try await store.people(workspaceID: workspace.id).first {
            author = firstPerson.id
        }
        let now = clock.now()
        let page = PageRecord(
            id: UUIDv4.string(),
            workspaceID: workspace.id,
            title: try Self.nonEmpty(title, "title"),
            parent: parent,
            createdBy: author,
            lastEditedBy: author,
            createdAt: now,
            lastEditedAt: now
        )
        let event = event("page.created", target: page.id, workspaceID: workspace.id, details: ["title": page.title])
        try await store.atomically { store in
            try await store.createPage(page)
            try await store.appendEvent(event)
        }
        return page
    }

    /// What a share names: a database or a page of the integration's own workspace.
    public enum ShareTarget: Sendable {
        case database(String)
        case page(String)
    }

    /// Shares a database or page with an integration, or withdraws the share.
    public func share(
        integrationID: String,
        target: ShareTarget,
        remove: Bool
    ) async throws -> (type: String, id: String) {
        let integration = try await integration(integrationID)
        let (type, id): (String, String)
        switch target {
        case .database(let raw):
            guard let canonical = ResourceID.canonical(raw), let database = try await store.database(id: canonical),
                database.workspaceID == integration.workspaceID
            else { throw AdminError("no database with id '\(raw.prefix(64))' in the integration's workspace") }
            (type, id) = ("database", database.id)
        case .page(let raw):
            guard let canonical = ResourceID.canonical(raw), let page = try await store.page(id: canonical),
                page.workspaceID == integration.workspaceID
            else { throw AdminError("no page with id '\(raw.prefix(64))' in the integration's workspace") }
            (type, id) = ("page", page.id)
        }
        let event = event(
            remove ? "share.removed" : "share.added",
            target: id,
            workspaceID: integration.workspaceID,
            details: ["integration_id": integration.id, "resource_type": type]
        )
        let now = clock.now()
        try await changing(integration: integration.id) {
            try await store.atomically { store in
                try await store.setShare(
                    integrationID: integration.id,
                    resourceID: id,
                    resourceType: type,
                    remove: remove,
                    at: now
                )
                try await store.appendEvent(event)
            }
        }
        notifyChanged(integration)
        return (type, id)
    }

    /// A new token of `kind` and the record that stores it (digest and hint only).
    static func issueToken(_ kind: TokenKind, integrationID: String, at time: Date) -> (String, TokenRecord) {
        let token = TokenFormat.generate(kind)
        let record = TokenRecord(
            id: UUIDv4.string(),
            integrationID: integrationID,
            kind: kind,
            digest: TokenDigest(of: token),
            displayHint: TokenFormat.displayHint(token),
            createdAt: time
        )
        return (token, record)
    }

    /// Tells this process's cache at once that an integration's tokens, capabilities or shares changed.
    private func notifyChanged(_ integration: Integration) {
        onRevocation([
            StoreChange(
                sequence: 0,
                kind: .integrationChanged,
                workspaceID: integration.workspaceID,
                integrationID: integration.id
            )
        ])
    }

    // MARK: Audit

    /// The event an operation appends, in the same transaction as its change (see
    /// ``Store/atomically(_:)``), carrying the actor and the origin of the request. With no
    /// `workspaceID` the store tags it from the actor and target.
    func event(
        _ action: String,
        target: String?,
        workspaceID: String? = nil,
        details: [String: String] = [:]
    ) -> AuditEvent {
        AuditEvent(
            time: clock.now(),
            actor: actor,
            action: action,
            target: target,
            ip: origin?.ip,
            userAgent: origin?.userAgent,
            requestID: origin?.requestID,
            details: details,
            workspaceID: workspaceID
        )
    }

    // MARK: Validation

    /// A name or title as people will read it: trimmed, not empty, at most 200 characters, and
    /// valid as a ``DisplayName`` (no controls, bidi overrides or stray combining marks; NFC).
    static func nonEmpty(_ value: String, _ what: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AdminError("the \(what) must not be empty") }
        let name: String
        do { name = try DisplayName.validate(trimmed) } catch { throw AdminError("the \(what) \(error)") }
        guard name.count <= 200 else { throw AdminError("the \(what) must be at most 200 characters") }
        return name
    }

    static func looksLikeEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && email.count <= 200 && !email.contains(where: \.isWhitespace)
    }
}

/// Where an administrative operation was asked from: the console request's address, user agent
/// and request id, recorded with its audit event.
public struct AuditOrigin: Sendable {
    public var ip: String?
    public var userAgent: String?
    public var requestID: String?

    public init(ip: String?, userAgent: String?, requestID: String?) {
        self.ip = ip
        self.userAgent = userAgent
        self.requestID = requestID
    }
}

import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOCore

/// The authorization server's operations behind the token, introspection and revocation
/// endpoints and the consent page: every rule comes from ``GrantRules`` and friends in the core,
/// every write goes through the store, every outcome to the audit log.
struct OAuthService: Sendable {
    let store: any Store
    /// The caches: bearer tokens for introspection, client secrets for client authentication;
    /// this node's own revocations are applied to them at once.
    let authenticator: Authenticator
    let lifetimes: OAuthLifetimes
    let logger: Logger

    var clock: any WallClock { authenticator.clock }

    /// Evicts revoked tokens and changed installations from this node's caches at once.
    func onRevocation(_ changes: [StoreChange]) {
        authenticator.apply(changes)
    }

    /// Where a request came from, for the audit log.
    struct Origin: Sendable {
        var address: SocketAddress?
        var userAgent: String?
        var requestID: String

        /// The client's IP address, formatted when an audit event or a throttle needs it.
        var ip: String { address?.ipAddress ?? "unknown" }

        /// The key failure throttles count the client under: its IPv4 address or its IPv6 /64.
        var throttleKey: String { IPAddress(ip)?.throttleKey ?? ip }
    }

    // MARK: Client authentication

    /// The public integration the credentials authenticate. A confidential client needs a live
    /// client secret (two are live during a rotation); a client without one sends its id only.
    func authenticateClient(_ credentials: OAuthClientCredentials) async throws -> Integration {
        let failure = OAuthError.invalidClient("Client authentication failed.")
        guard let clientID = ResourceID.canonical(credentials.clientID) else { throw failure }
        let now = clock.now()
        // A confidential client seen before: from memory (the feed evicts revoked secrets).
        let secretDigest = credentials.secret.flatMap { secret in
            TokenFormat.validate(secret) == .clientSecret ? TokenDigest(of: secret) : nil
        }
        if let secretDigest, authenticator.isCacheTrusted,
            let cached = authenticator.clients.credential(for: secretDigest),
            cached.app.oauthClient?.clientID == clientID, (cached.secretExpiresAt ?? .distantFuture) > now
        {
            return cached.app
        }
        let generation = authenticator.clients.generation
        guard let app = try await store.integration(clientID: clientID), let client = app.oauthClient else {
            throw failure
        }
        guard client.confidential else {
            // A public client proves itself through PKCE, which the code exchange enforces.
            guard credentials.secret == nil else { throw failure }
            return app
        }
        guard let secretDigest, let record = try await store.token(digest: secretDigest),
            record.integrationID == app.id, record.kind == .clientSecret, record.isActive(at: now)
        else { throw failure }
        if authenticator.isCacheTrusted {
            authenticator.clients.insert(
                AuthenticatedClient(app: app, secretExpiresAt: record.expiresAt),
                for: secretDigest,
                ifGeneration: generation
            )
        }
        return app
    }

    // MARK: Authorization codes

    /// Issues a code for an approved authorization request; only its digest is stored.
    func issueCode(
        for request: AuthorizationRequest,
        app: Integration,
        person: Person,
        resources: [SharedResource],
        origin: Origin
    ) async throws -> String {
        let now = clock.now()
        let code = TokenFormat.generate(.authorizationCode)
        let record = AuthorizationCode(
            id: UUIDv4.string(),
            digest: TokenDigest(of: code),
            appID: app.id,
            userID: person.id,
            workspaceID: person.workspaceID,
            owner: request.owner,
            redirectURI: request.requestedRedirectURI,
            codeChallenge: request.codeChallenge,
            resources: resources,
            scopes: request.scopes,
            createdAt: now,
            expiresAt: now.addingTimeInterval(lifetimes.code)
        )
        // The code and its audit event commit together. The event belongs to the person's
        // workspace (who, from where); the app's workspace sees only that it was authorized.
        let event = event(
            "oauth.authorized",
            actor: "user:\(person.id)",
            target: app.id,
            origin: origin,
            details: [
                "grant_id": record.id, "owner": request.owner.rawValue, "shared": "\(resources.count)",
                "pkce": request.codeChallenge == nil ? "no" : "S256",
                "scopes": request.scopes?.spaceSeparated ?? "(all held)",
            ],
            workspaces: (person.workspaceID, app.workspaceID)
        )
        try await store.atomically { store in
            try await store.createAuthorizationCode(record)
            try await store.appendEvent(event)
        }
        return code
    }

    // MARK: Token endpoint

    /// The `authorization_code` grant.
    func exchange(
        code: String,
        redirectURI: String?,
        codeVerifier: String?,
        app: Integration,
        origin: Origin
    ) async throws -> TokenGrant {
        let now = clock.now()
        let clientActor = "client:\(app.oauthClient?.clientID ?? app.id)"
        let expiring = app.oauthClient?.expiringTokens ?? false
        let issued = issuePair(
            expiring: expiring,
            grantID: nil,
            rotatedFrom: nil,
            grantExpiresAt: now.addingTimeInterval(lifetimes.refreshGrantMaxAge),
            at: now
        )
        let exchange = CodeExchange(
            app: app,
            redirectURI: redirectURI,
            codeVerifier: codeVerifier,
            now: now,
            installationID: UUIDv4.string(),
            botID: UUIDv4.string(),
            tokens: issued.records,
            event: event(
                "oauth.token_issued",
                actor: clientActor,
                target: nil,
                origin: origin,
                details: [
                    "grant_type": "authorization_code",
                    "hints": issued.records.map(\.displayHint).joined(separator: ","),
                ]
            )
        )
        // One transaction: the code is spent, and when the rules allow it the installation, its
        // tokens and the audit event are written with it (a crash leaves all or none).
        guard TokenFormat.validate(code) == .authorizationCode,
            let redemption = try await store.redeemAuthorizationCode(digest: TokenDigest(of: code), exchange: exchange)
        else { throw OAuthError.invalidGrant("Invalid code: this code does not exist.") }
        let record = redemption.code
        guard let installation = redemption.installation else {
            if !redemption.firstUse {
                // RFC 6749 §4.1.2: a replayed code revokes every token issued from it.
                // The grant's tokens are revoked and the replay recorded in one transaction.
                let revoked = try await store.atomically { store in
                    let revoked = try await store.revokeGrant(id: record.id, at: now)
                    try await store.appendEvent(
                        event(
                            "oauth.code_replayed",
                            actor: clientActor,
                            target: record.id,
                            outcome: "failure",
                            origin: origin,
                            details: ["revoked": "\(revoked.count)"]
                        )
                    )
                    return revoked
                }
                notifyRevoked(revoked)
            }
            throw exchange.problem(with: record, firstUse: redemption.firstUse)
                ?? OAuthError.invalidGrant("Invalid code.")
        }
        onRevocation([
            StoreChange(
                sequence: 0,
                kind: .integrationChanged,
                workspaceID: installation.workspaceID,
                integrationID: installation.id
            )
        ])
        guard let person = try await store.person(id: record.userID),
            let workspace = try await store.workspace(id: record.workspaceID)
        else { throw OAuthError.invalidGrant("Invalid code: the user who granted it no longer exists.") }
        return TokenGrant(
            access: issued.access,
            refresh: issued.refresh,
            expiresIn: expiring ? Int(lifetimes.accessToken) : nil,
            installation: installation,
            workspace: workspace,
            owner: person,
            requestedScope: record.scopes
        )
    }

    /// The `refresh_token` grant: rotation, the grace window, and reuse detection.
    ///
    /// A `scope` may only name what the grant holds (RFC 6749 §6); the grant's whole scope is
    /// issued and stated (§3.3) even for a narrower one: scopes belong to the installation, which
    /// all its tokens share.
    func refresh(refreshToken: String, scope: String?, app: Integration, origin: Origin) async throws -> TokenGrant {
        let now = clock.now()
        let invalid = OAuthError.invalidGrant("Invalid refresh token.")
        guard TokenFormat.validate(refreshToken) == .oauthRefresh,
            var record = try await store.token(digest: TokenDigest(of: refreshToken)),
            let installation = try await store.integration(id: record.integrationID)
        else { throw invalid }
        var requestedScope: Scopes?
        if let scope { requestedScope = try ScopeRequest.parse(scope, held: installation.scopes).get() }
        let clientName = "client:\(app.oauthClient?.clientID ?? app.id)"
        // At most two rounds: a lost race re-reads the token as the winner left it.
        for _ in 0..<2 {
            switch GrantRules.refreshDecision(
                record,
                installationAppID: installation.installation?.appID,
                appID: app.id,
                presentedFrom: origin.throttleKey,
                now: now,
                grace: lifetimes.refreshGrace
            ) {
            case .invalid(let error):
                throw error
            case .reuseDetected:
                var revoked: [TokenRecord] = []
                if let grantID = record.grantID { revoked = try await revokeGrant(grantID) }
                await audit(
                    "oauth.refresh_reused",
                    actor: clientName,
                    target: installation.id,
                    outcome: "failure",
                    origin: origin,
                    details: ["hint": record.displayHint, "revoked": "\(revoked.count)"]
                )
                throw OAuthError.invalidGrant("Invalid refresh token: it has been used already.")
            case .repeatSuccessor:
                guard let box = try await store.refreshSuccessor(tokenID: record.id),
                    let pair = SuccessorBox.open(box, with: refreshToken)
                else { throw OAuthError.invalidGrant("Invalid refresh token: it has been used already.") }
                let elapsed = record.usedAt.map { now.timeIntervalSince($0) } ?? 0
                return try await refreshGrant(
                    access: pair.access,
                    refresh: pair.refresh,
                    expiresIn: Int(lifetimes.accessToken - elapsed),
                    installation: installation,
                    requestedScope: requestedScope
                )
            case .rotate:
                // A grant from before lifetimes were recorded starts its clock at its next refresh.
                let issued = issuePair(
                    expiring: true,
                    grantID: record.grantID,
                    rotatedFrom: record.id,
                    grantExpiresAt: record.grantExpiresAt ?? now.addingTimeInterval(lifetimes.refreshGrantMaxAge),
                    at: now
                )
                let box = try SuccessorBox.seal(access: issued.access, refresh: issued.refresh, with: refreshToken)
                let successors = issued.records.map { token -> TokenRecord in
                    var token = token
                    token.integrationID = installation.id
                    return token
                }
                switch try await store.rotateRefreshToken(
                    id: record.id,
                    successors: successors,
                    sealedSuccessor: box,
                    usedFrom: origin.throttleKey,
                    at: now
                ) {
                case .rotated:
                    await audit(
                        "oauth.token_refreshed",
                        actor: clientName,
                        target: installation.id,
                        origin: origin,
                        details: [
                            "previous": record.displayHint,
                            "hints": successors.map(\.displayHint).joined(separator: ","),
                        ]
                    )
                    return try await refreshGrant(
                        access: issued.access,
                        refresh: issued.refresh,
                        expiresIn: Int(lifetimes.accessToken),
                        installation: installation,
                        requestedScope: requestedScope
                    )
                case .lost(let current):
                    record = current
                }
            }
        }
        throw invalid
    }

    // MARK: Introspection and revocation

    /// RFC 7662: whether `token` is live and what it may do; only for tokens of this client.
    ///
    /// Bearer tokens are answered from the authentication cache, as the API would authenticate
    /// them (so the answer is the API's, and costs no store access once the token is known);
    /// refresh tokens, which the API never sees, from the store.
    func introspect(token: String, app: Integration) async throws -> Introspection? {
        let inactive: Introspection? = nil
        guard let kind = TokenFormat.validate(token), [.oauthBot, .oauthAccess, .oauthRefresh].contains(kind) else {
            return inactive
        }
        let clientID = app.oauthClient?.clientID ?? ""
        guard kind == .oauthRefresh else {
            let principal: Principal
            do {
                principal = try await authenticator.authenticateExplaining(token: Substring(token))
            } catch {
                if error.reason == .storeUnavailable { throw StoreError(.unavailable, "the store is unavailable") }
                return inactive
            }
            guard principal.installedFrom == app.id else { return inactive }
            var subject: String?
            if case .user(let id, _, _) = principal.owner { subject = id }
            return Introspection(
                kind: kind,
                scope: ScopeRequest.introspectionValue(capabilities: principal.capabilities, scopes: principal.scopes),
                issuedAt: principal.issuedAt,
                expiresAt: principal.expiresAt,
                clientID: clientID,
                botID: principal.botID,
                workspaceID: principal.workspaceID,
                subject: subject
            )
        }
        guard let record = try await store.token(digest: TokenDigest(of: token)),
            record.isActive(at: clock.now()), record.usedAt == nil,
            let installation = try await store.integration(id: record.integrationID),
            let origin = installation.installation, origin.appID == app.id
        else { return inactive }
        return Introspection(
            kind: kind,
            scope: ScopeRequest.introspectionValue(
                capabilities: installation.capabilities,
                scopes: installation.scopes
            ),
            issuedAt: record.createdAt,
            expiresAt: record.expiresAt,
            clientID: clientID,
            botID: installation.botID,
            workspaceID: installation.workspaceID,
            subject: origin.owner == .user ? origin.ownerUserID : nil
        )
    }

    /// RFC 7009: revokes `token` if it is this client's (a refresh token takes its whole grant
    /// with it); answers the same whether or not it was.
    func revoke(token: String, app: Integration, origin: Origin) async throws {
        guard let kind = TokenFormat.validate(token), [.oauthBot, .oauthAccess, .oauthRefresh].contains(kind),
            let record = try await store.token(digest: TokenDigest(of: token)),
            let installation = try await store.integration(id: record.integrationID),
            installation.installation?.appID == app.id
        else { return }
        let now = clock.now()
        let actor = "client:\(app.oauthClient?.clientID ?? app.id)"
        let revoked = try await store.atomically { store in
            let revoked =
                kind == .oauthRefresh && record.grantID != nil
                ? try await store.revokeGrant(id: record.grantID ?? "", at: now)
                : try await store.revokeTokens(ids: [record.id], at: now)
            try await store.appendEvent(
                event(
                    "oauth.token_revoked",
                    actor: actor,
                    target: installation.id,
                    origin: origin,
                    details: ["hint": record.displayHint, "revoked": "\(revoked.count)"],
                    workspaces: (app.workspaceID, installation.workspaceID)
                )
            )
            return revoked
        }
        notifyRevoked(revoked)
    }

    // MARK: Helpers

    private struct IssuedPair {
        var access: String
        var refresh: String?
        var records: [TokenRecord]
    }

    /// A `bot_` token, or a `nap_` access token with an `nrt_` refresh token, for `grantID`
    /// (their integration is filled in by the store or the caller).
    /// A refresh token expires after `refreshTokenIdle` unused, and never after `grantExpiresAt`.
    private func issuePair(
        expiring: Bool,
        grantID: String?,
        rotatedFrom: String?,
        grantExpiresAt: Date,
        at now: Date
    ) -> IssuedPair {
        func make(_ kind: TokenKind, lifetime: TimeInterval?) -> (String, TokenRecord) {
            let token = TokenFormat.generate(kind)
            let record = TokenRecord(
                id: UUIDv4.string(),
                integrationID: "",
                kind: kind,
                digest: TokenDigest(of: token),
                displayHint: TokenFormat.displayHint(token),
                createdAt: now,
                expiresAt: lifetime.map { now.addingTimeInterval($0) },
                rotatedFromID: rotatedFrom,
                grantID: grantID,
                grantExpiresAt: kind == .oauthRefresh ? grantExpiresAt : nil
            )
            return (token, record)
        }
        guard expiring else {
            let (bot, record) = make(.oauthBot, lifetime: nil)
            return IssuedPair(access: bot, refresh: nil, records: [record])
        }
        let (access, accessRecord) = make(.oauthAccess, lifetime: lifetimes.accessToken)
        let (refresh, refreshRecord) = make(
            .oauthRefresh,
            lifetime: min(lifetimes.refreshTokenIdle, grantExpiresAt.timeIntervalSince(now))
        )
        return IssuedPair(access: access, refresh: refresh, records: [accessRecord, refreshRecord])
    }

    /// A refresh's grant, with the workspace and owner it acts for as they are now.
    private func refreshGrant(
        access: String,
        refresh: String?,
        expiresIn: Int,
        installation: Integration,
        requestedScope: Scopes?
    ) async throws -> TokenGrant {
        guard let workspace = try await store.workspace(id: installation.workspaceID) else {
            throw OAuthError.invalidGrant("Invalid refresh token.")
        }
        var owner: Person?
        if let ownerID = installation.installation?.ownerUserID { owner = try await store.person(id: ownerID) }
        return TokenGrant(
            access: access,
            refresh: refresh,
            expiresIn: max(expiresIn, 0),
            installation: installation,
            workspace: workspace,
            owner: owner,
            requestedScope: requestedScope
        )
    }

    private func revokeGrant(_ grantID: String) async throws -> [TokenRecord] {
        let revoked = try await store.revokeGrant(id: grantID, at: clock.now())
        notifyRevoked(revoked)
        return revoked
    }

    private func notifyRevoked(_ revoked: [TokenRecord]) {
        onRevocation(
            revoked.map {
                StoreChange(sequence: 0, kind: .tokenRevoked, integrationID: $0.integrationID, tokenDigest: $0.digest)
            }
        )
    }

    /// The failed authentications that are counted per address and minute rather than listed
    /// one by one (``Store/appendFailure(_:period:)``), so that unauthenticated noise cannot grow
    /// the audit log without bound.
    static let aggregatedFailures: Set<String> = ["auth.failed", "signin.failed", "oauth.client_auth_failed"]

    /// An event of this service, at the clock's time, carrying the request's origin.
    func event(
        _ action: String,
        actor: String,
        target: String?,
        outcome: String = "success",
        origin: Origin,
        details: [String: String] = [:],
        workspaces: (own: String, related: String)? = nil
    ) -> AuditEvent {
        AuditEvent(
            time: clock.now(),
            actor: actor,
            action: action,
            target: target,
            outcome: outcome,
            ip: origin.ip,
            userAgent: origin.userAgent,
            requestID: origin.requestID,
            details: details,
            workspaceID: workspaces?.own,
            relatedWorkspaceID: workspaces.flatMap { $0.related == $0.own ? nil : $0.related }
        )
    }

    /// Appends an event that accompanies no change of its own (a failure, a refusal); a failure
    /// to append is logged, not passed to the client.
    func audit(
        _ action: String,
        actor: String,
        target: String?,
        outcome: String = "success",
        origin: Origin,
        details: [String: String] = [:]
    ) async {
        let event = event(action, actor: actor, target: target, outcome: outcome, origin: origin, details: details)
        do {
            if Self.aggregatedFailures.contains(action) {
                try await store.appendFailure(event, period: .seconds(60))
            } else {
                try await store.appendEvent(event)
            }
        } catch {
            logger.warning("cannot record an event in the audit log", metadata: ["action": "\(action)"])
        }
    }
}

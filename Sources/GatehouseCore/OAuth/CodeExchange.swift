import Foundation

/// A token request for the `authorization_code` grant, as plain data: what the client presented
/// (checked against the code by ``GrantRules/codeProblem(_:firstUse:appID:redirectURI:codeVerifier:now:)``)
/// and what a valid code grants — the installation, its tokens and the audit event.
///
/// The store redeems a code with it inside one transaction, calling only these pure rules: the
/// service that made it is not called back.
public struct CodeExchange: Sendable {
    /// The public integration (OAuth client) that presents the code.
    public var app: Integration
    public var redirectURI: String?
    public var codeVerifier: String?
    public var now: Date
    /// The id and bot id of the installation, used when the grant creates it.
    public var installationID: String
    public var botID: String
    /// The tokens to issue (their integration is set by the store, their grant to the code's id).
    public var tokens: [TokenRecord]
    /// The event recording the grant: its target, grant id and workspaces are filled in by
    /// ``event(for:installation:)``.
    public var event: AuditEvent

    public init(
        app: Integration,
        redirectURI: String?,
        codeVerifier: String?,
        now: Date,
        installationID: String,
        botID: String,
        tokens: [TokenRecord],
        event: AuditEvent
    ) {
        self.app = app
        self.redirectURI = redirectURI
        self.codeVerifier = codeVerifier
        self.now = now
        self.installationID = installationID
        self.botID = botID
        self.tokens = tokens
        self.event = event
    }

    /// Why `code` may not be exchanged by this request, or `nil` when it may.
    public func problem(with code: AuthorizationCode, firstUse: Bool) -> OAuthError? {
        GrantRules.codeProblem(
            code,
            firstUse: firstUse,
            appID: app.id,
            redirectURI: redirectURI,
            codeVerifier: codeVerifier,
            now: now
        )
    }

    /// The installation to create if the workspace has none of this app's for this owner (the
    /// store reuses an existing one), with the requested scopes the app still holds.
    public func candidate(for code: AuthorizationCode) -> Integration {
        Integration(
            id: installationID,
            workspaceID: code.workspaceID,
            name: app.name,
            kind: .public,
            capabilities: app.capabilities,
            botID: botID,
            createdAt: now,
            installation: Installation(appID: app.id, ownerUserID: code.userID, owner: code.owner),
            scopes: ScopeRequest.granted(requested: code.scopes, held: app.scopes)
        )
    }

    /// The tokens to issue, bound to the code's grant.
    public func tokens(for code: AuthorizationCode) -> [TokenRecord] {
        tokens.map { token in
            var token = token
            token.grantID = code.id
            return token
        }
    }

    /// The grant's audit event, once the installation (new or reused) is known.
    public func event(for code: AuthorizationCode, installation: Integration) -> AuditEvent {
        var event = self.event
        event.target = installation.id
        event.details["grant_id"] = code.id
        event.workspaceID = app.workspaceID
        event.relatedWorkspaceID = installation.workspaceID == app.workspaceID ? nil : installation.workspaceID
        return event
    }
}

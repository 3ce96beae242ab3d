import Foundation
import GatehouseCore

/// The OAuth endpoints' response bodies.
enum OAuthJSON {
    /// The token response with every field of Notion's, plus `expires_in` for expiring tokens,
    /// and `scope` (capabilities, then deployment scopes) when the request named one or the grant
    /// holds deployment scopes (RFC 6749 §5.1).
    static func tokenResponse(_ grant: TokenGrant, app: Integration) -> JSONValue {
        let installation = grant.installation
        let owner: BotOwner =
            if installation.installation?.owner == .user, let person = grant.owner {
                .user(id: person.id, name: person.name, email: person.email)
            } else {
                .workspace
            }
        var members: [(String, JSONValue)] = [
            ("access_token", .string(grant.access)),
            ("token_type", "bearer"),
            ("refresh_token", grant.refresh.map(JSONValue.string) ?? .null),
        ]
        if let expiresIn = grant.expiresIn { members.append(("expires_in", .number(Double(expiresIn)))) }
        if let scope = ScopeRequest.tokenResponseValue(
            requested: grant.requestedScope,
            capabilities: installation.capabilities,
            scopes: installation.scopes
        ) {
            members.append(("scope", .string(scope)))
        }
        members += [
            ("bot_id", .string(installation.botID)),
            ("workspace_id", .string(grant.workspace.id)),
            ("workspace_name", .string(grant.workspace.name)),
            ("workspace_icon", grant.workspace.icon.map(JSONValue.string) ?? .null),
            ("owner", NotionObjects.owner(owner, userInfo: app.capabilities.userInfo)),
            ("duplicated_template_id", .null),
        ]
        return .object(members)
    }

    /// RFC 7662 §2.2, with Notion's bot and workspace; `{"active": false}` for anything else.
    static func introspection(_ introspection: Introspection?) -> JSONValue {
        guard let introspection else { return ["active": false] }
        var members: [(String, JSONValue)] = [
            ("active", true),
            ("scope", .string(introspection.scope)),
            ("iat", .number(Double(Int(introspection.issuedAt.timeIntervalSince1970)))),
        ]
        if let expiresAt = introspection.expiresAt {
            members.append(("exp", .number(Double(Int(expiresAt.timeIntervalSince1970)))))
        }
        members += [
            ("client_id", .string(introspection.clientID)),
            ("token_type", introspection.kind == .oauthRefresh ? "refresh_token" : "bearer"),
            ("bot_id", .string(introspection.botID)),
            ("workspace_id", .string(introspection.workspaceID)),
        ]
        if let subject = introspection.subject { members.append(("sub", .string(subject))) }
        return .object(members)
    }
}

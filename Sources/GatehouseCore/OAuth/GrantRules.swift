import Foundation

/// The token endpoint's rules for authorization codes and refresh tokens, decided without I/O.
public enum GrantRules {
    /// Why a code may not be exchanged by this request, or `nil` when it may.
    ///
    /// `firstUse` is whether this request is the one that marked the code used; a second use is a
    /// replay, and the caller revokes what the code issued (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
    public static func codeProblem(
        _ code: AuthorizationCode,
        firstUse: Bool,
        appID: String,
        redirectURI: String?,
        codeVerifier: String?,
        now: Date
    ) -> OAuthError? {
        guard firstUse else { return .invalidGrant("Invalid code: this code has been used already.") }
        guard code.expiresAt > now else { return .invalidGrant("Invalid code: this code has expired.") }
        guard code.appID == appID else { return .invalidGrant("Invalid code: this code was issued to another client.") }
        if let bound = code.redirectURI {
            guard redirectURI == bound else {
                return .invalidGrant(
                    "redirect_uri should be the one sent to the authorization endpoint, and was \(redirectURI == nil ? "missing" : "different")."
                )
            }
        }
        switch (code.codeChallenge, codeVerifier) {
        case (let challenge?, let verifier?):
            guard PKCE.verify(verifier: verifier, challenge: challenge) else {
                return .invalidGrant("code_verifier does not match the code_challenge.")
            }
        case (.some, nil):
            return .invalidGrant("code_verifier is required: the authorization request sent a code_challenge.")
        case (nil, .some):
            // RFC 9700 §4.8.2: a verifier without a challenge is a PKCE downgrade attempt.
            return .invalidGrant("code_verifier was sent, but the authorization request had no code_challenge.")
        case (nil, nil):
            break
        }
        return nil
    }

    /// What to do with a presented refresh token.
    public enum RefreshDecision: Sendable, Equatable {
        /// Unused and live: issue a successor pair and mark this one used.
        case rotate
        /// Used moments ago (within the grace window) by the same client address: answer with the
        /// same successor pair.
        case repeatSuccessor
        /// Used before the grace window, or within it from another address: a stolen token is
        /// being replayed; revoke the family.
        case reuseDetected
        /// Revoked, expired, another client's, or not a refresh token.
        case invalid(OAuthError)
    }

    public static func refreshDecision(
        _ token: TokenRecord,
        installationAppID: String?,
        appID: String,
        presentedFrom: String?,
        now: Date,
        grace: TimeInterval
    ) -> RefreshDecision {
        guard token.kind == .oauthRefresh, installationAppID == appID else {
            return .invalid(.invalidGrant("Invalid refresh token."))
        }
        if token.revokedAt != nil { return .invalid(.invalidGrant("Invalid refresh token: it has been revoked.")) }
        if let usedAt = token.usedAt {
            let retry = now.timeIntervalSince(usedAt) <= grace && token.usedFrom == presentedFrom
            return retry ? .repeatSuccessor : .reuseDetected
        }
        if let grantEnd = token.grantExpiresAt, grantEnd <= now {
            return .invalid(
                .invalidGrant("Invalid refresh token: the grant has reached its maximum lifetime; authorize again.")
            )
        }
        if let expiresAt = token.expiresAt, expiresAt <= now {
            return .invalid(.invalidGrant("Invalid refresh token: it has expired."))
        }
        return .rotate
    }
}

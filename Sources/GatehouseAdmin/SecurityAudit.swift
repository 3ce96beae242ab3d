import Foundation
import GatehouseCore
import GatehouseStore

/// The seed's "Security Audit Checklist", evaluated against one deployment.
///
/// ``gather(store:databaseURLFromArguments:scanFindings:now:)`` collects facts (store, settings,
/// a scan); ``evaluate(_:)`` turns them into results without I/O, so each rule is testable alone.
public enum SecurityAudit {
    /// PASS, WARN or FAIL, or MANUAL for what software cannot check.
    public enum Status: String, Sendable {
        case pass = "PASS"
        case warn = "WARN"
        case fail = "FAIL"
        case manual = "MANUAL"
    }

    /// The checklist's items, in the seed's order; the raw value is the stable identifier that
    /// programs match on (`gatehouse audit --json` prints it as `id`), the title is the seed's.
    public enum Item: String, Sendable, CaseIterable {
        case environmentSecrets = "environment-secrets"
        case noTokensInCode = "no-tokens-in-code"
        case rotationSchedule = "rotation-schedule"
        case leastPrivilege = "least-privilege"
        case necessarySharesOnly = "necessary-shares-only"
        case auditLogging = "audit-logging"
        case accessMonitoring = "access-monitoring"
        case incidentResponse = "incident-response"
        case teamTraining = "team-training"
        case secretsVault = "secrets-vault"

        /// The item as the seed's checklist words it.
        public var title: String {
            switch self {
            case .environmentSecrets: "Token stored in environment variables"
            case .noTokensInCode: "No tokens in code/logs"
            case .rotationSchedule: "Token rotation schedule established"
            case .leastPrivilege: "Integration permissions minimal (least privilege)"
            case .necessarySharesOnly: "Only necessary databases shared"
            case .auditLogging: "Audit logging enabled"
            case .accessMonitoring: "Access monitoring in place"
            case .incidentResponse: "Incident response plan ready"
            case .teamTraining: "Team trained on security"
            case .secretsVault: "Secrets vault configured"
            }
        }
    }

    /// One checklist item's verdict, with why and what to do.
    public struct Result: Sendable, Equatable {
        public let id: Item
        public let status: Status
        public let reason: String
        public let fix: String

        /// The seed's title of the item.
        public var item: String { id.title }

        public init(_ id: Item, status: Status, reason: String, fix: String) {
            self.id = id
            self.status = status
            self.reason = reason
            self.fix = fix
        }
    }

    /// What the checks look at.
    public struct Facts: Sendable {
        /// The store URL was given as a command-line argument and carries a password.
        public var passwordInArguments: Bool
        /// Confirmed tokens found by scanning the working tree: (file:line, live?).
        public var tokensInFiles: [(place: String, live: Bool)]
        /// Active tokens older than the rotation policy: (integration name, token hint, age in days).
        public var staleTokens: [(integration: String, hint: String, days: Int)]
        /// Integrations whose tokens have not been used for 30 days, with their share counts.
        public var idleIntegrations: [(name: String, shares: Int)]
        /// Integrations holding every capability, user emails included.
        public var broadIntegrations: [String]
        public var auditEvents: Int
        public var auditChain: AuditChain.Verdict
        public var tokensWithUsage: Int
        public var rotationPolicyDays: Int
        /// The facts are one workspace's (the console), not the deployment's.
        public var workspaceScoped = false
        /// The incremental chain check has newer events left for its next run.
        public var auditPending = false

        public init(
            passwordInArguments: Bool = false,
            tokensInFiles: [(place: String, live: Bool)] = [],
            staleTokens: [(integration: String, hint: String, days: Int)] = [],
            idleIntegrations: [(name: String, shares: Int)] = [],
            broadIntegrations: [String] = [],
            auditEvents: Int = 0,
            auditChain: AuditChain.Verdict = .intact(events: 0),
            tokensWithUsage: Int = 0,
            rotationPolicyDays: Int = 30
        ) {
            self.passwordInArguments = passwordInArguments
            self.tokensInFiles = tokensInFiles
            self.staleTokens = staleTokens
            self.idleIntegrations = idleIntegrations
            self.broadIntegrations = broadIntegrations
            self.auditEvents = auditEvents
            self.auditChain = auditChain
            self.tokensWithUsage = tokensWithUsage
            self.rotationPolicyDays = rotationPolicyDays
        }
    }

    /// Reads the facts of the whole deployment from a store (tokens, integrations, shares, the
    /// whole audit chain): the CLI's `gatehouse audit`.
    public static func gather(
        store: any Store,
        passwordInArguments: Bool,
        tokensInFiles: [(place: String, live: Bool)],
        now: Date,
        rotationPolicyDays: Int = 30,
        anchors: [AuditCheckpoint] = []
    ) async throws -> Facts {
        var facts = Facts(
            passwordInArguments: passwordInArguments,
            tokensInFiles: tokensInFiles,
            rotationPolicyDays: rotationPolicyDays
        )
        for workspace in try await store.workspaces() {
            try await gatherIntegrations(of: workspace, store: store, now: now, into: &facts)
        }
        let verification = try await store.verifyAuditLog(anchors: anchors)
        facts.auditChain = verification.verdict
        if case .intact(let events) = verification.verdict { facts.auditEvents = events }
        return facts
    }

    /// Reads the facts of one workspace only: its integrations and tokens, its own audit events,
    /// and the chain checked incrementally from the stored checkpoint (bounded work; never the
    /// whole table): the console's security page, which must show nothing of another tenant.
    public static func gather(
        workspace: Workspace,
        store: any Store,
        now: Date,
        rotationPolicyDays: Int = 30
    ) async throws -> Facts {
        var facts = Facts(rotationPolicyDays: rotationPolicyDays)
        facts.workspaceScoped = true
        try await gatherIntegrations(of: workspace, store: store, now: now, into: &facts)
        let verification = try await store.verifyAuditIncrementally(now: now)
        facts.auditChain = verification.verdict
        facts.auditPending = verification.pending
        facts.auditEvents = try await store.eventCount(workspaceID: workspace.id)
        return facts
    }

    private static func gatherIntegrations(
        of workspace: Workspace,
        store: any Store,
        now: Date,
        into facts: inout Facts
    ) async throws {
        let idleSince = now.addingTimeInterval(-30 * 86_400)
        for integration in try await store.integrations(workspaceID: workspace.id) {
            let tokens = try await store.tokens(integrationID: integration.id).filter { $0.isActive(at: now) }
            for token in tokens {
                let days = Int(now.timeIntervalSince(token.createdAt) / 86_400)
                if days >= facts.rotationPolicyDays {
                    facts.staleTokens.append((integration.name, token.displayHint, days))
                }
            }
            facts.tokensWithUsage += tokens.filter { $0.lastUsedAt != nil }.count
            let lastUse = tokens.compactMap(\.lastUsedAt).max()
            if !tokens.isEmpty, integration.createdAt < idleSince, (lastUse ?? .distantPast) < idleSince {
                facts.idleIntegrations.append(
                    (integration.name, try await store.shares(integrationID: integration.id).count)
                )
            }
            if integration.capabilities == .all { facts.broadIntegrations.append(integration.name) }
        }
    }

    /// The checklist, item by item, in the seed's order.
    public static func evaluate(_ facts: Facts) -> [Result] {
        var results: [Result] = []
        results.append(
            facts.passwordInArguments
                ? Result(
                    .environmentSecrets,
                    status: .fail,
                    reason:
                        "the store URL with its password was given on the command line, where other users can read it",
                    fix: "set GATEHOUSE_DATABASE_URL in the environment or in .env (mode 600) instead of --database-url"
                )
                : Result(
                    .environmentSecrets,
                    status: .pass,
                    reason:
                        "server secrets come from the environment or .env; tokens are stored as SHA-256 hashes only",
                    fix: "-"
                )
        )
        let live = facts.tokensInFiles.filter(\.live)
        results.append(
            !live.isEmpty
                ? Result(
                    .noTokensInCode,
                    status: .fail,
                    reason: "live tokens in files: \(live.map(\.place).joined(separator: ", "))",
                    fix: "gatehouse scan PATH --revoke, then remove them from the files and their history"
                )
                : !facts.tokensInFiles.isEmpty
                    ? Result(
                        .noTokensInCode,
                        status: .warn,
                        reason:
                            "revoked tokens still in files: \(facts.tokensInFiles.map(\.place).joined(separator: ", "))",
                        fix: "remove them from the files"
                    )
                    : Result(
                        .noTokensInCode,
                        status: .pass,
                        reason: "no token found in the scanned files; logs are redacted at the logging layer",
                        fix: "-"
                    )
        )
        results.append(
            facts.staleTokens.isEmpty
                ? Result(
                    .rotationSchedule,
                    status: .pass,
                    reason: "no active token is older than \(facts.rotationPolicyDays) days",
                    fix: "-"
                )
                : Result(
                    .rotationSchedule,
                    status: .warn,
                    reason: "older than \(facts.rotationPolicyDays) days: "
                        + facts.staleTokens.map { "\($0.integration) \($0.hint) (\($0.days) d)" }.joined(
                            separator: ", "
                        ),
                    fix: "gatehouse token rotate --integration I --grace 7d"
                )
        )
        results.append(
            facts.broadIntegrations.isEmpty
                ? Result(
                    .leastPrivilege,
                    status: .pass,
                    reason: "no integration holds every capability",
                    fix: "-"
                )
                : Result(
                    .leastPrivilege,
                    status: .warn,
                    reason:
                        "every capability, user emails included: \(facts.broadIntegrations.joined(separator: ", "))",
                    fix: "create the integration with only the --capabilities it uses"
                )
        )
        let sharedIdle = facts.idleIntegrations.filter { $0.shares > 0 }
        results.append(
            sharedIdle.isEmpty
                ? Result(
                    .necessarySharesOnly,
                    status: .pass,
                    reason: "no integration unused for 30 days still holds shares",
                    fix: "-"
                )
                : Result(
                    .necessarySharesOnly,
                    status: .warn,
                    reason: "unused for 30 days but still shared with: "
                        + sharedIdle.map { "\($0.name) (\($0.shares))" }.joined(separator: ", "),
                    fix: "gatehouse share --integration I --database D --remove, or delete the integration"
                )
        )
        switch facts.auditChain {
        case .broken(let sequence, let reason):
            results.append(
                Result(
                    .auditLogging,
                    status: .fail,
                    reason: "the audit log is broken at event \(sequence): \(reason)",
                    fix: "investigate: restore the store from a backup; compare with your JSON-lines exports"
                )
            )
        case .intact:
            results.append(
                Result(
                    .auditLogging,
                    status: .pass,
                    reason: facts.workspaceScoped
                        ? "\(facts.auditEvents) events of this workspace recorded; the hash chain is intact"
                            + (facts.auditPending
                                ? " as far as checked (newer events are checked on the next visit)" : "")
                        : "\(facts.auditEvents) events recorded; the hash chain is intact",
                    fix: "-"
                )
            )
        }
        results.append(
            Result(
                .accessMonitoring,
                status: .warn,
                reason:
                    "last use and request counts are recorded per token (\(facts.tokensWithUsage) tokens used so far) and /metrics serves request, refusal and authentication counters; whether anyone watches them cannot be checked",
                fix: "scrape /metrics and alert on refusals; review gatehouse token list and gatehouse events regularly"
            )
        )
        for (item, fix) in [
            (Item.incidentResponse, "write down who revokes what, and rehearse `gatehouse token revoke`"),
            (.teamTraining, "train the team on the seed's Token Security practices"),
            (
                .secretsVault,
                "keep GATEHOUSE_DATABASE_URL in your secrets manager and inject it as an environment variable"
            ),
        ] {
            results.append(Result(item, status: .manual, reason: "cannot be checked by software", fix: fix))
        }
        return results
    }
}

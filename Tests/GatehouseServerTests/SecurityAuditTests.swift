import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import Testing

@Suite struct SecurityAuditTests {
    func status(_ item: String, _ facts: SecurityAudit.Facts) -> SecurityAudit.Status? {
        SecurityAudit.evaluate(facts).first { $0.item == item }?.status
    }

    @Test func aCleanDeploymentHasNoFailureAndListsTheManualItems() {
        let results = SecurityAudit.evaluate(SecurityAudit.Facts())
        #expect(results.count == 10)
        #expect(!results.contains { $0.status == .fail })
        #expect(
            results.filter { $0.status == .manual }.map(\.item) == [
                "Incident response plan ready", "Team trained on security", "Secrets vault configured",
            ]
        )
        #expect(results.allSatisfy { !$0.reason.isEmpty && !$0.fix.isEmpty })
    }

    @Test func eachRuleReactsToItsFacts() {
        #expect(status("Token stored in environment variables", .init(passwordInArguments: true)) == .fail)
        #expect(status("No tokens in code/logs", .init(tokensInFiles: [("a.py:3", true)])) == .fail)
        #expect(status("No tokens in code/logs", .init(tokensInFiles: [("a.py:3", false)])) == .warn)
        #expect(
            status("Token rotation schedule established", .init(staleTokens: [("Bot", "secret_…abcd", 45)])) == .warn
        )
        #expect(status("Integration permissions minimal (least privilege)", .init(broadIntegrations: ["Bot"])) == .warn)
        #expect(status("Only necessary databases shared", .init(idleIntegrations: [("Bot", 2)])) == .warn)
        #expect(status("Only necessary databases shared", .init(idleIntegrations: [("Bot", 0)])) == .pass)
        #expect(status("Audit logging enabled", .init(auditChain: .broken(sequence: 4, reason: "edited"))) == .fail)
    }

    @Test func factsAreReadFromTheStore() async throws {
        let world = try await TestWorld.make()
        let old = Date().addingTimeInterval(-45 * 86_400)
        let integration = Integration(
            id: UUID().uuidString.lowercased(),
            workspaceID: world.workspace.id,
            name: "Forgotten",
            kind: .internal,
            capabilities: try Capabilities(names: ["read_content"]),
            botID: UUID().uuidString.lowercased(),
            createdAt: old
        )
        let token = TokenFormat.generate(.internalKey)
        try await world.store.createIntegration(
            integration,
            token: TokenRecord(
                id: UUID().uuidString.lowercased(),
                integrationID: integration.id,
                kind: .internalKey,
                digest: TokenDigest(of: token),
                displayHint: TokenFormat.displayHint(token),
                createdAt: old
            )
        )
        try await world.store.setShare(
            integrationID: integration.id,
            resourceID: world.sharedDatabase.id,
            resourceType: "database",
            remove: false,
            at: old
        )
        let facts = try await SecurityAudit.gather(
            store: world.store,
            passwordInArguments: false,
            tokensInFiles: [],
            now: Date()
        )
        await world.store.shutdown()
        #expect(facts.staleTokens.map(\.integration) == ["Forgotten"])
        #expect(facts.staleTokens.first?.days == 45)
        #expect(facts.idleIntegrations.map(\.name) == ["Forgotten"])
        #expect(facts.idleIntegrations.first?.shares == 1)
        #expect(facts.broadIntegrations == ["Robot"])
        #expect(facts.auditEvents > 0)
        #expect(facts.auditChain == .intact(events: facts.auditEvents))
    }

    @Test func everyItemHasAStableIdentifierInTheSeedsOrder() {
        let results = SecurityAudit.evaluate(SecurityAudit.Facts())
        #expect(results.map(\.id) == SecurityAudit.Item.allCases)
        #expect(results.first?.id.rawValue == "environment-secrets")
        #expect(results.first { $0.id == .accessMonitoring }?.reason.contains("/metrics") == true)
    }
}

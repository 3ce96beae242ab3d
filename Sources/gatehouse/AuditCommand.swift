import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore

/// `gatehouse audit [--scan PATH] [--json]`: the seed's Security Audit Checklist, PASS/WARN/FAIL/MANUAL
/// per item with a reason and a fix; exit 1 when an item fails.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Evaluate the seed's Security Audit Checklist against this deployment."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Directory scanned for tokens in files (default: the working directory).") var scan = "."
    @Option(
        name: .customLong("rotation-days"),
        help: "The rotation policy: API keys older than this are flagged (env GATEHOUSE_ROTATION_DAYS; default 30)."
    )
    var rotationDays: Int?

    func run() async throws {
        let settings = Settings()
        let policy = rotationDays ?? settings["GATEHOUSE_ROTATION_DAYS"].flatMap { Int($0) } ?? 30
        guard policy > 0 else { throw CLIError("the rotation policy must be at least one day") }
        let passwordInArguments =
            global.databaseURL.map {
                (try? DatabaseURL(parsing: $0)).map { url in
                    if case .postgres(let address) = url { return address.password?.isEmpty == false }
                    return false
                } ?? false
            } ?? false
        var found: [(String, TokenScanner.Finding)] = []
        for file in ScanCommand.files(under: scan) {
            guard let data = FileManager.default.contents(atPath: file), data.count <= ScanCommand.maximumFileSize,
                !data.contains(0)
            else { continue }
            for finding in TokenScanner.findings(in: String(decoding: data, as: UTF8.self)) {
                found.append((file, finding))
            }
        }
        // Checkpoints exported off the store, so that a truncated log fails the audit item.
        let anchorPath = global.resolvedAuditAnchorFile(settings, url: try global.resolvedDatabaseURL(settings))
        let anchors = anchorPath.map { (try? AuditAnchorFile(path: $0).read()) ?? [] } ?? []
        let results = try await global.withAdmin { admin in
            var tokensInFiles: [(place: String, live: Bool)] = []
            for (file, finding) in found {
                let record = try await admin.store.token(digest: TokenDigest(of: finding.token))
                tokensInFiles.append(("\(file):\(finding.line)", record?.isActive(at: admin.clock.now()) ?? false))
            }
            let facts = try await SecurityAudit.gather(
                store: admin.store,
                passwordInArguments: passwordInArguments,
                tokensInFiles: tokensInFiles,
                now: admin.clock.now(),
                rotationPolicyDays: policy,
                anchors: anchors
            )
            return SecurityAudit.evaluate(facts)
        }
        Output.emit(
            .array(
                results.map {
                    [
                        "id": .string($0.id.rawValue), "item": .string($0.item), "status": .string($0.status.rawValue),
                        "reason": .string($0.reason),
                        "fix": .string($0.fix),
                    ]
                }
            ),
            text: results.map {
                "\($0.status.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \($0.item)\n       \($0.reason)\($0.fix == "-" ? "" : "\n       fix: \($0.fix)")"
            }
            .joined(separator: "\n"),
            asJSON: global.json
        )
        if results.contains(where: { $0.status == .fail }) { throw ExitCode(1) }
    }
}

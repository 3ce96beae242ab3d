import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore

/// `gatehouse scan PATH… [--revoke] [--json]`: finds tokens in files, confirms them by checksum,
/// reports them redacted with their status in the store, and with `--revoke` revokes the live ones.
///
/// Exits with status 1 when it finds any token (even revoked: it still has to leave the files), so
/// it can guard a commit.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find API tokens in files; with --revoke, revoke the live ones. Exit 1 while a live token remains."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Files or directories to scan (directories recursively; .git and .build are skipped).")
    var paths: [String]
    @Flag(help: "Revoke every live token found.") var revoke = false

    static let skippedDirectories: Set<String> = [".git", ".build", "node_modules", ".venv"]
    static let maximumFileSize = 10 * 1024 * 1024

    func run() async throws {
        var findings: [(path: String, finding: TokenScanner.Finding)] = []
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError("no such file or directory: \(path)")
            }
            for file in Self.files(under: path) {
                guard let data = FileManager.default.contents(atPath: file), data.count <= Self.maximumFileSize,
                    !data.contains(0)
                else { continue }
                for finding in TokenScanner.findings(in: String(decoding: data, as: UTF8.self)) {
                    findings.append((file, finding))
                }
            }
        }
        let reports = try await global.withAdmin { admin in
            var reports: [(path: String, finding: TokenScanner.Finding, status: String)] = []
            for (path, finding) in findings {
                let record = try await admin.store.token(digest: TokenDigest(of: finding.token))
                var status = record.map { $0.isActive(at: admin.clock.now()) ? "live" : "inactive" } ?? "unknown"
                if status == "live", revoke, let record {
                    status = try await admin.revokeToken(id: record.id).isEmpty ? "live" : "revoked now"
                }
                reports.append((path, finding, status))
            }
            return reports
        }
        let json: JSONValue = .array(
            reports.map {
                [
                    "path": .string($0.path), "line": .number(Double($0.finding.line)),
                    "hint": .string($0.finding.hint),
                    "kind": .string($0.finding.kind.prefix), "status": .string($0.status),
                ]
            }
        )
        let text =
            reports.isEmpty
            ? "No tokens found."
            : reports.map { "\($0.path):\($0.finding.line): \($0.finding.hint) [\($0.status)]" }.joined(separator: "\n")
        Output.emit(json, text: text, asJSON: global.json)
        if !reports.isEmpty { throw ExitCode(1) }
    }

    /// The regular files at or below `path`.
    static func files(under path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(relative)
            if skippedDirectories.contains((relative as NSString).lastPathComponent) {
                enumerator.skipDescendants()
                continue
            }
            var childIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue
            {
                files.append(full)
            }
        }
        return files.sorted()
    }
}

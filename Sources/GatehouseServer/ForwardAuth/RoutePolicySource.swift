import Foundation
import GatehouseCore
import Logging
import ServiceLifecycle
import Synchronization
import Yams

/// The route policy in force: read from the policy file at start-up (a bad file stops `serve`),
/// then re-read whenever the file changes (checked every second), so a policy change needs no
/// restart. A changed file that does not parse is logged and ignored: the previous policy stays.
public final class RoutePolicySource: Sendable {
    public let path: String?
    private let state: Mutex<(policy: RoutePolicy, stamp: FileStamp?)>

    /// What identifies a version of the file: its modification time and size.
    struct FileStamp: Equatable {
        var modified: Date
        var size: Int
    }

    /// No file: every authenticated request passes.
    public init() {
        path = nil
        state = Mutex((RoutePolicy.authenticateAll, nil))
    }

    /// The policy in `path`; throws one line saying what is wrong.
    public init(path: String) throws(RoutePolicyError) {
        self.path = path
        let stamp = Self.stamp(of: path)
        state = Mutex((try Self.load(path), stamp))
    }

    public var current: RoutePolicy { state.withLock { $0.policy } }

    /// Reads `path` as YAML (or JSON, which YAML includes).
    public static func load(_ path: String) throws(RoutePolicyError) -> RoutePolicy {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw RoutePolicyError("cannot read the policy file '\(path)'") }
        let document: RoutePolicy.Document
        do {
            document = try YAMLDecoder().decode(RoutePolicy.Document.self, from: text)
        } catch {
            throw RoutePolicyError("the policy file '\(path)' is not a route policy: \(Self.summary(of: error))")
        }
        do {
            return try RoutePolicy(document)
        } catch {
            throw RoutePolicyError("the policy file '\(path)': \(error.description)")
        }
    }

    /// Re-reads the file if it changed since it was last read; returns the error of a bad new
    /// version (the previous policy stays in force).
    @discardableResult
    public func reloadIfChanged() -> RoutePolicyError? {
        guard let path else { return nil }
        let stamp = Self.stamp(of: path)
        guard stamp != state.withLock({ $0.stamp }) else { return nil }
        do {
            let policy = try Self.load(path)
            state.withLock { $0 = (policy, stamp) }
            return nil
        } catch {
            state.withLock { $0.stamp = stamp }
            return error
        }
    }

    static func stamp(of path: String) -> FileStamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return FileStamp(modified: modified, size: (attributes[.size] as? Int) ?? 0)
    }

    private static func summary(of error: any Error) -> String {
        if case DecodingError.keyNotFound(let key, let context) = error {
            return "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        }
        if case DecodingError.typeMismatch(_, let context) = error {
            return
                "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        }
        return String(describing: error).split(separator: "\n").first.map(String.init) ?? "unreadable"
    }
}

/// Re-reads the route policy file every second (added only when there is a file: a service
/// that returns ends the application).
struct RoutePolicyWatcher: Service {
    let source: RoutePolicySource
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if let error = source.reloadIfChanged() {
                    logger.error(
                        "route policy not reloaded; the previous one stays in force",
                        metadata: ["error": "\(error)"]
                    )
                }
            }
        }
    }
}

extension RoutePolicySource {
    /// `scopes` for a page (consent, console): each name with the description the current policy
    /// declares for it, if any.
    func entries(_ scopes: Scopes) -> [[String: Any]] {
        let declared = current.scopes
        return scopes.names.map { name in
            var entry: [String: Any] = ["name": name]
            if let description = declared.first(where: { $0.name == name })?.description, !description.isEmpty {
                entry["description"] = description
            }
            return entry
        }
    }
}

/// A workspace's subscription plan, which sets its integrations' rate limits.
public enum Plan: String, Sendable, CaseIterable, Codable {
    case free, pro, team, enterprise
}

/// A person's role in a workspace: owners manage integrations, members see them.
public enum Role: String, Sendable, CaseIterable, Codable {
    case owner, member
}

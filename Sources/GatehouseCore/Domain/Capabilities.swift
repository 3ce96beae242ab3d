import Foundation

/// What an integration may do, as Notion's integration settings define it.
public struct Capabilities: Hashable, Sendable {
    /// The content and comment capabilities, any combination.
    public struct Content: OptionSet, Hashable, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let readContent = Content(rawValue: 1 << 0)
        public static let updateContent = Content(rawValue: 1 << 1)
        public static let insertContent = Content(rawValue: 1 << 2)
        public static let readComments = Content(rawValue: 1 << 3)
        public static let insertComments = Content(rawValue: 1 << 4)
    }

    /// How much an integration may learn about people: exactly one level applies.
    public enum UserInfo: String, Sendable, CaseIterable {
        case none = "no_user_info"
        case withoutEmail = "user_info_without_email"
        case withEmail = "user_info_with_email"
    }

    public var content: Content
    public var userInfo: UserInfo

    public init(content: Content, userInfo: UserInfo) {
        self.content = content
        self.userInfo = userInfo
    }

    /// Everything: the default for a new integration, as in Notion's dashboard.
    public static let all = Capabilities(
        content: [.readContent, .updateContent, .insertContent, .readComments, .insertComments],
        userInfo: .withEmail
    )

    private static let contentNames: [(String, Content)] = [
        ("read_content", .readContent), ("update_content", .updateContent), ("insert_content", .insertContent),
        ("read_comments", .readComments), ("insert_comments", .insertComments),
    ]

    /// The names, in a fixed order (content first, then the user-info level), as stored and printed.
    public var names: [String] {
        Self.contentNames.filter { content.contains($0.1) }.map(\.0) + [userInfo.rawValue]
    }

    /// ``names`` joined by `separator` (the store's column by commas, an OAuth `scope` by
    /// spaces), built as one string without the arrays: introspection answers with it on every
    /// call.
    public func names(joinedBy separator: String) -> String {
        var joined = ""
        joined.reserveCapacity(96)
        for (name, flag) in Self.contentNames where content.contains(flag) {
            joined += name
            joined += separator
        }
        joined += userInfo.rawValue
        return joined
    }

    /// The capabilities named in `names` (`read_content`, …, `user_info_with_email`).
    ///
    /// Without a user-info name the level is `no_user_info`. Throws on an unknown name or on two
    /// user-info levels, naming the offending value.
    public init(names: some Sequence<String>) throws(CapabilityError) {
        var content: Content = []
        var userInfo: UserInfo?
        for rawName in names {
            let name = rawName.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            if let match = Self.contentNames.first(where: { $0.0 == name }) {
                content.insert(match.1)
            } else if let level = UserInfo(rawValue: name) {
                if let userInfo, userInfo != level { throw .conflictingUserInfo }
                userInfo = level
            } else {
                throw .unknown(name)
            }
        }
        self.init(content: content, userInfo: userInfo ?? .none)
    }

    /// Every capability name Gatehouse knows.
    public static var allNames: [String] { contentNames.map(\.0) + UserInfo.allCases.map(\.rawValue) }
}

/// A capability list that cannot be read.
public enum CapabilityError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case conflictingUserInfo

    public var description: String {
        switch self {
        case .unknown(let name):
            "unknown capability '\(name)'; known: \(Capabilities.allNames.joined(separator: ", "))"
        case .conflictingUserInfo:
            "give at most one of no_user_info, user_info_without_email, user_info_with_email"
        }
    }
}

extension Capabilities {
    /// What the capabilities allow, in plain words for the consent page.
    public var plainDescriptions: [String] {
        var lines: [String] = []
        if content.contains(.readContent) { lines.append("Read the pages and databases you choose to share") }
        if content.contains(.updateContent) { lines.append("Edit those pages and databases") }
        if content.contains(.insertContent) { lines.append("Create new pages inside them") }
        if content.contains(.readComments) { lines.append("Read comments on them") }
        if content.contains(.insertComments) { lines.append("Add comments to them") }
        switch userInfo {
        case .withEmail: lines.append("See the people in your workspace, including their email addresses")
        case .withoutEmail: lines.append("See the people in your workspace, without their email addresses")
        case .none: lines.append("It cannot see who is in your workspace")
        }
        return lines
    }
}

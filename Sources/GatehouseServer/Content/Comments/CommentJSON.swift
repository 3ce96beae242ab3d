import Foundation
import GatehouseContent
import GatehouseCore

/// Reading a comment request's parts, and the errors they raise.
enum CommentRequest {
    /// `display_name`: `{type: integration}` (the default), `{type: user}`, or
    /// `{type: custom, custom: {name}}`.
    static func displayName(_ value: JSONValue?) throws -> CommentDisplayName {
        guard let value, value != .null else { return .integration }
        switch value["type"] {
        case .string("integration")?: return .integration
        case .string("user")?: return .user
        case .string("custom")?:
            guard case .string(let name)? = value["custom"]?["name"], !name.isEmpty, name.count <= 100 else {
                throw invalid(
                    ContentValidationError.expected(
                        "a name of 1 to 100 characters",
                        at: "body.display_name.custom.name",
                        got: value["custom"]?["name"]
                    )
                )
            }
            return .custom(name)
        default:
            throw invalid(
                ContentValidationError.expected(
                    "`integration`, `user` or `custom`",
                    at: "body.display_name.type",
                    got: value["type"]
                )
            )
        }
    }

    /// The API's `validation_error` for a body that breaks the content rules.
    static func invalid(_ error: ContentValidationError) -> APIError {
        .validation("body failed validation: " + error.message)
    }

    /// Rich text as the store keeps it.
    static func stored(_ text: RichText) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }

    /// Rich text as the store kept it.
    static func richText(_ json: String) throws -> RichText {
        try JSONDecoder().decode(RichText.self, from: Data(json.utf8))
    }
}

/// The comment object.
enum CommentJSON {
    static func comment(
        _ comment: CommentRecord,
        resolving mentions: some MentionResolver,
        principal: Principal
    ) throws -> JSONValue {
        let parent: JSONValue =
            switch comment.parent {
            case .page(let id): ["type": "page_id", "page_id": .string(id)]
            case .block(let id): ["type": "block_id", "block_id": .string(id)]
            }
        let displayName: JSONValue =
            switch comment.displayName {
            case .integration:
                ["type": "integration", "resolved_name": .string(principal.integrationName)]
            case .user:
                ["type": "user", "resolved_name": ownerName(principal)]
            case .custom(let name):
                ["type": "custom", "resolved_name": .string(name)]
            }
        return [
            "object": "comment",
            "id": .string(comment.id),
            "parent": parent,
            "discussion_id": .string(comment.discussionID),
            "created_time": NotionObjects.timestamp(comment.createdAt),
            "last_edited_time": NotionObjects.timestamp(comment.lastEditedAt),
            "created_by": NotionObjects.userReference(comment.createdBy),
            "rich_text": try CommentRequest.richText(comment.richTextJSON).rendered(resolving: mentions),
            "display_name": displayName,
        ]
    }

    /// The name of the user who installed the integration, when one did.
    private static func ownerName(_ principal: Principal) -> JSONValue {
        if case .user(_, let name, _) = principal.owner { return .string(name) }
        return .null
    }
}

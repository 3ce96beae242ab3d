import Foundation
import GatehouseContent
import GatehouseCore

/// The API's wire shapes for users, databases and pages, as JSON values (see `docs/notion-wire.md`,
/// sections "Object shapes" and "users/me and the bot user").
enum NotionObjects {
    /// ISO 8601 with milliseconds in UTC, as Notion writes times (`2026-03-11T09:30:00.000Z`);
    /// by arithmetic, since `Date.formatted` costs microseconds and a page of results has hundreds.
    static func timestamp(_ date: Date) -> JSONValue {
        .string(ISODate.format(milliseconds: date.epochMilliseconds))
    }

    static func richText(_ text: String) -> JSONValue {
        [
            [
                "type": "text",
                "text": ["content": .string(text), "link": nil],
                "annotations": [
                    "bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false,
                    "color": "default",
                ],
                "plain_text": .string(text),
                "href": nil,
            ]
        ]
    }

    static func userReference(_ id: String) -> JSONValue {
        ["object": "user", "id": .string(id)]
    }

    static func url(for id: String) -> JSONValue {
        .string("https://www.notion.so/" + String(decoding: id.utf8.filter { $0 != UInt8(ascii: "-") }, as: UTF8.self))
    }

    /// The bot user of the principal's integration, as `users/me` returns it.
    static func bot(of principal: Principal) -> JSONValue {
        [
            "object": "user",
            "id": .string(principal.botID),
            "name": .string(principal.integrationName),
            "avatar_url": nil,
            "type": "bot",
            "bot": [
                "owner": owner(principal.owner, userInfo: principal.capabilities.userInfo),
                "workspace_name": .string(principal.workspaceName),
                "workspace_id": .string(principal.workspaceID),
                "workspace_limits": [
                    "max_file_upload_size_in_bytes": .number(
                        Double(FileUploadRules.maximumFileSize(for: principal.plan))
                    )
                ],
            ],
        ]
    }

    /// A bot's `owner`: the workspace, or the person who authorized a public integration (their
    /// email only with the `user_info_with_email` capability; under `no_user_info` a partial user,
    /// its id alone, as the API returns users to integrations without user information).
    static func owner(_ owner: BotOwner, userInfo: Capabilities.UserInfo) -> JSONValue {
        switch owner {
        case .workspace:
            return ["type": "workspace", "workspace": true]
        case .user(let id, _, _) where userInfo == .none:
            return ["type": "user", "user": ["object": "user", "id": .string(id)]]
        case .user(let id, let name, let email):
            let details: JSONValue = userInfo == .withEmail ? ["email": .string(email)] : [:]
            return [
                "type": "user",
                "user": [
                    "object": "user", "id": .string(id), "name": .string(name), "avatar_url": nil, "type": "person",
                    "person": details,
                ],
            ]
        }
    }

    /// Another integration's bot, as it appears in a user list (no bot details).
    static func otherBot(_ integration: Integration) -> JSONValue {
        [
            "object": "user", "id": .string(integration.botID), "name": .string(integration.name), "avatar_url": nil,
            "type": "bot", "bot": [:],
        ]
    }

    /// A person; the email only with the `user_info_with_email` capability.
    static func person(_ person: Person, userInfo: Capabilities.UserInfo) -> JSONValue {
        let details: JSONValue =
            userInfo == .withEmail ? ["email": .string(person.email), "email_verified": true] : [:]
        return [
            "object": "user", "id": .string(person.id), "name": .string(person.name), "avatar_url": nil,
            "type": "person", "person": details,
        ]
    }

    /// A database; `requester` (the asking integration's bot) stands for an author that was not
    /// recorded.
    static func database(_ database: DatabaseRecord, requester: String, version: NotionVersion) -> JSONValue {
        let createdBy = database.createdBy ?? requester
        let parent: JSONValue =
            database.parentPageID.map { ["type": "page_id", "page_id": .string($0)] }
            ?? ["type": "workspace", "workspace": true]
        var members: [(String, JSONValue)] = [
            ("object", "database"),
            ("id", .string(database.id)),
            ("created_time", timestamp(database.createdAt)),
            ("last_edited_time", timestamp(database.lastEditedAt)),
            ("title", richText(database.title)),
            ("description", []),
            ("icon", nil),
            ("cover", nil),
            ("parent", parent),
            ("url", url(for: database.id)),
            ("public_url", nil),
            ("archived", false),
            ("in_trash", false),
            ("is_inline", false),
            ("is_locked", false),
        ]
        if version.usesDataSources {
            // Authors moved to the data source object (js v5 `DatabaseObjectResponse` has none).
            let dataSource: JSONValue = ["id": .string(database.id), "name": .string(database.title)]
            members.append(("data_sources", .array([dataSource])))
        } else {
            members.append(("created_by", userReference(createdBy)))
            members.append(("last_edited_by", userReference(database.lastEditedBy ?? createdBy)))
            let properties: JSONValue = [
                "Name": ["id": "title", "name": "Name", "type": "title", "title": .object([])]
            ]
            members.append(("properties", properties))
        }
        return .object(members)
    }

    /// `files` gives the links of an uploaded icon or cover.
    static func page(_ page: PageRecord, version: NotionVersion, files: some MentionResolver) -> JSONValue {
        let parent: JSONValue
        let titleProperty: String
        switch page.parent {
        case .workspace:
            parent = ["type": "workspace", "workspace": true]
            titleProperty = "title"
        case .page(let id):
            parent = ["type": "page_id", "page_id": .string(id)]
            titleProperty = "title"
        case .database(let id):
            parent =
                version.usesDataSources
                ? ["type": "data_source_id", "data_source_id": .string(id), "database_id": .string(id)]
                : ["type": "database_id", "database_id": .string(id)]
            titleProperty = "Name"
        }
        let titleValue: JSONValue = ["id": "title", "type": "title", "title": richText(page.title)]
        return [
            "object": "page",
            "id": .string(page.id),
            "created_time": timestamp(page.createdAt),
            "last_edited_time": timestamp(page.lastEditedAt),
            "created_by": userReference(page.createdBy),
            "last_edited_by": userReference(page.lastEditedBy),
            "cover": page.cover.map { PageAppearance.renderedCover($0, resolving: files) } ?? nil,
            "icon": page.icon.map { PageAppearance.renderedIcon($0, resolving: files) } ?? nil,
            "parent": parent,
            "archived": .bool(page.archived),
            "in_trash": .bool(page.archived),
            "properties": .object([(titleProperty, titleValue)]),
            "url": url(for: page.id),
            "public_url": nil,
        ]
    }

    /// A paginated list: `{"object":"list","results":…,"next_cursor","has_more","type",type:{}}`.
    static func list(_ results: [JSONValue], nextCursor: String?, type: String) -> JSONValue {
        .object([
            ("object", "list"),
            ("results", .array(results)),
            ("next_cursor", .optional(nextCursor)),
            ("has_more", .bool(nextCursor != nil)),
            ("type", .string(type)),
            (type, .object([])),
        ])
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// The webhook events the content API's writes record, each in the transaction of its write
/// (`docs/content/webhooks.md` lists which write records which). A page's, database's or data
/// source's `data.parent` is filled in when the event is fanned out, from the entity as it is then.
enum WebhookEvents {
    /// An event about page `pageID`: `page.created`, `.moved`, `.deleted`, `.undeleted`, or with
    /// `data` the updated properties or blocks.
    static func page(
        _ type: WebhookEventType,
        _ pageID: String,
        by principal: Principal,
        at time: Date,
        data: [(String, JSONValue)] = []
    ) -> WebhookEvent {
        WebhookEvent(
            workspaceID: principal.workspaceID,
            type: type,
            entity: WebhookEntity(type: "page", id: pageID),
            subjectKind: ContentNodeKind.page.rawValue,
            subjectID: pageID,
            authors: authors(principal),
            data: .object(data),
            occurredAt: time
        )
    }

    /// `page.content_updated` for blocks written on page `pageID` (the page itself for a child
    /// page's block).
    static func pageContent(
        _ pageID: String,
        blocks: [(id: String, type: String)],
        by principal: Principal,
        at time: Date
    ) -> WebhookEvent {
        page(
            .pageContentUpdated,
            pageID,
            by: principal,
            at: time,
            data: [("updated_blocks", .array(blocks.map { ["id": .string($0.id), "type": .string($0.type)] }))]
        )
    }

    /// `page.properties_updated`, naming the properties by id.
    static func pageProperties(
        _ pageID: String,
        _ ids: [String],
        by principal: Principal,
        at time: Date
    )
        -> WebhookEvent
    {
        page(
            .pagePropertiesUpdated,
            pageID,
            by: principal,
            at: time,
            data: [("updated_properties", .array(ids.sorted().map(JSONValue.string)))]
        )
    }

    /// An event about data source `id`; `data_source.content_updated` names the pages added or
    /// changed in it, `schema_updated` the properties (`{id, name, action}`).
    static func dataSource(
        _ type: WebhookEventType,
        _ id: String,
        by principal: Principal,
        at time: Date,
        data: [(String, JSONValue)] = []
    ) -> WebhookEvent {
        WebhookEvent(
            workspaceID: principal.workspaceID,
            type: type,
            entity: WebhookEntity(type: "data_source", id: id),
            subjectKind: ContentNodeKind.dataSource.rawValue,
            subjectID: id,
            authors: authors(principal),
            data: .object(data),
            occurredAt: time
        )
    }

    static func database(
        _ type: WebhookEventType,
        _ id: String,
        by principal: Principal,
        at time: Date
    )
        -> WebhookEvent
    {
        WebhookEvent(
            workspaceID: principal.workspaceID,
            type: type,
            entity: WebhookEntity(type: "database", id: id),
            subjectKind: ContentNodeKind.database.rawValue,
            subjectID: id,
            authors: authors(principal),
            data: [:],
            occurredAt: time
        )
    }

    /// `comment.created`, `.updated` or `.deleted`: `data` names the page and the parent (the
    /// page or the block commented on); who is told follows the page's sharing.
    static func comment(
        _ type: WebhookEventType,
        _ comment: CommentRecord,
        by principal: Principal,
        at time: Date
    )
        -> WebhookEvent
    {
        let parent: JSONValue =
            switch comment.parent {
            case .page(let id): ["id": .string(id), "type": "page"]
            case .block(let id): ["id": .string(id), "type": "block"]
            }
        return WebhookEvent(
            workspaceID: principal.workspaceID,
            type: type,
            entity: WebhookEntity(type: "comment", id: comment.id),
            subjectKind: ContentNodeKind.page.rawValue,
            subjectID: comment.pageID,
            authors: authors(principal),
            data: ["page_id": .string(comment.pageID), "parent": parent],
            occurredAt: time
        )
    }

    private static func authors(_ principal: Principal) -> [WebhookAuthor] {
        [WebhookAuthor(id: principal.botID, type: "bot")]
    }
}

extension Store {
    /// Records each event (nothing while no subscription is active).
    func recordWebhookEvents(_ events: [WebhookEvent]) async throws {
        for event in events { try await recordWebhookEvent(event) }
    }
}

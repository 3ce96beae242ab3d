import Foundation
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `GET /v1/pages/{id}`, `POST /v1/pages`, `PATCH /v1/pages/{id}`.
struct PagesController {
    let access: ContentAccess
    let bodyLimit: Int
    let clock: any WallClock

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get("pages/:page_id", use: retrieve)
        group.post("pages", use: create)
        group.patch("pages/:page_id", use: update)
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "page_id")
        try access.policy.require(.readContent, of: principal)
        let page = try await access.page(id, for: principal)
        return JSONResponse.ok(NotionObjects.page(page, version: context.version), requestID: context.requestID)
    }

    /// Creates a page in a shared database or under a shared page (needs `insert_content`).
    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertContent, of: principal)
        let parent = try Self.parent(body)
        let title = try Self.title(body) ?? ""
        switch parent {
        case .database(let id): _ = try await access.database(id, for: principal)
        case .page(let id): _ = try await access.page(id, for: principal)
        case .workspace:
            throw APIError.validation("body failed validation: body.parent should be a database or a page.")
        }
        let now = clock.now()
        let page = PageRecord(
            id: UUIDv4.string(),
            workspaceID: principal.workspaceID,
            title: title,
            parent: parent,
            createdBy: principal.botID,
            lastEditedBy: principal.botID,
            createdAt: now,
            lastEditedAt: now
        )
        try await access.store.createPage(page)
        return JSONResponse.ok(NotionObjects.page(page, version: context.version), requestID: context.requestID)
    }

    /// Renames, archives or restores a page (needs `update_content`).
    @Sendable func update(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "page_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.updateContent, of: principal)
        let title = try Self.title(body)
        let archived = try Self.flag(body, "archived") ?? Self.flag(body, "in_trash")
        var page = try await access.page(id, for: principal)
        if let title { page.title = title }
        if let archived { page.archived = archived }
        page.lastEditedBy = principal.botID
        page.lastEditedAt = clock.now()
        try await access.store.updatePage(page)
        return JSONResponse.ok(NotionObjects.page(page, version: context.version), requestID: context.requestID)
    }

    private static func parent(_ body: JSONValue) throws(APIError) -> PageParent {
        guard let parent = body["parent"], case .object = parent else {
            throw .validation("body failed validation: body.parent should be defined, instead was `undefined`.")
        }
        for (key, make) in [
            ("database_id", PageParent.database), ("data_source_id", PageParent.database), ("page_id", PageParent.page),
        ] {
            guard let value = parent[key] else { continue }
            guard let raw = value.stringValue, let id = ResourceID.canonical(raw) else {
                throw .validation("body failed validation: body.parent.\(key) should be a valid uuid.")
            }
            return make(id)
        }
        throw .validation("body failed validation: body.parent should have a database_id or a page_id.")
    }

    /// The plain text of the title property, if `properties` carries one, as a valid ``DisplayName``
    /// (NFC; no controls, bidi overrides or stray combining marks).
    private static func title(_ body: JSONValue) throws(APIError) -> String? {
        guard let properties = body["properties"], !properties.isNull else { return nil }
        guard case .object(let members) = properties else {
            throw .validation(
                "body failed validation: body.properties should be an object, instead was `\(properties.typeName)`."
            )
        }
        for (name, property) in members {
            guard let titleValue = property["title"] else { continue }
            guard case .array(let parts) = titleValue else {
                throw .validation("body failed validation: body.properties.\(name).title should be an array.")
            }
            guard parts.count <= 100 else {
                throw .validation(
                    "body failed validation: body.properties.\(name).title.length should be ≤ `100`, instead was `\(parts.count)`."
                )
            }
            let text = parts.compactMap { $0["text"]?["content"]?.stringValue ?? $0["plain_text"]?.stringValue }
                .joined()
            guard text.count <= 2000 else {
                throw .validation(
                    "body failed validation: body.properties.\(name).title[0].text.content.length should be ≤ `2000`, instead was `\(text.count)`."
                )
            }
            do {
                return try DisplayName.validate(text)
            } catch {
                throw .validation("body failed validation: body.properties.\(name).title \(error).")
            }
        }
        return nil
    }

    private static func flag(_ body: JSONValue, _ key: String) throws(APIError) -> Bool? {
        switch body[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?:
            throw .validation(
                "body failed validation: body.\(key) should be a boolean, instead was `\(other.typeName)`."
            )
        }
    }
}

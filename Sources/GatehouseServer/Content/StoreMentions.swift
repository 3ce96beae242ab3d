import GatehouseContent
import GatehouseCore
import GatehouseStore

/// The names and titles that blocks' mentions show, loaded from the store once per response for
/// what the principal may see: people and bots of its workspace (names and user objects only with
/// user information, e-mail only with `user_info_with_email`), and the titles of pages and
/// databases shared with it; download links for the files blocks show. Anything else renders as
/// the API renders the unknown.
struct StoreMentions: MentionResolver {
    private var userNames: [String: String] = [:]
    private var userObjects: [String: JSONValue] = [:]
    private var pageTitles: [String: String] = [:]
    private var databaseTitles: [String: String] = [:]
    private var fileLinks: [String: FileLink] = [:]

    func userName(id: String) -> String? { userNames[id] }
    func userObject(id: String) -> JSONValue? { userObjects[id] }
    func pageTitle(id: String) -> String? { pageTitles[id] }
    func databaseTitle(id: String) -> String? { databaseTitles[id] }
    func fileLink(uploadID: String, name: String?) -> FileLink? { fileLinks[uploadID] }

    /// Loads what the mentions in `contents` need (and the titles of `child_page` blocks).
    static func load(
        for contents: [BlockContent],
        principal: Principal,
        access: ContentAccess
    ) async throws -> StoreMentions {
        let texts = contents.flatMap { content in
            [content.richText, content.caption].compactMap { $0 } + (content.cells ?? [])
        }
        var mentions = try await load(for: texts, principal: principal, access: access)
        // Anyone who may see the block may download what it shows, as with Notion's file links;
        // the link ends in the upload's file name.
        let uploads = Set(contents.compactMap(\.fileUpload))
        if !uploads.isEmpty {
            let signer = try await access.fileLinks.signer()
            for id in uploads {
                if let upload = try await access.store.fileUpload(id: id), upload.workspaceID == principal.workspaceID {
                    mentions.fileLinks[id] = signer.link(uploadID: id, name: upload.filename)
                }
            }
        }
        return mentions
    }

    /// Loads what the mentions in `texts` need.
    static func load(
        for texts: [RichText],
        principal: Principal,
        access: ContentAccess
    ) async throws -> StoreMentions {
        var users = Set<String>()
        var pages = Set<String>()
        var databases = Set<String>()
        for text in texts {
            let found = text.mentionedIDs
            users.formUnion(found.users)
            pages.formUnion(found.pages)
            databases.formUnion(found.databases)
        }
        var mentions = StoreMentions()
        let userInfo = principal.capabilities.userInfo
        if !users.isEmpty, userInfo != .none {
            for person in try await access.store.people(workspaceID: principal.workspaceID)
            where users.contains(person.id) {
                mentions.userNames[person.id] = person.name
                mentions.userObjects[person.id] = NotionObjects.person(person, userInfo: userInfo)
            }
            for integration in try await access.store.integrations(workspaceID: principal.workspaceID)
            where users.contains(integration.botID) {
                mentions.userNames[integration.botID] = integration.name
                mentions.userObjects[integration.botID] = NotionObjects.otherBot(integration)
            }
        }
        for id in pages {
            if let page = try? await access.page(id, for: principal) { mentions.pageTitles[id] = page.title }
        }
        for id in databases {
            if let database = try? await access.database(id, for: principal) {
                mentions.databaseTitles[id] = database.title
            }
        }
        return mentions
    }
}

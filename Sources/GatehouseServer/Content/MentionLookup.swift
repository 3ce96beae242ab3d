import GatehouseContent
import GatehouseCore
import GatehouseStore

/// Resolves the users, pages and databases that rich text mentions, in a few store reads, so
/// that `plain_text` shows their names and titles as the API does.
enum MentionLookup {
    /// A directory of everything `texts` mention within `workspaceID`; ids of another workspace
    /// stay unresolved (shown as `@Anonymous` / `Untitled`).
    static func directory(
        for texts: [RichText],
        workspaceID: String,
        store: any Store
    ) async throws -> MentionDirectory {
        var users = Set<String>()
        var pages = Set<String>()
        var databases = Set<String>()
        for text in texts {
            let ids = text.mentionedIDs
            users.formUnion(ids.users)
            pages.formUnion(ids.pages)
            databases.formUnion(ids.databases)
        }
        var directory = MentionDirectory()
        if !users.isEmpty {
            for person in try await store.people(workspaceID: workspaceID) where users.contains(person.id) {
                directory.userNames[person.id] = person.name
            }
            for id in users where directory.userNames[id] == nil {
                if let bot = try await store.integration(botID: id), bot.workspaceID == workspaceID {
                    directory.userNames[id] = bot.name
                }
            }
        }
        for id in pages {
            if let page = try await store.page(id: id), page.workspaceID == workspaceID {
                directory.pageTitles[id] = page.title
            }
        }
        for id in databases {
            if let database = try await store.database(id: id), database.workspaceID == workspaceID {
                directory.databaseTitles[id] = database.title
            }
        }
        return directory
    }
}

// Lists the databases shared with a key: NOTION_API_KEY=secret_… NOTION_BASE_URL=http://127.0.0.1:8080 swift run list-databases
import GatehouseClient

let notion = NotionClient(configuration: try ClientConfiguration.fromEnvironment())
let me = try await notion.me()
print("Databases shared with \(me.name ?? me.id):")
for database in try await notion.databases().results {
    print("  \(database.title)  \(database.id)")
}

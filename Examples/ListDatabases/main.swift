// Lists the databases shared with a key and their data sources (Notion-Version 2025-09-03):
//   ENV=development NOTION_DEV_KEY=secret_… swift run list-databases   (a Gatehouse on 127.0.0.1:8080)
//   NOTION_API_KEY=secret_… NOTION_BASE_URL=http://127.0.0.1:9000 swift run list-databases
import GatehouseClient

let notion = NotionClient(configuration: try ClientConfiguration.fromEnvironment())
let me = try await notion.me()
print("Databases shared with \(me.name ?? me.id):")
for database in try await notion.databases().results {
    print("  \(database.title)  \(database.id)")
    for source in database.dataSources { print("    data source \(source.name)  \(source.id)") }
}

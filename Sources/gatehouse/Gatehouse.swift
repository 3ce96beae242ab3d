import ArgumentParser

/// `gatehouse`: the server (`serve`) and the admin CLI over the same store.
@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "A self-hosted authentication and authorization server for a Notion-style workspace API.",
        subcommands: [
            Serve.self, WorkspaceCommand.self, UserCommand.self, IntegrationCommand.self, DatabaseCommand.self,
            PageCommand.self, ShareCommand.self, TokenCommand.self, ScanCommand.self, EventsCommand.self,
            AuditCommand.self, VerifierCommand.self, WebhookCommand.self,
        ]
    )
}

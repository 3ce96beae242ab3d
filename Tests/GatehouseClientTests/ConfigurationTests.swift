import Foundation
import GatehouseTestSupport
import Testing

@testable import GatehouseClient

@Suite struct ConfigurationTests {
    @Test func theSeedsEnvironmentRulesPickKeyAndBaseURL() throws {
        let development = try ClientConfiguration.fromEnvironment(
            ["ENV": "development", "NOTION_DEV_KEY": "secret_dev", "NOTION_PROD_KEY": "secret_prod"],
            dotEnvFile: nil
        )
        #expect(development.token?.value == "secret_dev")
        #expect(development.baseURL == ClientConfiguration.localGatehouseBaseURL)
        #expect(development.notionVersion == "2025-09-03")
        let production = try ClientConfiguration.fromEnvironment(
            ["NOTION_DEV_KEY": "secret_dev", "NOTION_PROD_KEY": "secret_prod"],
            dotEnvFile: nil
        )
        #expect(production.token?.value == "secret_prod")
        #expect(production.baseURL == ClientConfiguration.productionBaseURL)
        let plain = try ClientConfiguration.fromEnvironment(
            [
                "NOTION_API_KEY": "secret_any", "NOTION_BASE_URL": "http://127.0.0.1:8080/v1",
                "NOTION_VERSION": "2025-09-03",
            ],
            dotEnvFile: nil
        )
        #expect(plain.token?.value == "secret_any")
        #expect(plain.baseURL.absoluteString == "http://127.0.0.1:8080")
        #expect(plain.notionVersion == "2025-09-03")
        #expect(throws: NotionError.self) { try ClientConfiguration.fromEnvironment([:], dotEnvFile: nil) }
    }

    @Test func developmentMeansTheLocalGatehouseUnlessTheBaseURLSaysOtherwise() throws {
        let development = try ClientConfiguration.fromEnvironment(
            ["ENV": "development", "NOTION_DEV_KEY": "secret_dev"],
            dotEnvFile: nil
        )
        #expect(development.baseURL.absoluteString == "http://127.0.0.1:8080")
        #expect(development.baseURL.host != "sandbox.notion.com")
        let elsewhere = try ClientConfiguration.fromEnvironment(
            [
                "ENV": "development", "NOTION_DEV_KEY": "secret_dev",
                "NOTION_BASE_URL": "http://gatehouse.internal:9000/v1/",
            ],
            dotEnvFile: nil
        )
        #expect(elsewhere.baseURL.absoluteString == "http://gatehouse.internal:9000")
        let pinned = try ClientConfiguration.fromEnvironment(
            ["ENV": "development", "NOTION_DEV_KEY": "secret_dev", "NOTION_VERSION": "2022-06-28"],
            dotEnvFile: nil
        )
        #expect(pinned.notionVersion == "2022-06-28")
    }

    @Test func aDevelopmentClientCallsTheLocalGatehouse() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        let configuration = try ClientConfiguration.fromEnvironment(
            ["ENV": "development", "NOTION_DEV_KEY": "secret_dev"],
            dotEnvFile: nil
        )
        _ = try await NotionClient(configuration: configuration, transport: mock).me()
        #expect(mock.calls.first?.url.absoluteString == "http://127.0.0.1:8080/v1/users/me")
    }

    @Test func aDotEnvFileFillsWhatTheEnvironmentLeavesOut() throws {
        let path = Scratch.path(".env")
        try "# local\nexport NOTION_API_KEY=\"secret_fromfile\"\nNOTION_BASE_URL='http://127.0.0.1:9'\n".write(
            toFile: path,
            atomically: true,
            encoding: .utf8
        )
        let fromFile = try ClientConfiguration.fromEnvironment([:], dotEnvFile: path)
        #expect(fromFile.token?.value == "secret_fromfile")
        #expect(fromFile.baseURL.absoluteString == "http://127.0.0.1:9")
        let overridden = try ClientConfiguration.fromEnvironment(["NOTION_API_KEY": "secret_env"], dotEnvFile: path)
        #expect(overridden.token?.value == "secret_env")
    }
}

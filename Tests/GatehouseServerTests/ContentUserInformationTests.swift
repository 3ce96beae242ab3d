import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// What user objects show in content responses, by user-information capability, over real HTTP:
/// e-mail only with `user_info_with_email`, no name without any user information.
@Suite(.timeLimit(.minutes(2))) struct ContentUserInformationTests {
    typealias Walk = ContentAuthorizationWalkTests

    @Test func peopleAndMentionsShowEmailOnlyWithUserInfoWithEmailAndNoNameWithoutUserInfo() async throws {
        let world = try await TestWorld.make()
        var tokens: [Capabilities.UserInfo: String] = [.withEmail: world.token]
        for level in [Capabilities.UserInfo.withoutEmail, .none] {
            let (integration, token) = try await world.otherIntegration(
                capabilities: Capabilities(content: Capabilities.all.content, userInfo: level)
            )
            _ = try await world.admin.share(
                integrationID: integration.id,
                target: .database(world.sharedDatabase.id),
                remove: false
            )
            tokens[level] = token
        }
        let byLevel = tokens
        let owner = world.owner
        try await world.test(.live) { client in
            let token = world.token
            let source =
                try await ContentInheritanceTests.ok(
                    client,
                    .post,
                    "/v1/data_sources",
                    token: token,
                    [
                        "parent": ["database_id": world.sharedDatabase.id],
                        "properties": ["Name": ["title": [:]], "Owner": ["people": [:]]],
                    ]
                ).json["id"] as? String ?? ""
            let mention: [[String: Any]] = [["type": "mention", "mention": ["user": ["id": owner.id]]]]
            let page =
                try await ContentInheritanceTests.ok(
                    client,
                    .post,
                    "/v1/pages",
                    token: token,
                    [
                        "parent": ["data_source_id": source],
                        "properties": ["Name": ["title": mention], "Owner": ["people": [["id": owner.id]]]],
                    ]
                ).json["id"] as? String ?? ""
            let block =
                try await ContentInheritanceTests.ok(
                    client,
                    .patch,
                    "/v1/blocks/\(page)/children",
                    token: token,
                    ["children": [["type": "paragraph", "paragraph": ["rich_text": mention]]]]
                ).results.first?["id"] as? String ?? ""
            _ = try await ContentInheritanceTests.ok(
                client,
                .post,
                "/v1/comments",
                token: token,
                ["parent": ["page_id": page], "rich_text": mention]
            )
            let paths: [(HTTPRequest.Method, String)] = [
                (.get, "/v1/pages/\(page)"), (.get, "/v1/pages/\(page)/properties/Owner"),
                (.get, "/v1/pages/\(page)/properties/Name"), (.get, "/v1/blocks/\(block)"),
                (.get, "/v1/blocks/\(page)/children"), (.get, "/v1/comments?block_id=\(page)"),
                (.post, "/v1/data_sources/\(source)/query"), (.post, "/v1/search"),
            ]
            for (level, levelToken) in byLevel {
                var all = ""
                for (method, path) in paths {
                    let body: [String: Any]? = method == .post ? [:] : nil
                    all += try await ContentInheritanceTests.ok(client, method, path, token: levelToken, body).text
                }
                #expect(all.contains(owner.email) == (level == .withEmail), "\(level): e-mail")
                #expect(all.contains("\"Ada\"") == (level != .none), "\(level): name in user objects")
                #expect(all.contains("@Ada") == (level != .none), "\(level): name in mentions")
                #expect(all.contains(owner.id), "\(level): the id is always there")
            }
        }
    }
}

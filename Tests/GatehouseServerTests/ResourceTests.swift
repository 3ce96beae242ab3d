import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct ResourceTests {
    @Test func sharedDatabasesArePublishedAndUnsharedOnesAreRestricted() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let list = try await client.call(.get, "/v1/databases", token: world.token)
            #expect(list.status == 200)
            #expect(list.results.compactMap { $0["id"] as? String } == [world.sharedDatabase.id])
            #expect(list.json["object"] as? String == "list")

            let shared = try await client.call(.get, "/v1/databases/\(world.sharedDatabase.id)", token: world.token)
            #expect(shared.status == 200)
            #expect(shared.json["object"] as? String == "database")
            #expect(shared.json["properties"] != nil)

            let unshared = try await client.call(.get, "/v1/databases/\(world.unsharedDatabase.id)", token: world.token)
            #expect(unshared.status == 403)
            #expect(unshared.code == "restricted_resource")
            #expect(unshared.message == "Integration does not have access to this resource.")
        }
    }

    @Test func idsAreAcceptedUndashedAndInUpperCase() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let undashed = world.sharedDatabase.id.replacingOccurrences(of: "-", with: "").uppercased()
            let result = try await client.call(.get, "/v1/databases/\(undashed)", token: world.token)
            #expect(result.status == 200)
            #expect(result.json["id"] as? String == world.sharedDatabase.id)
            let bad = try await client.call(.get, "/v1/databases/not-an-id", token: world.token)
            #expect(bad.status == 400)
            #expect(bad.code == "validation_error")
        }
    }

    @Test func missingAndForeignResourcesAreNotFoundWithTheBotID() async throws {
        let world = try await TestWorld.make()
        let elsewhere = try await world.admin.createWorkspace(name: "Elsewhere", plan: .free)
        let foreign = try await world.admin.createDatabase(workspaceID: elsewhere.id, title: "Theirs")
        try await world.test(.router) { client in
            for id in [foreign.id, UUID().uuidString.lowercased()] {
                let result = try await client.call(.get, "/v1/databases/\(id)", token: world.token)
                #expect(result.status == 404)
                #expect(result.code == "object_not_found")
                #expect(result.message?.contains("Could not find database with ID: \(id)") == true)
                #expect(
                    (result.json["additional_data"] as? [String: Any])?["integration_id"] as? String
                        == world.integration.botID
                )
            }
        }
    }

    @Test func notionModeAnswers404ForUnsharedResources() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router, unshared: .notFound) { client in
            let result = try await client.call(.get, "/v1/pages/\(world.unsharedPage.id)", token: world.token)
            #expect(result.status == 404)
            #expect(result.code == "object_not_found")
            #expect(try await client.call(.get, "/v1/pages/\(world.sharedPage.id)", token: world.token).status == 200)
        }
    }

    @Test func aShareOfADatabaseCoversItsPagesAndItsRemovalTakesEffect() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let page = try await client.call(.get, "/v1/pages/\(world.sharedPage.id)", token: world.token)
            #expect(page.status == 200)
            #expect(((page.json["parent"] as? [String: Any])?["database_id"] as? String) == world.sharedDatabase.id)
            #expect(try await client.call(.get, "/v1/pages/\(world.unsharedPage.id)", token: world.token).status == 403)
            _ = try await world.admin.share(
                integrationID: world.integration.id,
                target: .database(world.sharedDatabase.id),
                remove: true
            )
            #expect(try await client.call(.get, "/v1/pages/\(world.sharedPage.id)", token: world.token).status == 403)
        }
    }

    @Test func searchAcceptsAnEmptyBodyAndFiltersByTitleAndObject() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let noBody = try await client.call(.post, "/v1/search", token: world.token)
            #expect(noBody.status == 200)
            let ids = Set(noBody.results.compactMap { $0["id"] as? String })
            #expect(ids == [world.sharedDatabase.id, world.sharedPage.id])
            #expect(noBody.json["type"] as? String == "page_or_database")

            let empty = try await client.call(.post, "/v1/search", token: world.token, body: "{}")
            #expect(Set(empty.results.compactMap { $0["id"] as? String }) == ids)

            let byTitle = try await client.call(.post, "/v1/search", token: world.token, body: #"{"query":"WRITE"}"#)
            #expect(byTitle.results.compactMap { $0["id"] as? String } == [world.sharedPage.id])

            let pagesOnly = try await client.call(
                .post,
                "/v1/search",
                token: world.token,
                version: "2025-09-03",
                body: #"{"filter":{"property":"object","value":"page"}}"#
            )
            #expect(pagesOnly.results.allSatisfy { $0["object"] as? String == "page" })
            #expect(pagesOnly.json["type"] as? String == "page_or_data_source")

            let firstPage = try await client.call(.post, "/v1/search", token: world.token, body: #"{"page_size":1}"#)
            #expect(firstPage.results.count == 1)
            #expect(firstPage.json["has_more"] as? Bool == true)
            let cursor = try #require(firstPage.json["next_cursor"] as? String)
            let secondPage = try await client.call(
                .post,
                "/v1/search",
                token: world.token,
                body: #"{"page_size":1,"start_cursor":"\#(cursor)"}"#
            )
            #expect(secondPage.results.count == 1)
            #expect(secondPage.json["has_more"] as? Bool == false)
            #expect(secondPage.results.first?["id"] as? String != firstPage.results.first?["id"] as? String)
        }
    }

    @Test(arguments: [
        (#"{"page_size":0}"#, "validation_error"), (#"{"page_size":"ten"}"#, "validation_error"),
        (#"{"query":5}"#, "validation_error"), (#"{"filter":{"property":"title"}}"#, "validation_error"),
        (#"{"sort":{"direction":"up"}}"#, "validation_error"), (#"{"start_cursor":"nope"}"#, "validation_error"),
        ("[1,2]", "validation_error"), ("{bad json", "invalid_json"), (#"{"a":"#, "invalid_json"),
    ])
    func badSearchBodiesGetAClearError(body: String, code: String) async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(.post, "/v1/search", token: world.token, body: body)
            #expect(result.status == 400)
            #expect(result.code == code)
            #expect(result.apiError?.object == "error")
        }
    }

    @Test func aDatabaseQueryListsItsPages() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(
                .post,
                "/v1/databases/\(world.sharedDatabase.id)/query",
                token: world.token
            )
            #expect(result.status == 200)
            #expect(result.results.compactMap { $0["id"] as? String } == [world.sharedPage.id])
            let unshared = try await client.call(
                .post,
                "/v1/databases/\(world.unsharedDatabase.id)/query",
                token: world.token,
                body: "{}"
            )
            #expect(unshared.status == 403)
        }
    }

    @Test func pagesCanBeCreatedRenamedAndArchivedInSharedDatabasesOnly() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let body =
                #"{"parent":{"database_id":"\#(world.sharedDatabase.id)"},"properties":{"Name":{"title":[{"text":{"content":"From the API"}}]}}}"#
            let created = try await client.call(.post, "/v1/pages", token: world.token, body: body)
            #expect(created.status == 200)
            let id = try #require(created.json["id"] as? String)
            #expect(
                created.json["created_by"].flatMap { ($0 as? [String: Any])?["id"] as? String }
                    == world.integration.botID
            )

            let fetched = try await client.call(.get, "/v1/pages/\(id)", token: world.token)
            let title =
                ((fetched.json["properties"] as? [String: Any])?["Name"] as? [String: Any])?["title"]
                as? [[String: Any]]
            #expect(title?.first?["plain_text"] as? String == "From the API")

            let renamed = try await client.call(
                .patch,
                "/v1/pages/\(id)",
                token: world.token,
                body: #"{"properties":{"Name":{"title":[{"text":{"content":"Renamed"}}]}},"archived":true}"#
            )
            #expect(renamed.status == 200)
            #expect(renamed.json["archived"] as? Bool == true)
            let query = try await client.call(
                .post,
                "/v1/databases/\(world.sharedDatabase.id)/query",
                token: world.token
            )
            #expect(!query.results.contains { $0["id"] as? String == id })

            let intoUnshared = body.replacingOccurrences(of: world.sharedDatabase.id, with: world.unsharedDatabase.id)
            #expect(try await client.call(.post, "/v1/pages", token: world.token, body: intoUnshared).status == 403)
            let noParent = try await client.call(.post, "/v1/pages", token: world.token, body: #"{"properties":{}}"#)
            #expect(noParent.status == 400)
            #expect(
                noParent.message == "body failed validation: body.parent should be defined, instead was `undefined`."
            )
            let badFlag = try await client.call(
                .patch,
                "/v1/pages/\(id)",
                token: world.token,
                body: #"{"archived":"yes"}"#
            )
            #expect(badFlag.code == "validation_error")
            // The failed requests left the stored page as it was.
            let after = try await world.store.page(id: id)
            #expect(after?.title == "Renamed" && after?.archived == true)
        }
    }

    @Test func capabilitiesAreEnforced() async throws {
        let world = try await TestWorld.make()
        let (_, reader) = try await world.otherIntegration(capabilities: try Capabilities(names: ["read_content"]))
        let (_, blind) = try await world.otherIntegration(capabilities: try Capabilities(names: ["insert_content"]))
        let (_, noEmail) = try await world.otherIntegration(
            capabilities: try Capabilities(names: ["read_content", "user_info_without_email"])
        )
        try await world.test(.router) { client in
            let search = try await client.call(.post, "/v1/search", token: blind)
            #expect(search.status == 403)
            #expect(search.code == "restricted_resource")
            #expect(search.message == "Insufficient permissions for this endpoint.")
            #expect(try await client.call(.get, "/v1/databases/\(world.sharedDatabase.id)", token: blind).status == 403)
            #expect(try await client.call(.get, "/v1/users", token: reader).status == 403)
            #expect(try await client.call(.get, "/v1/users/me", token: reader).status == 200)
            let body = #"{"parent":{"database_id":"\#(world.sharedDatabase.id)"}}"#
            #expect(try await client.call(.post, "/v1/pages", token: reader, body: body).code == "restricted_resource")
            #expect(
                try await client.call(.patch, "/v1/pages/\(world.sharedPage.id)", token: reader, body: "{}").status
                    == 403
            )

            let people = try await client.call(.get, "/v1/users", token: noEmail)
            #expect(people.status == 200)
            let person = try #require(people.results.first { $0["type"] as? String == "person" })
            #expect((person["person"] as? [String: Any])?["email"] == nil)
            let withEmail = try await client.call(.get, "/v1/users/\(world.owner.id)", token: world.token)
            #expect((withEmail.json["person"] as? [String: Any])?["email"] as? String == world.owner.email)
            #expect(try await client.call(.get, "/v1/users/\(UUID().uuidString)", token: world.token).status == 404)
        }
    }

    @Test func unknownRoutesAndOversizedBodiesGetTheErrorObject() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            for path in ["/v1/nothing", "/nothing", "/v1/users/me/extra", "/"] {
                let result = try await client.call(.get, path, token: world.token)
                #expect(result.status == 400)
                #expect(result.code == "invalid_request_url")
                #expect(!result.text.contains("<html"))
            }
            let wrongMethod = try await client.call(.delete, "/v1/users/me", token: world.token)
            #expect(wrongMethod.code == "invalid_request_url")
            let huge = "{\"query\":\"" + String(repeating: "a", count: 600 * 1024) + "\"}"
            let tooLarge = try await client.call(.post, "/v1/search", token: world.token, body: huge)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.apiError?.object == "error")
            let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            let nested = try await client.call(.post, "/v1/search", token: world.token, body: deep)
            #expect(nested.status == 400)
            #expect(try await client.call(.get, "/healthz", token: nil, version: nil).json["status"] as? String == "ok")
        }
    }
}

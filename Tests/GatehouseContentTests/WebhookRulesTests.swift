import Foundation
import GatehouseContent
import GatehouseCore
import Testing

/// The pure webhook rules: signatures, tokens, event names per API version, the envelope, the
/// aggregation of a batch, retries, schema changes and the URLs a subscription may name.
@Suite struct WebhookRulesTests {
    static let time = Date(epochMilliseconds: 1_765_000_000_123)

    static func event(
        _ type: WebhookEventType,
        _ entity: String,
        data: JSONValue = [:],
        author: String = "bot-1",
        id: String = UUIDv4.string(),
        entityType: String = "page"
    ) -> WebhookEvent {
        WebhookEvent(
            id: id,
            workspaceID: "ws",
            type: type,
            entity: WebhookEntity(type: entityType, id: entity),
            subjectKind: "page",
            subjectID: entity,
            authors: [WebhookAuthor(id: author, type: "bot")],
            data: data,
            occurredAt: time
        )
    }

    static func subscription(version: String = "2026-03-11") -> WebhookSubscription {
        WebhookSubscription(
            id: "sub",
            integrationID: "int",
            url: "https://example.com/h",
            eventTypes: [],
            apiVersion: version,
            status: .active,
            createdAt: time
        )
    }

    @Test func theSignatureIsTheHexHMACOfTheBodyKeyedWithTheToken() {
        // Computed independently with Python's hmac module.
        let body = Array(#"{"id":"1782edd6","type":"page.created"}"#.utf8)
        #expect(
            WebhookSignature.header(for: body, verificationToken: "verification-token-for-tests")
                == "sha256=be8f0a3cd055f87a9e5e8aa4f63359ac98af73019aa69046580e0b374f48590f"
        )
    }

    @Test func tokensLookLikeNotionsAndAreCheckedByDigest() {
        let token = WebhookVerificationToken.make()
        #expect(token.hasPrefix("secret_") && token.count == 50)
        #expect(token.dropFirst(7).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(token != WebhookVerificationToken.make())
        #expect(
            WebhookVerificationToken.digest("secret_abc")
                == "75a535adef0ff8df4a9fa66ed2a690efc768a6a7d503ea35ad76b34784b39dc3"
        )
        let digest = WebhookVerificationToken.digest(token)
        #expect(WebhookVerificationToken.matches(token, digest: digest))
        #expect(!WebhookVerificationToken.matches(token + "x", digest: digest))
        #expect(!WebhookVerificationToken.matches(token, digest: String(digest.dropLast())))
    }

    @Test func eventListsTakeEitherVersionsNamesAndRefuseUnknownOnes() throws {
        #expect(
            try WebhookEventType.list(parsing: "page.created, database.schema_updated,comment.created page.created")
                == [.pageCreated, .dataSourceSchemaUpdated, .commentCreated]
        )
        #expect(throws: WebhookSubscriptionError.unknownEventType("page.exploded")) {
            try WebhookEventType.list(parsing: "page.created,page.exploded")
        }
        #expect(try WebhookEventType.list(parsing: "") == [])
    }

    @Test func olderVersionsKnowDataSourceEventsByTheirDatabasesNames() {
        #expect(WebhookEventType.dataSourceSchemaUpdated.named(forVersion: "2022-06-28") == "database.schema_updated")
        #expect(WebhookEventType.dataSourceContentUpdated.named(forVersion: "2022-06-28") == "database.content_updated")
        #expect(WebhookEventType.dataSourceCreated.named(forVersion: "2022-06-28") == nil)
        #expect(WebhookEventType.dataSourceCreated.named(forVersion: "2025-09-03") == "data_source.created")
        #expect(WebhookEventType.databaseCreated.named(forVersion: "2022-06-28") == "database.created")
        #expect(!Self.subscription(version: "2022-06-28").wants(.dataSourceMoved))
        #expect(Self.subscription().wants(.dataSourceMoved))
        var narrowed = Self.subscription()
        narrowed.eventTypes = [.commentCreated]
        #expect(narrowed.wants(.commentCreated) && !narrowed.wants(.pageCreated))
        narrowed.status = .paused
        #expect(!narrowed.wants(.commentCreated))
        #expect(WebhookEventType.commentCreated.neededCapability == .readComments)
        #expect(WebhookEventType.pageDeleted.neededCapability == .readContent)
    }

    @Test func theEnvelopeHasNotionsMembersInNotionsOrder() throws {
        let parent: JSONValue = ["id": "db", "type": "database", "data_source_id": "ds"]
        let event = Self.event(.pageCreated, "page-1", data: ["parent": parent])
        let forInternal = try #require(
            WebhookEnvelope.body(of: event, for: Self.subscription(), workspaceName: "Acme", accessibleBy: nil)
        )
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(forInternal.utf8)) as? [String: Any])
        #expect(parsed["timestamp"] as? String == "2025-12-06T05:46:40.123Z")
        #expect(parsed["attempt_number"] as? Int == 1 && parsed["api_version"] as? String == "2026-03-11")
        #expect(
            forInternal.hasPrefix(
                #"{"id":"\#(event.id)","timestamp":"2025-12-06T05:46:40.123Z","workspace_id":"ws","workspace_name":"Acme","subscription_id":"sub","integration_id":"int","type":"page.created","authors":[{"id":"bot-1","type":"bot"}],"attempt_number":1,"api_version":"2026-03-11","entity":{"id":"page-1","type":"page"},"data":{"parent":{"id":"db","type":"database","data_source_id":"ds"}}}"#
            )
        )
        let installed = try #require(
            WebhookEnvelope.body(
                of: event,
                for: Self.subscription(),
                workspaceName: "Acme",
                accessibleBy: [WebhookAuthor(id: "u", type: "person"), WebhookAuthor(id: "b", type: "bot")]
            )
        )
        #expect(
            installed.contains(
                #""accessible_by":[{"id":"u","type":"person"},{"id":"b","type":"bot"}],"attempt_number":1"#
            )
        )
        let old = try #require(
            WebhookEnvelope.body(
                of: event,
                for: Self.subscription(version: "2022-06-28"),
                workspaceName: "Acme",
                accessibleBy: nil
            )
        )
        #expect(old.contains(#""data":{"parent":{"id":"db","type":"database"}}"#))
        #expect(
            WebhookEnvelope.body(
                of: Self.event(.dataSourceCreated, "x"),
                for: Self.subscription(version: "2022-06-28"),
                workspaceName: "Acme",
                accessibleBy: nil
            ) == nil
        )
    }

    @Test func aLaterAttemptChangesOnlyTheAttemptNumber() throws {
        // A workspace name that spells the member cannot be mistaken for it: its quotes are escaped.
        let body = try #require(
            WebhookEnvelope.body(
                of: Self.event(.pageCreated, "p"),
                for: Self.subscription(),
                workspaceName: #"x","attempt_number":1,"y"#,
                accessibleBy: nil
            )
        )
        let third = WebhookEnvelope.attempt(3, of: body)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(third.utf8)) as? [String: Any])
        #expect(parsed["attempt_number"] as? Int == 3)
        #expect(parsed["workspace_name"] as? String == #"x","attempt_number":1,"y"#)
        #expect(third.replacingOccurrences(of: #""attempt_number":3,"#, with: #""attempt_number":1,"#) == body)
        #expect(WebhookEnvelope.attempt(1, of: body) == body)
        #expect(
            WebhookEnvelope.verification(token: "secret_x").serialized()
                == Data(#"{"verification_token":"secret_x"}"#.utf8)
        )
    }

    @Test func aBatchIsAggregatedAsNotionAggregatesIt() {
        let blocks: (String) -> JSONValue = { ["updated_blocks": [["id": .string($0), "type": "block"]]] }
        let merged = WebhookAggregation.merge([
            Self.event(.pageContentUpdated, "p", data: blocks("b1"), author: "bot-1"),
            Self.event(.commentCreated, "c1"),
            Self.event(.commentCreated, "c2"),
            Self.event(.pageContentUpdated, "p", data: blocks("b2"), author: "person-2"),
            Self.event(.pageContentUpdated, "p", data: blocks("b1"), author: "bot-1", id: "last"),
            Self.event(.pageCreated, "brief"),
            Self.event(.pagePropertiesUpdated, "brief", data: ["updated_properties": ["title"]]),
            Self.event(.pageDeleted, "brief"),
            Self.event(.pagePropertiesUpdated, "q", data: ["updated_properties": ["a"]]),
            Self.event(.pagePropertiesUpdated, "q", data: ["updated_properties": ["b", "a"]]),
        ])
        #expect(merged.map(\.type) == [.pageContentUpdated, .commentCreated, .commentCreated, .pagePropertiesUpdated])
        #expect(merged[0].id == "last")
        #expect(merged[0].authors.map(\.id) == ["bot-1", "person-2"])
        #expect(merged[0].data["updated_blocks"] == [["id": "b2", "type": "block"], ["id": "b1", "type": "block"]])
        #expect(merged[3].data["updated_properties"] == ["b", "a"])
    }

    @Test func onlyTheOutcomeOfCreationsAndTrashIsTold() {
        let merged = WebhookAggregation.merge([
            // Created, trashed, restored: it exists, so its creation alone.
            Self.event(.pageCreated, "kept"),
            Self.event(.pageDeleted, "kept"),
            Self.event(.pageUndeleted, "kept"),
            // Trashed and restored: as it was, so nothing of that.
            Self.event(.pageDeleted, "back"),
            Self.event(.pageUndeleted, "back"),
            Self.event(.pagePropertiesUpdated, "back", data: ["updated_properties": ["title"]]),
            // Restored, trashed, restored: out of the trash, told once.
            Self.event(.pageUndeleted, "out"),
            Self.event(.pageDeleted, "out"),
            Self.event(.pageUndeleted, "out", id: "last-restore"),
            // A database created and its first data source (the same id) trashed: two entities.
            Self.event(.databaseCreated, "db", entityType: "database"),
            Self.event(.dataSourceDeleted, "db", entityType: "data_source"),
        ])
        #expect(
            merged.map { "\($0.type.rawValue) \($0.entity.id)" } == [
                "page.created kept", "page.properties_updated back", "page.undeleted out", "database.created db",
                "data_source.deleted db",
            ]
        )
        #expect(merged[2].id == "last-restore")
    }

    @Test func retriesBackOffForADayThenStop() {
        let schedule = WebhookRetrySchedule.standard
        #expect(schedule.maximumAttempts == 8)
        var time = Self.time
        for attempt in 1...7 {
            time = schedule.nextAttempt(after: attempt, failedAt: time)!
        }
        #expect(time.timeIntervalSince(Self.time) == 84_000)
        #expect(schedule.nextAttempt(after: 8, failedAt: time) == nil)
        #expect(WebhookRetrySchedule(delays: []).nextAttempt(after: 1, failedAt: time) == nil)
    }

    @Test func schemaChangesNameWhatWasCreatedChangedAndDeleted() {
        func property(_ id: String, _ name: String, _ type: PropertyType) -> PropertyDefinition {
            PropertyDefinition(id: id, name: name, type: type)
        }
        let old = DataSourceSchema(properties: [
            property("title", "Name", .title), property("a", "Due", .date), property("b", "Gone", .number),
        ])
        let new = DataSourceSchema(properties: [
            property("title", "Name", .title), property("a", "Deadline", .date), property("c", "Owner", .people),
        ])
        #expect(
            WebhookSchemaChanges.between(old, new) == [
                ["id": "a", "name": "Deadline", "action": "updated"],
                ["id": "c", "name": "Owner", "action": "created"],
                ["id": "b", "name": nil, "action": "deleted"],
            ]
        )
        #expect(WebhookSchemaChanges.between(old, old).isEmpty)
    }

    @Test func aURLMustBeHTTPSOrLocalAndCarryNoCredentials() throws {
        #expect(try WebhookTargetURL.validated("https://hooks.example.com/notion?x=1").host == "hooks.example.com")
        #expect(try WebhookTargetURL.validated("http://localhost:3000/hooks").port == 3000)
        #expect(try WebhookTargetURL.validated("http://127.0.0.1/hooks").host == "127.0.0.1")
        #expect(try WebhookTargetURL.validated("http://[::1]:8080/").port == 8080)
        for refused in [
            "http://hooks.example.com/", "ftp://example.com/", "/relative", "https://", "https://user:pw@example.com/",
            "https://example.com/#fragment", "https://example.com/" + String(repeating: "a", count: 2_000),
            "javascript:alert(1)",
        ] {
            #expect(throws: WebhookSubscriptionError.self, "\(refused.prefix(40))") {
                try WebhookTargetURL.validated(refused)
            }
        }
    }
}

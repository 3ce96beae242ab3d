import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// Browser sessions and server keys, on each engine.
@Suite(.timeLimit(.minutes(1))) struct SessionStoreTests {
    static func session(for person: Person, at time: Date = Fixtures.now) -> (String, SessionRecord) {
        let token = Fixtures.id()
        return (
            token,
            SessionRecord(
                digest: TokenDigest(of: token),
                userID: person.id,
                createdAt: time,
                expiresAt: time.addingTimeInterval(3_600)
            )
        )
    }

    static func seedPerson(_ store: SQLStore) async throws -> Person {
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let person = Fixtures.person(in: workspace)
        try await store.createPerson(person)
        return person
    }

    @Test(arguments: StoreEngine.available)
    func lastSeenIsStoredAndTouched(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let person = try await Self.seedPerson(store)
        let (_, session) = Self.session(for: person)
        try await store.createSession(session)
        #expect(try await store.session(digest: session.digest)?.lastSeenAt == Fixtures.now)
        let later = Fixtures.now.addingTimeInterval(120)
        try await store.touchSession(digest: session.digest, at: later)
        #expect(try await store.session(digest: session.digest)?.lastSeenAt == later)
        #expect(try await store.session(digest: session.digest)?.expiresAt == session.expiresAt)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aPasswordChangeEndsEveryOtherSessionOfThatPersonOnly(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let person = try await Self.seedPerson(store)
        let bystander = try await Self.seedPerson(store)
        let (_, kept) = Self.session(for: person)
        let (_, other) = Self.session(for: person)
        let (_, theirs) = Self.session(for: bystander)
        for session in [kept, other, theirs] { try await store.createSession(session) }
        #expect(try await store.setPassword(userID: person.id, hash: "$2b$04$new", keeping: kept.digest))
        #expect(try await store.person(id: person.id)?.passwordHash == "$2b$04$new")
        #expect(try await store.session(digest: kept.digest) != nil)
        #expect(try await store.session(digest: other.digest) == nil)
        #expect(try await store.session(digest: theirs.digest) != nil)
        #expect(try await store.setPassword(userID: Fixtures.id(), hash: "$2b$04$x", keeping: nil) == false)
        #expect(try await store.deleteSessions(userID: person.id, keeping: nil) == 1)
        #expect(try await store.session(digest: kept.digest) == nil)
        #expect(try await store.session(digest: theirs.digest) != nil)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aSecondFactorStepIsUsedOnceAndAResetEndsSessions(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let person = try await Self.seedPerson(store)
        #expect(try await store.secondFactor(userID: person.id) == nil)
        #expect(try await store.useSecondFactorStep(userID: person.id, step: 10) == false)
        try await store.setSecondFactor(userID: person.id, sealedSecret: "sealed", step: 10)
        #expect(
            try await store.secondFactor(userID: person.id) == SecondFactorRecord(sealedSecret: "sealed", lastStep: 10)
        )
        #expect(try await store.useSecondFactorStep(userID: person.id, step: 10) == false)
        let racing = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 { group.addTask { try await store.useSecondFactorStep(userID: person.id, step: 11) } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(racing.filter { $0 }.count == 1)
        let (_, session) = Self.session(for: person)
        try await store.createSession(session)
        #expect(try await store.clearSecondFactor(userID: person.id))
        #expect(try await store.secondFactor(userID: person.id) == nil)
        #expect(try await store.session(digest: session.digest) == nil)
        #expect(try await store.clearSecondFactor(userID: person.id) == false)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func everyNodeReadsTheFirstStoredServerKey(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let first = try await engine.open(sqlitePath: path)
        let second = try await engine.open(sqlitePath: path)
        let name = "test-key-\(Fixtures.id())"
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<6 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask { try await store.serverKey(named: name, make: { "key-\(index)" }, at: Date()) }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys.count == 1)
        #expect(try await second.serverKey(named: name, make: { "another" }, at: Date()) == keys.first)
        await first.shutdown()
        await second.shutdown()
    }
}

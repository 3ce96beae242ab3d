import Foundation
import GatehouseCore
import Testing

@testable import GatehouseStore

/// File uploads and their parts on both engines: bytes kept exactly, a refused change writing
/// nothing, listings newest first by status and cursor.
@Suite struct FileUploadStoreTests {
    struct Refused: Error {}

    static func upload(
        by bot: String,
        in workspace: Workspace,
        at time: Date = Fixtures.now,
        expiresAt: Date? = nil,
        mode: FileUploadRecord.Mode = .multiPart
    ) -> FileUploadRecord {
        FileUploadRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            createdBy: bot,
            createdAt: time,
            lastEditedAt: time,
            expiresAt: expiresAt ?? time.addingTimeInterval(3600),
            storedStatus: .pending,
            mode: mode,
            filename: "clip.mp4",
            contentType: "application/mp4",
            numberOfParts: mode == .multiPart ? 2 : nil
        )
    }

    @Test(arguments: StoreEngine.available)
    func partsAreStoredExactlyAndJoinedInOrder(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let upload = Self.upload(by: "bot", in: workspace)
        try await store.createFileUpload(upload)
        #expect(try await store.fileUpload(id: upload.id) == upload)

        let second = Data((0..<300).map { UInt8($0 % 256) })
        let first = Data([0, 255, 13, 10, 0, 1])
        let afterSecond = try await store.storeFilePart(uploadID: upload.id, number: 2, content: second) {
            stored,
            sizes in
            #expect(sizes == [2: 300])
            var changed = stored
            changed.partsSent = sizes.count
            changed.contentLength = sizes.values.reduce(0, +)
            return changed
        }
        #expect(afterSecond?.partsSent == 1)
        // Part 1 sent twice: the second replaces the first.
        for content in [Data([9, 9, 9]), first] {
            _ = try await store.storeFilePart(uploadID: upload.id, number: 1, content: content) { stored, sizes in
                var changed = stored
                changed.partsSent = sizes.count
                changed.contentLength = sizes.values.reduce(0, +)
                return changed
            }
        }
        let stored = try #require(try await store.fileUpload(id: upload.id))
        #expect(stored.partsSent == 2 && stored.contentLength == 306)
        #expect(try await store.fileContent(uploadID: upload.id) == first + second)
        #expect(try await store.fileParts(uploadID: upload.id).map(\.size) == [6, 300])
        #expect(
            try await store.filePartSlice(uploadID: upload.id, number: 2, offset: 250, length: 100) == second.suffix(50)
        )
        #expect(try await store.filePartSlice(uploadID: upload.id, number: 1, offset: 1, length: 2) == first[1..<3])
        #expect(try await store.filePartSlice(uploadID: upload.id, number: 3, offset: 0, length: 2) == nil)

        // A refused part writes neither its bytes nor the upload.
        await #expect(throws: Refused.self) {
            try await store.storeFilePart(uploadID: upload.id, number: 2, content: Data([1])) { _, _ in throw Refused()
            }
        }
        #expect(try await store.fileContent(uploadID: upload.id) == first + second)
        #expect(try await store.fileUpload(id: upload.id) == stored)

        let completed = try await store.changeFileUpload(id: upload.id) { stored in
            var changed = stored
            changed.storedStatus = .uploaded
            changed.expiresAt = nil
            return changed
        }
        #expect(try await store.fileUpload(id: upload.id) == completed)
        #expect(completed?.storedStatus == .uploaded && completed?.expiresAt == nil)
        #expect(try await store.changeFileUpload(id: Fixtures.id()) { $0 } == nil)
        #expect(try await store.storeFilePart(uploadID: Fixtures.id(), number: 1, content: first) { s, _ in s } == nil)
        #expect(try await store.fileContent(uploadID: Fixtures.id()) == nil)
    }

    @Test(arguments: StoreEngine.available)
    func aBotListsItsOwnUploadsNewestFirstByStatusFromACursor(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let now = Fixtures.now
        // A bot of this test alone: PostgreSQL's test database is shared by every test.
        let bot = Fixtures.id()
        var uploads: [FileUploadRecord] = []
        for minute in 0..<5 {
            var upload = Self.upload(by: bot, in: workspace, at: now.addingTimeInterval(Double(minute) * 60))
            if minute == 1 { upload.storedStatus = .failed }
            if minute == 2 { upload.storedStatus = .uploaded }
            if minute == 3 { upload.expiresAt = now.addingTimeInterval(-1) }  // pending, past its expiry
            try await store.createFileUpload(upload)
            uploads.append(upload)
        }
        try await store.createFileUpload(Self.upload(by: "another-bot", in: workspace))
        func listed(
            _ status: FileUploadRecord.Status? = nil,
            from cursor: String? = nil,
            limit: Int = 10
        ) async throws
            -> [String]
        {
            try await store.fileUploads(createdBy: bot, status: status, at: now, from: cursor, limit: limit).map(\.id)
        }
        let newestFirst = uploads.reversed().map(\.id)
        #expect(try await listed() == newestFirst)
        #expect(try await listed(limit: 2) == Array(newestFirst.prefix(2)))
        #expect(try await listed(from: newestFirst[2], limit: 2) == Array(newestFirst[2...3]))
        #expect(try await listed(.pending) == [uploads[4].id, uploads[0].id])
        #expect(try await listed(.expired) == [uploads[3].id])
        #expect(try await listed(.uploaded) == [uploads[2].id])
        #expect(try await listed(.failed) == [uploads[1].id])
        #expect(try await listed(from: Fixtures.id()) == [])
    }
}

/// The janitor deletes uploads that expired without being attached, with their bytes, and keeps
/// attached ones whatever their age.
@Suite struct FileUploadPurgeTests {
    @Test(arguments: StoreEngine.available)
    func expiredUnattachedUploadsAreDeletedWithTheirParts(engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let longAgo = Date().addingTimeInterval(-30 * 86_400)
        let bot = Fixtures.id()
        let stale = FileUploadStoreTests.upload(by: bot, in: workspace, at: longAgo, mode: .singlePart)
        var attached = FileUploadStoreTests.upload(by: bot, in: workspace, at: longAgo, mode: .singlePart)
        attached.expiresAt = nil
        let fresh = FileUploadStoreTests.upload(by: bot, in: workspace, mode: .singlePart)
        for upload in [stale, attached, fresh] {
            try await store.createFileUpload(upload)
            _ = try await store.storeFilePart(uploadID: upload.id, number: 1, content: Data([1, 2, 3])) { upload, _ in
                upload
            }
        }
        try await store.purge(
            credentialsBefore: Date().addingTimeInterval(-7 * 86_400),
            rateLimitsBefore: longAgo,
            changesBefore: longAgo,
            successorsBefore: longAgo
        )
        #expect(try await store.fileUpload(id: stale.id) == nil)
        #expect(try await store.fileParts(uploadID: stale.id).isEmpty)
        #expect(try await store.fileUpload(id: attached.id) != nil)
        #expect(try await store.fileContent(uploadID: attached.id) == Data([1, 2, 3]))
        #expect(try await store.fileParts(uploadID: fresh.id).map(\.size) == [3])
    }
}

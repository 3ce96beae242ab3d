import Foundation
import GatehouseContent
import GatehouseCore
import Testing

/// The File Upload API's rules: create requests, parts received, completion and expiry.
@Suite struct FileUploadRulesTests {
    static let now = Date(epochMilliseconds: 1_780_000_000_000)
    static let mebibyte: Int64 = 1 << 20

    static func creation(_ json: String) throws -> FileUploadRules.Creation {
        try FileUploadRules.creation(from: try JSONValue.parse(Data(json.utf8)))
    }

    static func refusal(_ json: String) -> String? {
        do {
            _ = try creation(json)
            return nil
        } catch let error as ContentValidationError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    static func upload(
        _ mode: FileUploadRecord.Mode,
        parts: Int? = nil,
        type: String? = nil,
        name: String? = nil
    )
        -> FileUploadRecord
    {
        FileUploadRecord(
            id: "f",
            workspaceID: "w",
            createdBy: "bot",
            createdAt: now,
            lastEditedAt: now,
            expiresAt: now.addingTimeInterval(FileUploadRules.lifetime),
            storedStatus: .pending,
            mode: mode,
            filename: name,
            contentType: type,
            numberOfParts: parts
        )
    }

    static func receive(
        _ part: FileUploadRules.Part,
        as number: Int = 1,
        into upload: FileUploadRecord,
        sizes: [Int: Int64]? = nil,
        limit: Int64 = 5 << 20
    ) throws -> FileUploadRecord {
        try FileUploadRules.receiving(
            part,
            as: number,
            into: upload,
            sizes: sizes ?? [number: part.size],
            maximumFileSize: limit,
            at: now
        )
    }

    @Test func aCreateRequestDefaultsToSinglePartAndInfersWhatItCan() throws {
        #expect(try Self.creation("{}") == FileUploadRules.Creation(mode: .singlePart))
        let named = try Self.creation(#"{"filename": "Report.PDF"}"#)
        #expect(named.filename == "Report.PDF" && named.contentType == "application/pdf")
        let typed = try Self.creation(#"{"filename": "photo", "content_type": "image/png; charset=binary"}"#)
        #expect(typed.filename == "photo.png" && typed.contentType == "image/png")
        let video = try Self.creation(#"{"mode": "multi_part", "filename": "clip.mp4", "number_of_parts": 2}"#)
        #expect(video.contentType == "application/mp4" && video.numberOfParts == 2)
    }

    @Test func aCreateRequestIsRefusedInTheAPIsWords() {
        #expect(
            Self.refusal(#"{"filename": "notes.md"}"#)
                == "Provided `filename` has an extension that is not supported for the File Upload API."
        )
        #expect(
            Self.refusal(#"{"content_type": "audio/x-wav"}"#)
                == "The content type audio/x-wav is not supported for the File Upload API."
        )
        #expect(
            Self.refusal(#"{"filename": "a.png", "content_type": "image/jpeg"}"#)?.contains("does not match") == true
        )
        #expect(Self.refusal(#"{"mode": "chunks"}"#)?.hasPrefix("body.mode should be one of") == true)
        #expect(Self.refusal(#"{"mode": "multi_part", "number_of_parts": 2}"#)?.hasPrefix("body.filename") == true)
        #expect(
            Self.refusal(#"{"mode": "multi_part", "filename": "a.mp4", "number_of_parts": 1001}"#)?
                .hasPrefix("body.number_of_parts should be an integer between 1 and 1000") == true
        )
        #expect(Self.refusal(#"{"mode": "multi_part", "filename": "a.mp4", "number_of_parts": 1.5}"#) != nil)
        #expect(
            Self.refusal(#"{"mode": "external_url", "filename": "a.pdf", "external_url": "http://example.com/a.pdf"}"#)?
                .hasPrefix("body.external_url should be an https URL") == true
        )
        let long = String(repeating: "é", count: 449) + ".png"  // 902 bytes
        #expect(
            Self.refusal(#"{"filename": "\#(long)"}"#)?.hasPrefix("body.filename should be at most 900 bytes") == true
        )
        #expect(Self.refusal(#"{"filename": 7}"#)?.hasPrefix("body.filename should be a string") == true)
    }

    @Test func aSinglePartSendUploadsAtOnceNamedAndTypedByThePart() throws {
        let received = try Self.receive(
            FileUploadRules.Part(number: nil, size: 4, contentType: "text/plain", filename: "notes"),
            into: Self.upload(.singlePart)
        )
        #expect(received.storedStatus == .uploaded && received.status(at: Self.now) == .uploaded)
        #expect(received.filename == "notes.txt" && received.contentType == "text/plain")
        #expect(received.contentLength == 4 && received.partsSent == 1)
        // A part typed only application/octet-stream takes the type the upload has.
        let typed = try Self.receive(
            FileUploadRules.Part(number: nil, size: 4, contentType: "application/octet-stream", filename: "blob"),
            into: Self.upload(.singlePart, type: "image/png")
        )
        #expect(typed.contentType == "image/png" && typed.filename == "blob.png")
    }

    @Test func aPartBreakingTheRulesIsRefused() {
        let part = { (size: Int64, type: String?) in
            FileUploadRules.Part(number: nil, size: size, contentType: type, filename: "a.png")
        }
        #expect(throws: ContentValidationError.self) {
            try Self.receive(part(21 * Self.mebibyte, "image/png"), into: Self.upload(.singlePart), limit: 1 << 40)
        }
        #expect(throws: ContentValidationError.self) {
            try Self.receive(part(4, "image/jpeg"), into: Self.upload(.singlePart, type: "image/png"))
        }
        #expect(throws: ContentValidationError.self) {
            try Self.receive(part(4, "application/octet-stream"), into: Self.upload(.singlePart))
        }
        do {
            _ = try Self.receive(part(6 * Self.mebibyte, "image/png"), into: Self.upload(.singlePart))
            Issue.record("a file over the plan's limit was taken")
        } catch let error as ContentValidationError {
            #expect(
                error.message
                    == "The file size is not within the allowed limit of 5 MiB. Please try again with a new file upload."
            )
        } catch { Issue.record("\(error)") }
        var uploaded = Self.upload(.singlePart)
        uploaded.storedStatus = .uploaded
        #expect(throws: ContentValidationError.self) { try Self.receive(part(4, "image/png"), into: uploaded) }
        var expired = Self.upload(.singlePart)
        expired.expiresAt = Self.now
        #expect(expired.status(at: Self.now) == .expired)
        #expect(throws: ContentValidationError.self) { try Self.receive(part(4, "image/png"), into: expired) }
        #expect(throws: ContentValidationError.self) {
            try Self.receive(part(4, "image/png"), into: Self.upload(.externalURL, name: "a.png"))
        }
    }

    @Test func aMultiPartUploadTakesNumberedPartsAndCompletesOnceAllArrived() throws {
        let video = Self.upload(.multiPart, parts: 3, type: "application/mp4", name: "clip.mp4")
        func part(_ number: String?, _ size: Int64) -> FileUploadRules.Part {
            FileUploadRules.Part(number: number, size: size, contentType: "application/mp4", filename: "clip.mp4")
        }
        #expect(try FileUploadRules.partNumber(of: part("2", 1), in: video) == 2)
        #expect(throws: ContentValidationError.self) { try FileUploadRules.partNumber(of: part(nil, 1), in: video) }
        #expect(throws: ContentValidationError.self) { try FileUploadRules.partNumber(of: part("4", 1), in: video) }
        #expect(throws: ContentValidationError.self) { try FileUploadRules.partNumber(of: part("None", 1), in: video) }
        // Every part but the last is 5 to 20 MiB.
        #expect(throws: ContentValidationError.self) {
            try Self.receive(part("1", 4 * Self.mebibyte), as: 1, into: video, limit: 1 << 40)
        }
        let first = try Self.receive(part("1", 5 * Self.mebibyte), as: 1, into: video, limit: 1 << 40)
        #expect(first.storedStatus == .pending && first.partsSent == 1 && first.contentLength == 5 * Self.mebibyte)
        let last = try Self.receive(
            part("3", 10),
            as: 3,
            into: first,
            sizes: [1: 5 * Self.mebibyte, 3: 10],
            limit: 1 << 40
        )
        #expect(last.partsSent == 2 && last.storedStatus == .pending)
        #expect(throws: ContentValidationError.self) { try FileUploadRules.completing(last, at: Self.now) }
        var all = last
        all.partsSent = 3
        let completed = try FileUploadRules.completing(all, at: Self.now)
        #expect(completed.status(at: Self.now) == .uploaded)
        #expect(throws: ContentValidationError.self) { try FileUploadRules.completing(completed, at: Self.now) }
        #expect(throws: ContentValidationError.self) {
            try FileUploadRules.completing(Self.upload(.singlePart), at: Self.now)
        }
    }

    @Test func eachBlockShowsItsKindOfFile() {
        #expect(FileUploadPlacement.block(.image).accepts("image/svg+xml"))
        #expect(!FileUploadPlacement.block(.image).accepts("application/pdf"))
        #expect(FileUploadPlacement.block(.video).accepts("application/mp4"))
        #expect(!FileUploadPlacement.block(.video).accepts("text/plain"))
        #expect(FileUploadPlacement.block(.audio).accepts("audio/wav"))
        #expect(FileUploadPlacement.block(.pdf).accepts("application/pdf"))
        #expect(!FileUploadPlacement.block(.pdf).accepts("image/png"))
        #expect(FileUploadPlacement.block(.file).accepts("application/json"))
        #expect(FileUploadPlacement.block(.image).described == "an image block")
    }

    @Test func theLimitsFollowThePlanAndTheTypeTableIsConsistent() {
        #expect(FileUploadRules.maximumFileSize(for: .free) == 5_242_880)
        #expect(FileUploadRules.maximumFileSize(for: .pro) == 5_368_709_120)
        #expect(FileTypes.types(forExtension: "jpg") == ["image/jpeg"])
        #expect(FileTypes.preferredExtension(for: "video/mp4") == "mp4")
        #expect(FileTypes.preferredExtension(for: "text/plain") == "txt")
        #expect(FileTypes.fileExtension(of: ".profile") == nil && FileTypes.fileExtension(of: "a.tar.GZ") == "gz")
        #expect(!FileTypes.isSupported(type: "text/markdown") && FileTypes.isSupported(type: "IMAGE/PNG"))
    }
}

/// Uploaded files in `files` values: stored by id, named after their file, shown as hosted files.
@Suite struct PropertyFilesTests {
    struct Links: MentionResolver {
        func userName(id: String) -> String? { nil }
        func pageTitle(id: String) -> String? { nil }
        func databaseTitle(id: String) -> String? { nil }
        func fileLink(uploadID: String, name: String?) -> FileLink? {
            FileLink(url: "https://files.example/\(uploadID)/\(name ?? "file")", expiryTime: "2026-12-07T22:00:00.000Z")
        }
    }

    @Test func anUploadedFileIsStoredByIdNamedAndRenderedAsAHostedFile() throws {
        let schema = DataSourceSchema(properties: [
            PropertyDefinition(id: "title", name: "Name", type: .title),
            PropertyDefinition(id: "f", name: "Files", type: .files),
        ])
        var ids = SeededShortIds(seed: 1)
        let write = try PropertyValueParser(schema: schema).parse(
            try JSONValue.parse(
                Data(
                    #"{"Files": {"files": [{"file_upload": {"id": "21ad8e4e98ab814e8d9600b2ded97d6c"}}, {"name": "Site", "external": {"url": "https://example.com/"}}]}}"#
                        .utf8
                )
            ),
            ids: &ids
        )
        let id = "21ad8e4e-98ab-814e-8d96-00b2ded97d6c"
        #expect(write.referencedFileUploads == [id])
        guard case .files(let entries)? = write.values["f"] else {
            Issue.record("no files value")
            return
        }
        #expect(PropertyFiles.uploadID(entries[0]) == id && PropertyFiles.uploadID(entries[1]) == nil)
        let named = PropertyFiles.naming(entries, [id: "report.pdf"])
        #expect(named[0]["name"] == "report.pdf" && named[1] == entries[1])
        let rendered = PropertyValueRenderer(schema: schema, resolver: Links(), version: NotionVersion("2025-09-03")!)
            .render(
                ["f": .files(named)],
                metadata: PageMetadata(createdTime: 0, lastEditedTime: 0, createdBy: "u", lastEditedBy: "u")
            )
        guard case .array(let shown)? = rendered["Files"]?["files"], shown.count == 2 else {
            Issue.record("files not rendered: \(rendered)")
            return
        }
        #expect(shown[0]["type"] == "file")
        #expect(shown[0]["file"]?["url"] == .string("https://files.example/\(id)/report.pdf"))
        #expect(shown[1]["external"]?["url"] == "https://example.com/")
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import Testing

/// ``PageAppearance``: a page's `icon` and `cover` as create and update page send them.
@Suite struct PageAppearanceTests {
    private static func parse(_ body: JSONValue) throws -> PageAppearance { try PageAppearance.parse(body) }

    @Test func iconsAndCoversAreSetRemovedOrLeftAlone() throws {
        let set = try Self.parse([
            "icon": ["emoji": "📝"], "cover": ["type": "external", "external": ["url": "https://example.com/c.png"]],
        ])
        #expect(set == PageAppearance(icon: .some(.emoji("📝")), cover: .some("https://example.com/c.png")))
        let external = try Self.parse(["icon": ["type": "external", "external": ["url": "https://example.com/i.png"]]])
        #expect(external.icon == .some(.external(url: "https://example.com/i.png")))
        #expect(external.cover == nil)
        let removed = try Self.parse(["icon": nil, "cover": nil])
        #expect(removed == PageAppearance(icon: .some(nil), cover: .some(nil)))

        var page = PageRecord(
            id: "p",
            workspaceID: "w",
            title: "T",
            parent: .workspace,
            createdBy: "u",
            lastEditedBy: "u",
            createdAt: .distantPast,
            lastEditedAt: .distantPast,
            icon: .emoji("👋"),
            cover: "https://example.com/old.png"
        )
        try Self.parse(["properties": [:]]).apply(to: &page)
        #expect(page.icon == .emoji("👋") && page.cover == "https://example.com/old.png")
        external.apply(to: &page)
        #expect(page.icon == .external(url: "https://example.com/i.png") && page.cover == "https://example.com/old.png")
        removed.apply(to: &page)
        #expect(page.icon == nil && page.cover == nil)
    }

    @Test func anUploadedIconOrCoverIsKeptByIdAndShownWithItsLink() throws {
        let id = "21ad8e4e-98ab-814e-8d96-00b2ded97d6c"
        let set = try Self.parse([
            "icon": ["type": "file_upload", "file_upload": ["id": "21ad8e4e98ab814e8d9600b2ded97d6c"]],
            "cover": ["file_upload": ["id": .string(id)]],
        ])
        #expect(set == PageAppearance(icon: .some(.fileUpload(id: id)), cover: .some(.fileUpload(id: id))))
        #expect(set.fileUploadPlacements.map(\.placement) == [.pageIcon, .pageCover])
        #expect(PageCover(stored: PageCover.fileUpload(id: id).stored) == .fileUpload(id: id))
        #expect(PageCover(stored: "https://example.com/c.png") == "https://example.com/c.png")
        #expect(PageAppearance.requestForm(of: PageCover.fileUpload(id: id))["file_upload"]?["id"] == .string(id))
        struct Link: MentionResolver {
            func userName(id: String) -> String? { nil }
            func pageTitle(id: String) -> String? { nil }
            func databaseTitle(id: String) -> String? { nil }
            func fileLink(uploadID: String, name: String?) -> FileLink? {
                FileLink(url: "https://files.example/\(uploadID)", expiryTime: "2026-12-07T22:00:00.000Z")
            }
        }
        let cover = PageAppearance.renderedCover(.fileUpload(id: id), resolving: Link())
        #expect(cover["type"] == "file" && cover["file"]?["url"] == .string("https://files.example/\(id)"))
        #expect(PageAppearance.renderedIcon(.emoji("📝"), resolving: Link())["emoji"] == "📝")
        #expect(
            FileUploadPlacement.pageIcon.accepts("image/png")
                && !FileUploadPlacement.pageCover.accepts("application/pdf")
        )
    }

    @Test func whatGatehouseCannotKeepIsRefusedWithItsPath() {
        let refusals: [(JSONValue, String)] = [
            (["icon": ["type": "file_upload", "file_upload": ["id": "f"]]], "body.icon.file_upload.id"),
            (["icon": ["custom_emoji": ["id": "e"]]], "body.icon.custom_emoji"),
            (["icon": ["emoji": "two words"]], "body.icon.emoji"),
            (["icon": "📝"], "body.icon"),
            (["cover": ["file_upload": ["id": "f"]]], "body.cover.file_upload.id"),
            (["cover": ["external": ["url": "not a url"]]], "body.cover.external.url"),
            (["cover": ["emoji": "📝"]], "body.cover.emoji"),
        ]
        for (body, path) in refusals {
            #expect(throws: ContentValidationError.self, "\(body)") { try Self.parse(body) }
            do {
                _ = try Self.parse(body)
            } catch let error as ContentValidationError {
                #expect(error.path == path, "\(body): \(error.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}

import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// A page's property values as the workspace view shows them, one cell each: rich text as spans,
/// options as labels, people by name, relations as links to the related pages, URLs and e-mail
/// addresses as links when safe, everything else as text. Every cell has both keys (`spans`,
/// `labels`), for the `console_value` template.
enum WorkspaceCells {
    static func cell(
        _ property: PropertyDefinition,
        of page: StoredPage,
        names: WorkspaceNames
    ) -> [String: Any] {
        let metadata = page.properties.metadata
        switch property.type {
        case .createdTime: return text(dateTime(milliseconds: metadata.createdTime))
        case .lastEditedTime: return text(dateTime(milliseconds: metadata.lastEditedTime))
        case .createdBy: return text(name(metadata.createdBy, names))
        case .lastEditedBy: return text(name(metadata.lastEditedBy, names))
        case .uniqueId:
            return text(
                metadata.uniqueNumber.map { number in (property.prefix.map { $0 + "-" } ?? "") + "\(number)" } ?? ""
            )
        case .formula, .rollup: return text("")
        default: break
        }
        guard let value = page.properties.values[property.id] else { return text("") }
        switch value {
        case .title(let richText), .richText(let richText):
            return ["spans": WorkspaceText.spans(richText, names: names), "labels": [[String: Any]]()]
        case .number(let number): return text(number.map(format) ?? "")
        case .select(let id), .status(let id):
            return labels(id.map { [$0] } ?? [], of: property)
        case .multiSelect(let ids): return labels(ids, of: property)
        case .date(let date):
            guard let date else { return text("") }
            var shown = date.start
            if let end = date.end { shown += " → " + end }
            if let zone = date.timeZone { shown += " (\(zone))" }
            return text(shown)
        case .people(let ids): return text(ids.map { name($0, names) }.joined(separator: ", "))
        case .checkbox(let checked): return text(checked ? "☑ Yes" : "☐ No")
        case .url(let url): return link(url ?? "", href: url.flatMap(WorkspaceLinks.safeHref))
        case .email(let email):
            return link(email ?? "", href: email.flatMap { WorkspaceLinks.safeHref("mailto:" + $0) })
        case .phoneNumber(let phone): return text(phone ?? "")
        case .relation(let ids):
            return [
                "spans": ids.map { id in
                    names.pages[id].map {
                        WorkspaceText.span($0.isEmpty ? "Untitled" : $0, href: WorkspaceLinks.page(id))
                    }
                        ?? WorkspaceText.span(id)
                },
                "labels": [[String: Any]](),
            ]
        case .files(let files):
            return [
                "spans": files.map { file in
                    let url = file["external"]?["url"]?.stringValue ?? file["file"]?["url"]?.stringValue ?? ""
                    let name = file["name"]?.stringValue ?? url
                    return WorkspaceText.span(name + " ", href: WorkspaceLinks.safeHref(url))
                },
                "labels": [[String: Any]](),
            ]
        }
    }

    /// The ids of the pages that relation values of `pages` point at.
    static func relatedPageIDs(_ pages: [StoredPage]) -> Set<String> {
        var ids = Set<String>()
        for page in pages {
            for case .relation(let related) in page.properties.values.values { ids.formUnion(related) }
        }
        return ids
    }

    /// The rich texts of `pages`' title and text values (for the names their mentions need).
    static func texts(_ pages: [StoredPage]) -> [RichText] {
        pages.flatMap { page in
            page.properties.values.values.compactMap { value -> RichText? in
                switch value {
                case .title(let text), .richText(let text): text
                default: nil
                }
            }
        }
    }

    private static func text(_ text: String) -> [String: Any] {
        ["spans": text.isEmpty ? [] : [WorkspaceText.span(text)], "labels": [[String: Any]]()]
    }

    private static func link(_ text: String, href: String?) -> [String: Any] {
        ["spans": text.isEmpty ? [] : [WorkspaceText.span(text, href: href)], "labels": [[String: Any]]()]
    }

    private static func labels(_ ids: [String], of property: PropertyDefinition) -> [String: Any] {
        [
            "spans": [[String: Any]](),
            "labels": ids.map { id -> [String: Any] in
                let option = property.option(id: id)
                let color = option.map(\.color).flatMap { SelectOption.colors.contains($0) ? $0 : nil } ?? "default"
                return ["name": option?.name ?? id, "color": color]
            },
        ]
    }

    private static func name(_ id: String, _ names: WorkspaceNames) -> String {
        names.users[id] ?? "Unknown user"
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    static func dateTime(milliseconds: Int64) -> String {
        ConsoleController.dateTime(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

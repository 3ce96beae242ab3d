import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// The content of the seeded sandbox, written as the API would have written it (see
/// ``ContentWriter``): a Projects and a Tasks database (status with groups, date, people, tags, a
/// relation to Projects, a number and a checkbox) with a dozen tasks, a "Getting started" page of
/// real blocks with a comment thread, and an unshared Private database.
struct SandboxContent {
    let writer: ContentWriter
    /// The workspace's owner: the tasks' assignee and the first comment's author.
    let owner: Person
    /// The demo integration's bot, which answers the comment thread.
    let botID: String

    /// What was written; the ids the seeder shares and the banner shows.
    struct Written: Sendable {
        let projects: DatabaseRecord
        let tasks: DatabaseRecord
        let gettingStarted: PageRecord
        let unshared: DatabaseRecord
    }

    func write() async throws -> Written {
        let projects = try await writer.database(title: "Projects", properties: Self.projectSchema)
        var projectIDs: [String: String] = [:]
        for (name, stage) in [("Website relaunch", "Active"), ("Public API", "Active"), ("Mobile app", "Planned")] {
            let (page, _) = try await writer.page(
                in: .dataSource(projects),
                properties: [
                    "Name": Self.title(name), "Stage": ["select": ["name": .string(stage)]],
                    "Lead": ["people": [["id": .string(owner.id)]]],
                ]
            )
            projectIDs[name] = page.record.id
        }
        var tasks = try await writer.database(title: "Tasks", properties: Self.taskSchema(projects: projects.id))
        for task in Self.tasks {
            tasks =
                try await writer.page(in: .dataSource(tasks), properties: properties(of: task, projects: projectIDs))
                .dataSource ?? tasks
        }
        let (guide, _) = try await writer.page(
            in: .workspace,
            properties: ["title": Self.title("Getting started")],
            icon: .emoji("👋")
        )
        try await writer.blocks(gettingStartedBlocks(tasks: tasks.id), on: guide.record.id)
        let question = try await writer.comment(
            on: guide.record.id,
            richText: [["text": ["content": "Which filter should I try first?"]]],
            by: owner.id,
            displayName: .custom(owner.name)
        )
        var later = writer
        later.time += 90
        try await later.comment(
            on: guide.record.id,
            richText: [
                ["text": ["content": "Query Tasks with "]],
                ["text": ["content": "Status equals In progress"], "annotations": ["code": true]],
                ["text": ["content": ", then follow a task's Project relation."]],
            ],
            discussionID: question.discussionID,
            by: botID,
            displayName: .integration
        )
        let unshared = try await writer.database(title: "Private", properties: ["Name": ["title": [:]]])
        try await writer.page(in: .dataSource(unshared), properties: ["Name": Self.title("Salaries")])
        guard let projectsDatabase = try await writer.store.database(id: projects.databaseID),
            let tasksDatabase = try await writer.store.database(id: tasks.databaseID),
            let unsharedDatabase = try await writer.store.database(id: unshared.databaseID)
        else { throw AdminError("the seeded databases were not stored") }
        return Written(
            projects: projectsDatabase,
            tasks: tasksDatabase,
            gettingStarted: guide.record,
            unshared: unsharedDatabase
        )
    }

    // MARK: Projects and tasks

    static let projectSchema: JSONValue = [
        "Name": ["title": [:]],
        "Stage": ["select": ["options": [["name": "Planned"], ["name": "Active"], ["name": "Shipped"]]]],
        "Lead": ["people": [:]],
    ]

    static func taskSchema(projects: String) -> JSONValue {
        [
            "Name": ["title": [:]],
            "Status": ["status": [:]],
            "Due": ["date": [:]],
            "Assignee": ["people": [:]],
            "Tags": [
                "multi_select": [
                    "options": [
                        ["name": "bug", "color": "red"], ["name": "feature", "color": "green"],
                        ["name": "docs", "color": "blue"], ["name": "design", "color": "purple"],
                        ["name": "security", "color": "orange"],
                    ]
                ]
            ],
            "Project": ["relation": ["data_source_id": .string(projects), "single_property": [:]]],
            "Estimate": ["number": ["format": "number"]],
            "Done": ["checkbox": [:]],
        ]
    }

    struct Task {
        let name: String
        let status: String
        /// Days from the seeding day; `nil`: no due date.
        let due: Int?
        let tags: [String]
        let project: String
        let estimate: Int?
        let assigned: Bool
    }

    static let tasks: [Task] = [
        Task(
            name: "Write the launch plan",
            status: "In progress",
            due: 3,
            tags: ["docs"],
            project: "Website relaunch",
            estimate: 3,
            assigned: true
        ),
        Task(
            name: "Review API keys",
            status: "Not started",
            due: 7,
            tags: ["security"],
            project: "Public API",
            estimate: 2,
            assigned: true
        ),
        Task(
            name: "Design the new landing page",
            status: "Done",
            due: -4,
            tags: ["design"],
            project: "Website relaunch",
            estimate: 5,
            assigned: true
        ),
        Task(
            name: "Fix the broken sign-up link",
            status: "Done",
            due: -1,
            tags: ["bug"],
            project: "Website relaunch",
            estimate: 1,
            assigned: true
        ),
        Task(
            name: "Migrate the blog",
            status: "Not started",
            due: 14,
            tags: ["feature"],
            project: "Website relaunch",
            estimate: 8,
            assigned: false
        ),
        Task(
            name: "Document pagination",
            status: "In progress",
            due: 5,
            tags: ["docs"],
            project: "Public API",
            estimate: 2,
            assigned: true
        ),
        Task(
            name: "Rate-limit the search endpoint",
            status: "In progress",
            due: 2,
            tags: ["feature", "security"],
            project: "Public API",
            estimate: 5,
            assigned: true
        ),
        Task(
            name: "Return 404 for trashed pages",
            status: "Done",
            due: -7,
            tags: ["bug"],
            project: "Public API",
            estimate: 1,
            assigned: false
        ),
        Task(
            name: "Sketch the onboarding screens",
            status: "Not started",
            due: 21,
            tags: ["design"],
            project: "Mobile app",
            estimate: 3,
            assigned: true
        ),
        Task(
            name: "Choose a push notification service",
            status: "Not started",
            due: nil,
            tags: [],
            project: "Mobile app",
            estimate: nil,
            assigned: false
        ),
        Task(
            name: "Set up crash reporting",
            status: "In progress",
            due: 10,
            tags: ["feature"],
            project: "Mobile app",
            estimate: 2,
            assigned: true
        ),
        Task(
            name: "Fix the dark mode contrast",
            status: "Not started",
            due: 9,
            tags: ["bug", "design"],
            project: "Mobile app",
            estimate: 1,
            assigned: false
        ),
    ]

    private func properties(of task: Task, projects: [String: String]) -> JSONValue {
        var properties: [(String, JSONValue)] = [
            ("Name", Self.title(task.name)),
            ("Status", ["status": ["name": .string(task.status)]]),
            ("Tags", ["multi_select": .array(task.tags.map { ["name": .string($0)] })]),
            ("Project", ["relation": [["id": .string(projects[task.project] ?? "")]]]),
            ("Done", ["checkbox": .bool(task.status == "Done")]),
        ]
        if let due = task.due { properties.append(("Due", ["date": ["start": .string(day(plus: due))]])) }
        if let estimate = task.estimate { properties.append(("Estimate", ["number": .number(Double(estimate))])) }
        if task.assigned { properties.append(("Assignee", ["people": [["id": .string(owner.id)]]])) }
        return .object(properties)
    }

    /// The seeding day plus `days`, as an ISO 8601 date (UTC).
    private func day(plus days: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(byAdding: .day, value: days, to: writer.time) ?? writer.time
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    private static func title(_ text: String) -> JSONValue {
        ["title": [["text": ["content": .string(text)]]]]
    }

    // MARK: Getting started

    private func gettingStartedBlocks(tasks: String) -> JSONValue {
        func text(_ content: String, _ annotations: JSONValue? = nil) -> JSONValue {
            guard let annotations else { return ["text": ["content": .string(content)]] }
            return ["text": ["content": .string(content)], "annotations": annotations]
        }
        func block(_ type: String, _ richText: [JSONValue], _ extra: [(String, JSONValue)] = []) -> JSONValue {
            ["type": .string(type), type: .object([("rich_text", .array(richText))] + extra)]
        }
        return [
            block("heading_1", [text("Welcome to your sandbox")]),
            block(
                "paragraph",
                [
                    text("This workspace is "), text("seeded", ["bold": true]),
                    text(" so an integration has something to read. "),
                    ["mention": ["user": ["id": .string(owner.id)]]], text(" owns it; the "),
                    ["mention": ["database": ["id": .string(tasks)]]],
                    text(" database is shared with the Demo integration, and so is "),
                    text("this page", ["italic": true]), text("."),
                ]
            ),
            block("heading_2", [text("Things to try")]),
            block("to_do", [text("Query Tasks for what is in progress")], [("checked", false)]),
            block("to_do", [text("Read this page's blocks")], [("checked", true)]),
            block("to_do", [text("Reply to the comment on this page")], [("checked", false)]),
            block(
                "bulleted_list_item",
                [text("Every task has a "), text("Status", ["code": true]), text(", a due date and tags.")]
            ),
            block(
                "bulleted_list_item",
                [text("A task's "), text("Project", ["code": true]), text(" relation points into Projects.")]
            ),
            block(
                "bulleted_list_item",
                [text("The Private database is not shared: it answers 403.", ["color": "red"])]
            ),
            block(
                "code",
                [
                    text(
                        """
                        curl -X POST http://127.0.0.1:8080/v1/data_sources/\(tasks)/query \\
                          -H "Authorization: Bearer $NOTION_API_KEY" -H "Notion-Version: 2025-09-03" \\
                          -H "Content-Type: application/json" \\
                          -d '{"filter": {"property": "Status", "status": {"equals": "In progress"}}}'
                        """
                    )
                ],
                [("language", "shell")]
            ),
            block(
                "callout",
                [text("The demo key is printed once, when the sandbox is seeded; the store keeps only its hash.")],
                [("icon", ["type": "emoji", "emoji": "💡"]), ("color", "gray_background")]
            ),
            [
                "type": "toggle",
                "toggle": [
                    "rich_text": [text("How sharing works")],
                    "children": [
                        block(
                            "paragraph",
                            [text("An integration sees only what is shared with it, and what lies below.")]
                        ),
                        block(
                            "bulleted_list_item",
                            [text("Share more with "), text("gatehouse share", ["code": true]), text(".")]
                        ),
                    ],
                ],
            ],
        ]
    }
}

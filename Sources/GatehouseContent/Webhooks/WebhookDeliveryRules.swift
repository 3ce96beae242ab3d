import Foundation
import GatehouseCore

/// When a webhook delivery that was not acknowledged is tried again.
///
/// Notion tries an event up to 8 times with an exponential backoff, the last attempt about a day
/// after the event; its intervals are not published, so these are ours: 1 and 4 minutes, a
/// quarter of an hour, 1, 2, 6 and 14 hours (the 8th attempt 23 h 20 min after the first).
public struct WebhookRetrySchedule: Sendable, Equatable {
    /// The wait after each failed attempt, the first after attempt 1; one fewer than the attempts.
    public var delays: [TimeInterval]

    public init(delays: [TimeInterval]) {
        self.delays = delays
    }

    public static let standard = WebhookRetrySchedule(delays: [60, 240, 900, 3_600, 7_200, 21_600, 50_400])

    /// How many attempts a delivery gets.
    public var maximumAttempts: Int { delays.count + 1 }

    /// When attempt `failed + 1` is due after attempt `failed` failed at `time`, or `nil` when
    /// that was the last.
    public func nextAttempt(after failed: Int, failedAt time: Date) -> Date? {
        guard failed >= 1, failed <= delays.count else { return nil }
        return time.addingTimeInterval(delays[failed - 1])
    }
}

/// Merges the events of one fan-out batch the way Notion aggregates them: events of an
/// aggregated type for the same entity become one (the latest's id, time and parent; every
/// author; the union of `updated_blocks` or `updated_properties`), and only the outcome of an
/// entity's creation and trash events is told — "the most meaningful result event, or none at all
/// if the state returns to its original one": created and in the trash at the end, nothing about
/// it; created and still there, its creation alone; trashed and restored (or the reverse), nothing
/// of that; otherwise its last trash event. An entity is its type and id (a database's first data
/// source has the database's id).
public enum WebhookAggregation {
    public static func merge(_ events: [WebhookEvent]) -> [WebhookEvent] {
        let (skipped, vanished) = lifecycleOutcome(of: events)
        var merged: [WebhookEvent] = []
        var index: [String: Int] = [:]
        for (position, event) in events.enumerated()
        where !skipped.contains(position) && !vanished.contains(entityKey(event)) {
            guard event.type.isAggregated else {
                merged.append(event)
                continue
            }
            let key = event.type.rawValue + " " + event.entity.id
            guard let earlier = index[key] else {
                index[key] = merged.count
                merged.append(event)
                continue
            }
            merged[earlier] = combined(merged[earlier], event)
        }
        return merged
    }

    private static func entityKey(_ event: WebhookEvent) -> String { event.entity.type + " " + event.entity.id }

    /// The positions of creation and trash events that tell nothing new, and the entities that
    /// were created and trashed within the batch.
    private static func lifecycleOutcome(of events: [WebhookEvent]) -> (skipped: Set<Int>, vanished: Set<String>) {
        var lifecycles: [String: [Int]] = [:]
        for (position, event) in events.enumerated()
        where event.type.isCreation || event.type.isDeletion || event.type.isUndeletion {
            lifecycles[entityKey(event), default: []].append(position)
        }
        var skipped = Set<Int>()
        var vanished = Set<String>()
        for (entity, positions) in lifecycles {
            let types = positions.map { events[$0].type }
            let endsInTrash = types.last!.isDeletion
            if types.contains(where: \.isCreation) {
                if endsInTrash {
                    vanished.insert(entity)
                } else {
                    skipped.formUnion(positions.filter { !events[$0].type.isCreation })
                }
            } else {
                // A first restore means it was in the trash before the batch.
                let startedInTrash = types.first!.isUndeletion
                skipped.formUnion(startedInTrash == endsInTrash ? positions : Array(positions.dropLast()))
            }
        }
        return (skipped, vanished)
    }

    private static func combined(_ earlier: WebhookEvent, _ later: WebhookEvent) -> WebhookEvent {
        var result = later
        result.authors = earlier.authors + later.authors.filter { !earlier.authors.contains($0) }
        guard case .object(var members) = later.data else { return result }
        for key in ["updated_blocks", "updated_properties"] {
            guard case .array(let old)? = earlier.data[key], case .array(let new)? = later.data[key] else { continue }
            let union = unionByID(old, new)
            if let position = members.firstIndex(where: { $0.0 == key }) { members[position].1 = .array(union) }
        }
        result.data = .object(members)
        return result
    }

    /// `old` then `new`, an entry of `new` replacing one of `old` with the same id (or the same
    /// string).
    private static func unionByID(_ old: [JSONValue], _ new: [JSONValue]) -> [JSONValue] {
        func identity(_ value: JSONValue) -> JSONValue { value["id"] ?? value }
        let replaced = Set(new.map { identity($0).stringValue ?? "" })
        return old.filter { !replaced.contains(identity($0).stringValue ?? "") } + new
    }
}

extension WebhookEventType {
    var isCreation: Bool { self == .pageCreated || self == .databaseCreated || self == .dataSourceCreated }
    var isDeletion: Bool { self == .pageDeleted || self == .databaseDeleted || self == .dataSourceDeleted }
    var isUndeletion: Bool { self == .pageUndeleted || self == .databaseUndeleted || self == .dataSourceUndeleted }
}

/// The JSON body of a webhook request, member for member as Notion sends it.
public enum WebhookEnvelope {
    /// The event's body for one subscription, as its first attempt sends it (``attempt(_:of:)``
    /// makes a later one's); `nil` when the subscription's API version is not sent this event.
    ///
    /// - Parameters:
    ///   - integrationID: the subscription's integration (a public integration's own id, not
    ///     its installation's).
    ///   - accessibleBy: for a public integration's installation, the bot and its owner; `nil`
    ///     for an internal integration (the member is then left out, as Notion leaves it out).
    public static func body(
        of event: WebhookEvent,
        for subscription: WebhookSubscription,
        workspaceName: String,
        accessibleBy: [WebhookAuthor]?
    ) -> String? {
        guard let type = event.type.named(forVersion: subscription.apiVersion) else { return nil }
        var members: [(String, JSONValue)] = [
            ("id", .string(event.id)),
            ("timestamp", .string(ISODate.format(milliseconds: event.occurredAt.epochMilliseconds))),
            ("workspace_id", .string(event.workspaceID)),
            ("workspace_name", .string(workspaceName)),
            ("subscription_id", .string(subscription.id)),
            ("integration_id", .string(subscription.integrationID)),
            ("type", .string(type)),
            ("authors", .array(event.authors.map(\.json))),
        ]
        if let accessibleBy { members.append(("accessible_by", .array(accessibleBy.map(\.json)))) }
        members += [
            ("attempt_number", 1),
            ("api_version", .string(subscription.apiVersion)),
            ("entity", ["id": .string(event.entity.id), "type": .string(event.entity.type)]),
            ("data", subscription.apiVersion < "2025-09-03" ? withoutDataSourceIDs(event.data) : event.data),
        ]
        return String(decoding: JSONValue.object(members).serialized(), as: UTF8.self)
    }

    /// A first attempt's `body` as attempt `attempt` sends it. The first `"attempt_number":1,` is
    /// the envelope's own member: the members before it are ours, inside a JSON string every `"`
    /// is escaped (so the text cannot occur in a value), and `data`, whose keys could be anything,
    /// comes after it.
    public static func attempt(_ attempt: Int, of body: String) -> String {
        guard attempt != 1, let range = body.range(of: #""attempt_number":1,"#) else { return body }
        return body.replacingCharacters(in: range, with: #""attempt_number":\#(attempt),"#)
    }

    /// The body of the request that proves a new subscription's URL received its token.
    public static func verification(token: String) -> JSONValue {
        ["verification_token": .string(token)]
    }

    /// Before 2025-09-03 a parent named no data source.
    private static func withoutDataSourceIDs(_ data: JSONValue) -> JSONValue {
        guard case .object(var members) = data,
            let position = members.firstIndex(where: { $0.0 == "parent" }),
            case .object(let parent) = members[position].1
        else { return data }
        members[position].1 = .object(parent.filter { $0.0 != "data_source_id" })
        return .object(members)
    }
}

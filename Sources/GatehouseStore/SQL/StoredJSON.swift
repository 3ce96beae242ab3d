import Foundation
import Synchronization

/// How the JSON columns (schemas, property values, block contents) are written and read: one
/// encoder and one decoder for the process, since making one per row costs more than decoding a
/// small value. Keys are written sorted, so equal values are stored as equal text.
enum StoredJSON {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
    private static let decoder = JSONDecoder()

    /// `value` as JSON text.
    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The value that `text` encodes.
    static func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
        try decoder.decode(type, from: Data(text.utf8))
    }
}

/// Values decoded from JSON text, by the text: decoding is a pure function of the text, so an
/// entry is never stale, and a page read again (a query run twice, a listing paged through twice)
/// skips Foundation's decoder, which costs tens of microseconds for a page's properties.
///
/// Bounded: when `capacity` texts are held, the cache starts again empty.
final class DecodedJSONCache<Value: Decodable & Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The value `text` encodes, decoded once.
    func value(of text: String) throws -> Value {
        if let value = entries.withLock({ $0[text] }) { return value }
        let value = try StoredJSON.decode(Value.self, from: text)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = value
        }
        return value
    }
}

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
/// Bounded by the bytes of the texts it holds (a decoded value takes a few times its text): when
/// `byteBudget` would be passed, it starts again empty. Texts longer than `largestText` bytes (a
/// block of long rich text) are decoded every time and never held.
final class DecodedJSONCache<Value: Decodable & Sendable>: Sendable {
    private struct Entries {
        var values: [String: Value] = [:]
        var bytes = 0
    }

    private let entries = Mutex(Entries())
    private let byteBudget: Int
    private let largestText: Int

    init(byteBudget: Int, largestText: Int = 4096) {
        self.byteBudget = byteBudget
        self.largestText = largestText
    }

    /// The value `text` encodes, decoded once.
    func value(of text: String) throws -> Value {
        let size = text.utf8.count
        guard size <= largestText else { return try StoredJSON.decode(Value.self, from: text) }
        if let value = entries.withLock({ $0.values[text] }) { return value }
        let value = try StoredJSON.decode(Value.self, from: text)
        entries.withLock { entries in
            if entries.bytes + size > byteBudget { entries = Entries() }
            if entries.values.updateValue(value, forKey: text) == nil { entries.bytes += size }
        }
        return value
    }
}

import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import Hummingbird
import Testing

@testable import GatehouseServer

@Suite struct RequestIDTests {
    @Test func requestIDsAreLowercaseVersion4UUIDs() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = UUIDv4.string()
            let parsed = UUID(uuidString: id)
            #expect(parsed != nil)
            #expect(id == id.lowercased())
            let bytes = parsed.map { withUnsafeBytes(of: $0.uuid) { Array($0) } } ?? []
            #expect(bytes.count == 16 && bytes[6] >> 4 == 4)  // version 4
            #expect(bytes.count == 16 && bytes[8] >> 6 == 0b10)  // RFC 9562 variant
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}

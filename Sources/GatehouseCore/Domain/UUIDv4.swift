import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random (version 4) UUIDs in lowercase, the form the API uses for ids.
///
/// Written here rather than with Foundation's `UUID`, which on Linux opens and reads
/// `/dev/urandom` for every value: a request id is made for every request. The bits come from
/// the kernel's generator too, 4 KiB (256 ids) per read of `/dev/urandom`, kept open. Not
/// through swift-crypto's random keys or `SystemRandomNumberGenerator`: both ask the kernel for
/// 8 bytes per system call, two calls per id.
public enum UUIDv4 {
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let pool = Mutex(RandomPool())

    /// Random words from the system generator, drawn in batches.
    private struct RandomPool {
        var words = [UInt64](repeating: 0, count: 512)
        var next = 512

        mutating func pair() -> (UInt64, UInt64) {
            if next >= words.count {
                words.withUnsafeMutableBytes(Self.fillFromKernel)
                next = 0
            }
            defer { next += 2 }
            return (words[next], words[next + 1])
        }

        /// The kernel's random generator, opened once (Swift's C modules do not expose
        /// `getrandom(2)`).
        private static let device = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

        /// Fills `buffer` from the kernel's random generator; a read can return fewer bytes than
        /// asked for, or be interrupted, so it is repeated until the buffer is full. Without the
        /// device (a chroot without `/dev`, say) the standard library's generator fills the rest.
        static func fillFromKernel(_ buffer: UnsafeMutableRawBufferPointer) {
            var filled = 0
            while device >= 0, filled < buffer.count {
                let got = read(device, buffer.baseAddress! + filled, buffer.count - filled)
                if got > 0 {
                    filled += got
                } else if got == 0 || errno != EINTR {
                    break
                }
            }
            var generator = SystemRandomNumberGenerator()
            while filled < buffer.count {
                let word = generator.next()
                let count = min(8, buffer.count - filled)
                withUnsafeBytes(of: word) {
                    buffer.baseAddress!.advanced(by: filled).copyMemory(from: $0.baseAddress!, byteCount: count)
                }
                filled += count
            }
        }
    }

    public static func string() -> String {
        let (random1, random2) = pool.withLock { $0.pair() }
        let high = random1 & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000  // version 4
        let low = random2 & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000  // RFC 9562 variant
        // 32 hex digits, most significant first, with dashes after the 8th, 12th, 16th and 20th.
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            for digit in 0..<32 {
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                let word = digit < 16 ? high : low
                buffer[index] = hexDigits[Int((word >> UInt64(60 - 4 * (digit % 16))) & 0xF)]
                index += 1
            }
            return index
        }
    }
}

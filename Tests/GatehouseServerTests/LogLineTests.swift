import Foundation
import Logging
import Testing

@testable import GatehouseServer

/// The log line's format (logfmt), which operators' log pipelines parse: it must not change when
/// the handler is made faster.
@Suite struct LogLineTests {
    @Test func aLineIsTimestampLevelLabelMessageThenMetadataSortedByKey() throws {
        let capture = LogCapture()
        var logger = capture.logger()
        logger[metadataKey: "node"] = "a1"
        logger.info(
            "request",
            metadata: ["status": .stringConvertible(200), "path": "/v1/users/me", "method": "GET", "node": "b2"]
        )
        let line = try #require(capture.all.first)
        let timestamp = try #require(line.split(separator: " ").first)
        #expect(timestamp.wholeMatch(of: /ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil, "\(line)")
        #expect(
            line.dropFirst(timestamp.count)
                == " level=info label=gatehouse msg=request method=GET node=b2 path=/v1/users/me status=200"
        )
    }

    @Test(arguments: [
        ("plain-text_1.2/x:[y]", "plain-text_1.2/x:[y]"),
        ("café…", "café…"),
        ("", #""""#),
        ("two words", #""two words""#),
        (#"say "hi"\"#, #""say \"hi\"\\""#),
        ("line\nbreak", #""line\nbreak""#),
        ("a=b", #""a=b""#),
        ("naïve x", #""naïve x""#),
        ("😀", #""😀""#),
    ])
    func valuesAreQuotedUnlessTheyHoldOnlyLettersDigitsAndPlainPunctuation(text: String, expected: String) {
        #expect(RedactingLogHandler.quoted(text) == expected)
    }

    @Test func theHandlerFitsALoggersInlineBuffer() {
        // An existential holds up to three words in place; a larger handler is boxed, and every
        // request's copy of the logger (Hummingbird adds the request id to it) allocated a box.
        #expect(MemoryLayout<RedactingLogHandler>.size <= 3 * MemoryLayout<Int>.size)
        // The label and sink are shared by copies; metadata stays each copy's own.
        let capture = LogCapture()
        let original = capture.logger()
        var copy = original
        copy[metadataKey: "request"] = "r1"
        copy.info("copied")
        original.info("original")
        #expect(capture.all.count == 2)
        #expect(capture.all.first?.hasSuffix("label=gatehouse msg=copied request=r1") == true)
        #expect(capture.all.last?.hasSuffix("label=gatehouse msg=original") == true)
    }

    @Test func theTimestampIsTheSecondInISO8601AsFoundationWritesIt() {
        for seconds in [0.0, 1_764_655_512, 1_764_655_512.999, 4_102_444_799.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let second = Date(timeIntervalSince1970: seconds.rounded(.down))
            #expect(RedactingLogHandler.timestamp(date) == second.formatted(.iso8601))
            // Asked again for the second just formatted, which the cache now holds.
            #expect(RedactingLogHandler.timestamp(second) == second.formatted(.iso8601))
        }
        #expect(RedactingLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test func durationsAreMillisecondsWithThreeDecimals() {
        #expect(RequestMiddleware.milliseconds(.zero) == "0.000")
        #expect(RequestMiddleware.milliseconds(.nanoseconds(400)) == "0.000")
        #expect(RequestMiddleware.milliseconds(.nanoseconds(500)) == "0.001")
        #expect(RequestMiddleware.milliseconds(.microseconds(1_234)) == "1.234")
        #expect(RequestMiddleware.milliseconds(.nanoseconds(999_600)) == "1.000")
        #expect(RequestMiddleware.milliseconds(.milliseconds(20)) == "20.000")
        #expect(RequestMiddleware.milliseconds(.seconds(2) + .microseconds(5)) == "2000.005")
    }
}

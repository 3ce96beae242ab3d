import Foundation
import Synchronization
import Testing

@testable import GatehouseClient

/// Records the waits a client asked for instead of sleeping.
final class Sleeps: Sendable {
    private let waits = Mutex<[Double]>([])
    var all: [Double] { waits.withLock { $0 } }
    func record(_ seconds: Double) { waits.withLock { $0.append(seconds) } }
}

func makeClient(
    _ mock: MockTransport,
    sleeps: Sleeps = Sleeps(),
    retry: RetryPolicy = RetryPolicy(),
    pacing: Pacing? = nil,
    oauth: OAuthSession? = nil,
    token: String? = "secret_clientTestToken1234567890",
    notionVersion: String = ClientConfiguration.defaultNotionVersion
) -> NotionClient {
    NotionClient(
        configuration: ClientConfiguration(
            token: token,
            baseURL: URL(string: "http://gatehouse.test/v1/")!,
            notionVersion: notionVersion,
            retry: retry,
            pacing: pacing
        ),
        transport: mock,
        oauth: oauth,
        sleep: { sleeps.record($0) },
        random: { 0.5 }
    )
}

let meJSON = #"""
    {"object":"user","id":"b1","name":"Robot","avatar_url":null,"type":"bot",
     "bot":{"owner":{"type":"user","user":{"object":"user","id":"u1","name":"Ada"}},"workspace_name":"Acme","workspace_id":"w1"},
     "request_id":"r1"}
    """#

func errorJSON(_ status: Int, _ code: String, _ message: String = "no") -> String {
    #"{"object":"error","status":\#(status),"code":"\#(code)","message":"\#(message)","request_id":"req-\#(status)"}"#
}

/// The JSON body a call sent, parsed (so tests compare values, not key order).
func sentBody(_ call: MockTransport.Call) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: try #require(call.body))
}

/// The query as it went on the wire, percent-encoded.
func encodedQuery(_ call: MockTransport.Call) -> String? {
    URLComponents(url: call.url, resolvingAgainstBaseURL: false)?.percentEncodedQuery
}

/// The path as it went on the wire, percent-encoded.
func encodedPath(_ call: MockTransport.Call) -> String? {
    URLComponents(url: call.url, resolvingAgainstBaseURL: false)?.percentEncodedPath
}

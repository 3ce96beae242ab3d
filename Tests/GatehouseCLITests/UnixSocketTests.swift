import Foundation
import GatehouseTestSupport
import Testing

/// `serve --unix-socket`: the same server on a Unix socket as well, for a proxy on the same
/// machine, driven here with curl's `--unix-socket`.
@Suite(.timeLimit(.minutes(5))) struct UnixSocketTests {
    @Test func serveAnswersOnItsSocketBelievesItsPeerAboutTheClientAndRemovesTheSocketOnExit() async throws {
        let db = CLI.temporaryDatabaseURL()
        let socket = Scratch.path(".sock")
        // A trusted network that is not loopback: a TCP peer at 127.0.0.1 is read through the whole
        // rule, and still not believed.
        let server = try await ServerProcess.start(arguments: [
            "--database-url", db, "--unix-socket", socket, "--trusted-proxies", "10.0.0.0/8",
        ])
        try await server.waitForOutput(containing: "curl ")
        #expect(server.stdout.contains("listening on unix:\(socket)"))
        let key = try #require(server.stdout.firstMatch(of: /secret_[A-Za-z0-9]+/).map { String($0.output) })

        // A socket file, owner and group only.
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        #expect(attributes[.type] as? FileAttributeType == .typeSocket)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o660)

        // Forward authentication over the socket, as nginx asks.
        let allowed = try await Self.curl(
            socket: socket,
            path: "/forward-auth",
            headers: [
                "Authorization: Bearer \(key)", "X-Forwarded-Method: GET", "X-Forwarded-Uri: /orders/1",
                "X-Forwarded-Host: api.example.com", "X-Forwarded-For: 198.51.100.6",
            ]
        )
        #expect(allowed.status == 200)
        #expect(allowed.headers.contains("x-gatehouse-integration-id: "))
        #expect(allowed.headers.contains("x-gatehouse-plan: pro"))

        // A refusal through the socket is attributed to the client its peer names; the same claim
        // over TCP from a peer that is no trusted proxy is ignored.
        let refused = try await Self.curl(
            socket: socket,
            path: "/forward-auth",
            headers: ["Authorization: Bearer secret_wrong", "X-Forwarded-For: 198.51.100.7"]
        )
        #expect(refused.status == 401)
        let overTCP = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer secret_wrong", "-H",
                "X-Forwarded-For: 198.51.100.8", try #require(server.baseURL) + "/forward-auth",
            ]
        )
        #expect(overTCP.stdout == "401")
        let events = try await CLI.run(["events", "--database-url", db, "--json"])
        #expect(events.stdout.contains("\"ip\":\"198.51.100.7\""))
        #expect(!events.stdout.contains("198.51.100.8"))
        #expect(events.stdout.contains("\"ip\":\"127.0.0.1\""))

        #expect(await server.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
        // The key's use, written by the last flush at the stop (with no warning), names the client.
        #expect(!server.stderr.contains("cannot record token usage"))
        let integration = try #require(
            server.stdout.firstMatch(of: /Demo integration \(([0-9a-f-]{36})\)/).map { String($0.output.1) }
        )
        let tokens = try await CLI.run(["token", "list", "--database-url", db, "--integration", integration, "--json"])
        #expect(tokens.stdout.contains("\"last_used_ip\":\"198.51.100.6\""))
        #expect(tokens.stdout.contains("\"use_count\":1"))
    }

    @Test func aSocketPathThatCannotBeBoundStopsServeWithOneLine() async throws {
        let regularFile = Scratch.path(".txt")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: regularFile))
        let longest = "/tmp/" + String(repeating: "s", count: 98)  // 103 bytes: NIO's limit
        let cases: [(path: String, message: String)] = [
            (Scratch.path("") + "/missing/gh.sock", "does not exist"),
            (regularFile, "is not a socket: refusing to replace it"),
            (longest + "s", "at most 103 bytes (this is 104)"),
            (Scratch.path("") + "/", "at most 103 bytes"),
        ]
        for (path, message) in cases {
            let result = try await CLI.run([
                "serve", "--port", "0", "--database-url", CLI.temporaryDatabaseURL(), "--unix-socket", path,
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: regularFile, encoding: .utf8) == "keep me")
    }

    /// A second `serve` given the socket of a running one is refused before it binds anything, and
    /// the first keeps answering on it; a stale socket (no one listening) is replaced.
    @Test func aLiveSocketIsNeverTakenOverAndAStaleOneIsReplaced() async throws {
        let socket = Scratch.path(".sock")
        let first = try await ServerProcess.start(arguments: [
            "--database-url", CLI.temporaryDatabaseURL(), "--unix-socket", socket,
        ])
        try await first.waitForOutput(containing: "curl ")
        let second = try await CLI.run([
            "serve", "--port", "0", "--database-url", CLI.temporaryDatabaseURL(), "--unix-socket", socket,
        ])
        #expect(second.status != 0)
        #expect(second.stderr.contains("another process is listening on it"), "\(second.stderr)")
        #expect(try await Self.curl(socket: socket, path: "/healthz", headers: []).status == 200)
        #expect(await first.terminate() == 0)

        // A socket file nobody listens on, as a killed server leaves it.
        let stale = Scratch.path(".sock")
        let outcome = try await ChildProcess.run(
            "/usr/bin/env",
            ["python3", "-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", stale]
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let replacing = try await ServerProcess.start(arguments: [
            "--database-url", CLI.temporaryDatabaseURL(), "--unix-socket", stale,
        ])
        try await replacing.waitForOutput(containing: "curl ")
        #expect(try await Self.curl(socket: stale, path: "/healthz", headers: []).status == 200)
        #expect(await replacing.terminate() == 0)
    }

    /// A GET over `socket` with curl: the status and the response's header block, lowercased.
    static func curl(socket: String, path: String, headers: [String]) async throws -> (status: Int, headers: String) {
        let outcome = try await ChildProcess.run(
            "/usr/bin/env",
            ["curl", "-s", "-o", "/dev/null", "-D", "-", "--unix-socket", socket]
                + headers.flatMap { ["-H", $0] } + ["http://gatehouse" + path]
        )
        let head = outcome.stdout.lowercased()
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, head)
    }
}

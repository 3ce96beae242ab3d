import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import Hummingbird

/// The console's security checklist: the seed's checklist for the viewer's workspace only, for
/// its owners only. Its facts are that workspace's integrations and tokens; the audit chain is
/// checked from the stored checkpoint (bounded work), never re-hashed whole on a request.
extension ConsoleController {
    @Sendable func security(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withViewer(request, context, ownerOnly: true) { viewer in
            // The server cannot see your repositories or how it was started: those two items come
            // from `gatehouse audit`, run where the code lives.
            let results = SecurityAudit.evaluate(try await auditFacts(viewer.workspace)).map { result in
                [.noTokensInCode, .environmentSecrets].contains(result.id)
                    ? SecurityAudit.Result(
                        result.id,
                        status: .manual,
                        reason: "the server cannot see your code or configuration files",
                        fix: "run `gatehouse audit --scan <your repository>` where the code lives"
                    ) : result
            }
            return render(
                "console_security",
                "Security",
                viewer,
                [
                    "results": results.map {
                        ["status": $0.status.rawValue, "item": $0.item, "reason": $0.reason, "fix": $0.fix]
                    }
                ]
            )
        }
    }
}

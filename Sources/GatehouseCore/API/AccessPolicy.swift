/// How the API answers a request for a resource that exists but is not shared with the integration.
public enum UnsharedResourceResponse: String, Sendable, CaseIterable {
    /// 403 `restricted_resource`, as the seed describes (the default).
    case restricted = "403"
    /// 404 `object_not_found`, as the production Notion API does.
    case notFound = "404"
}

/// The outcome of an access check.
public enum AccessDecision: Sendable, Equatable {
    case allowed
    /// The resource is in the integration's workspace but not shared with it.
    case notShared
    /// The resource does not exist, or is in another workspace (never revealed).
    case notFound
}

/// The sharing rules: who may see a database or page, decided from data, without I/O.
public struct AccessPolicy: Sendable {
    public var unsharedResponse: UnsharedResourceResponse

    public init(unsharedResponse: UnsharedResourceResponse = .restricted) {
        self.unsharedResponse = unsharedResponse
    }

    /// Whether an integration of `workspaceID` that holds `shares` may reach a resource.
    ///
    /// - Parameters:
    ///   - resourceWorkspaceID: the resource's workspace, `nil` if it does not exist.
    ///   - lineage: the resource's id followed by the ids of every page and database above it; a
    ///     share of any of them covers the resource (a database's share covers its pages).
    public func decide(
        workspaceID: String,
        resourceWorkspaceID: String?,
        lineage: [String],
        shares: Set<String>
    ) -> AccessDecision {
        guard let resourceWorkspaceID, resourceWorkspaceID == workspaceID else { return .notFound }
        return lineage.contains(where: shares.contains) ? .allowed : .notShared
    }

    /// The error for a decision that is not `.allowed`, honouring ``unsharedResponse``.
    public func error(
        for decision: AccessDecision,
        kind: String,
        id: String,
        principal: Principal
    ) -> APIError? {
        switch decision {
        case .allowed:
            return nil
        case .notShared where unsharedResponse == .restricted:
            return .notShared
        case .notShared, .notFound:
            return .notFound(kind, id: id, integrationName: principal.integrationName, botID: principal.botID)
        }
    }

    /// Throws 403 `restricted_resource` unless the principal holds every capability in `needed`.
    public func require(_ needed: Capabilities.Content, of principal: Principal) throws(APIError) {
        guard principal.capabilities.content.isSuperset(of: needed) else { throw .missingCapability }
    }
}

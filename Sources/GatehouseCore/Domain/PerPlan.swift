/// One value for each plan, read with a switch on the plan rather than a dictionary lookup
/// (a `Plan` hashes its name's characters): for what the request path reads per plan.
public struct PerPlan<Value> {
    private let free: Value
    private let pro: Value
    private let team: Value
    private let enterprise: Value

    /// Each plan's value, made by `make`.
    public init(_ make: (Plan) throws -> Value) rethrows {
        free = try make(.free)
        pro = try make(.pro)
        team = try make(.team)
        enterprise = try make(.enterprise)
    }

    public subscript(plan: Plan) -> Value {
        switch plan {
        case .free: free
        case .pro: pro
        case .team: team
        case .enterprise: enterprise
        }
    }
}

extension PerPlan: Sendable where Value: Sendable {}

/// One value for each plan, read with a switch on the plan rather than a dictionary lookup
/// (a `Plan` hashes its name's characters): for what the request path reads per plan. The read
/// is inlinable, so that the server's module reads a value of its own type in place rather than
/// through a generic call across modules.
public struct PerPlan<Value> {
    @usableFromInline let free: Value
    @usableFromInline let pro: Value
    @usableFromInline let team: Value
    @usableFromInline let enterprise: Value

    /// Each plan's value, made by `make`.
    public init(_ make: (Plan) throws -> Value) rethrows {
        free = try make(.free)
        pro = try make(.pro)
        team = try make(.team)
        enterprise = try make(.enterprise)
    }

    @inlinable
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

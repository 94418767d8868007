import Foundation
import Logging
import TesseraStore

/// How a grant that writes ends: tokens, or an error that must be answered only after the
/// transaction committed (a replay's revocations have to land even though the request fails).
enum GrantOutcome: Sendable {
    case issued(TokenResponse)
    case refused(OAuthError)

    func get() throws(OAuthError) -> TokenResponse {
        switch self {
        case .issued(let response): return response
        case .refused(let error): throw error
        }
    }
}

extension Store {
    /// Runs a grant's writes in one transaction and maps what can go wrong to OAuth errors: a
    /// database failure is `temporarily_unavailable` (retry), never a 500, and nothing half-written.
    func grantTransaction<Outcome: Sendable>(
        _ body: @Sendable @escaping (any StoreOperations) async throws -> Outcome
    ) async throws(OAuthError) -> Outcome {
        do {
            return try await transaction(body)
        } catch let error as OAuthError {
            throw error
        } catch {
            // The client only learns to retry; the operator needs the cause.
            Logger(label: "tessera").warning("A grant could not be stored", metadata: ["error": "\(error)"])
            throw .temporarilyUnavailable("the grant could not be stored; retry")
        }
    }
}

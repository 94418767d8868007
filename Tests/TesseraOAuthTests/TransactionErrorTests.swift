import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraStore
import TesseraTestSupport
import Testing

/// What fails inside a transaction is reported as itself on both backends: a conflict is a
/// conflict (callers retry or answer 409), never "database unavailable" (which answers 503).
/// Key rotation relies on this to tell a concurrent rotation from an outage.
@Suite("Errors inside transactions")
struct TransactionErrorTests {
    @Test(arguments: TestBackend.allCases)
    func aKeyUpdateThatLostARaceIsAConflict(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            var demoted = try await runtime.store.signingKeys(tenantID: tenant.id).only(.current)
            demoted.state = .previous
            let current = demoted
            // Expects the key to be `next`; it is `current`: someone else got there first.
            await #expect {
                try await runtime.store.transaction { operations in
                    try await operations.updateSigningKey(current, expectedState: .next)
                }
            } throws: { error in
                guard case StoreError.conflict = error else { return false }
                return true
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func whatTheTransactionBodyThrowsComesOutUnchanged(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            await #expect(throws: ValidationError(field: "test", "refused by the body")) {
                try await runtime.store.transaction { _ in
                    throw ValidationError(field: "test", "refused by the body")
                }
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func creatingATenantTwiceIsADuplicateNotAnOutage(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            _ = try await ProtocolFixture.acme(runtime)
            await #expect(throws: AdministrationError.duplicate("tenant 'acme'")) {
                try await runtime.administration.createTenant(slug: "acme", name: nil, actor: "test")
            }
        }
    }
}

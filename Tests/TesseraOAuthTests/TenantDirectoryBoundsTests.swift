import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraTestSupport
import Testing

/// Many tenants, bounded memory: the caches stay under their capacity and every tenant still
/// resolves and signs after being dropped.
@Suite("Tenant directory bounds")
struct TenantDirectoryBoundsTests {
    @Test func cachesStayBoundedAndEvictedTenantsStillWork() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            var slugs: [TenantSlug] = []
            for index in 0..<30 {
                let tenant = try await runtime.administration.createTenant(slug: "t\(index)", name: nil, actor: "test")
                slugs.append(tenant.slug)
            }
            let keyRing = KeyRing(masterKey: runtime.masterKey)
            let directory = TenantDirectory(
                store: runtime.store, keyRing: keyRing, tenantCapacity: 10, keySetCapacity: 5)
            for _ in 0..<2 {
                for slug in slugs {
                    let tenant = try #require(try await directory.tenant(slug: slug))
                    let keys = try await directory.keys(for: tenant)
                    #expect(keys.current != nil)
                    #expect(await keyRing.tenantIDs.count <= 5)
                }
            }
        }
    }
}

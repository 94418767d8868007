import Foundation
import TesseraCore

// The storage seam. One protocol per aggregate; every method takes the tenant it works in, and
// every backend filters every query by it, so no id guessed from another tenant finds a row.

public protocol TenantStore: Sendable {
    /// Fails with `.conflict` when the slug is taken.
    func insertTenant(_ tenant: Tenant) async throws
    func tenant(slug: TenantSlug) async throws -> Tenant?
    func tenant(id: UUID) async throws -> Tenant?
    /// Tenants ordered by slug, starting after `cursor`.
    func tenants(after cursor: TenantSlug?, limit: Int) async throws -> [Tenant]
    func updateTenant(_ tenant: Tenant) async throws
}

public protocol ScopeStore: Sendable {
    func insertScope(_ scope: Scope) async throws
    func scopes(tenantID: UUID) async throws -> [Scope]
}

public protocol ClientStore: Sendable {
    func insertClient(_ client: Client) async throws
    func client(tenantID: UUID, id: String) async throws -> Client?
    /// Clients ordered by id, starting after `cursor`.
    func clients(tenantID: UUID, after cursor: String?, limit: Int) async throws -> [Client]
    /// Saves `client` if the stored version is still `client.version - 1`; `.conflict` otherwise.
    func updateClient(_ client: Client) async throws
    /// True when there was one to delete.
    func deleteClient(tenantID: UUID, id: String) async throws -> Bool
    /// A self-registered client was given a token; neither its version nor the feed moves.
    func recordClientUse(tenantID: UUID, id: String, at date: Date) async throws
    /// How many of the tenant's clients no administrator made.
    func registeredClientCount(tenantID: UUID) async throws -> Int
    /// Up to `limit` self-registered clients unused since their tenant's cutoff.
    func unusedRegisteredClients(olderThan cutoffs: [UUID: Date], limit: Int) async throws -> [(UUID, String)]
}

public protocol UserStore: Sendable {
    func insertUser(_ user: User) async throws
    func user(tenantID: UUID, id: UUID) async throws -> User?
    func user(tenantID: UUID, username: String) async throws -> User?
    func users(tenantID: UUID, after cursor: String?, limit: Int) async throws -> [User]
    /// Saves the user's password hash and status if the stored version is still
    /// `user.version - 1`; `.conflict` otherwise.
    func updateUser(_ user: User) async throws
}

public protocol SigningKeyStore: Sendable {
    func insertSigningKey(_ key: SigningKeyRecord) async throws
    func signingKeys(tenantID: UUID) async throws -> [SigningKeyRecord]
    /// Moves a key from `expected` to the record's state (and its timestamps); `.conflict` when
    /// another instance changed it first, which is how concurrent rotations find each other.
    func updateSigningKey(_ key: SigningKeyRecord, expectedState: KeyState) async throws
    /// Every key of every tenant in `states`, for rotation sweeps.
    func signingKeys(inStates states: [KeyState]) async throws -> [SigningKeyRecord]
    /// The keys of several tenants in one query: the schedule reads a page of tenants at a time
    /// rather than one query per tenant.
    func signingKeys(tenantIDs: [UUID]) async throws -> [SigningKeyRecord]
}

public protocol AuditLog: Sendable {
    func appendAudit(_ event: AuditEvent) async throws
    /// Oldest first, starting after the event `cursor` names.
    func auditEvents(tenantID: UUID, after cursor: UUID?, limit: Int) async throws -> [AuditEvent]
}

/// The feed that keeps every instance's caches current: written in the transaction of the
/// change; PostgreSQL also sends a NOTIFY on `ChangeFeedChannel.name` at commit.
public protocol ChangeFeed: Sendable {
    func recordChange(_ change: Change) async throws
    /// Changes committed after `sequence`, oldest first.
    func changes(after sequence: Int, limit: Int) async throws -> [Change]
    /// The newest sequence number, or 0; where a new instance starts following.
    func latestChangeSequence() async throws -> Int
    /// The entries with these sequence numbers that exist now (a follower's second look at a gap).
    func changes(sequences: [Int]) async throws -> [Change]
    /// Drops up to `batch` entries older than `date` and moves the horizon past them; returns how
    /// many went.
    func purgeChanges(before date: Date, batch: Int) async throws -> Int
    /// Every entry up to this sequence number may have been purged (0: none was). A follower
    /// behind it cannot know what it missed; any other gap is a transaction that rolled back or
    /// has not committed yet.
    func changeHorizon() async throws -> Int
}

public enum ChangeFeedChannel {
    public static let name = "tessera_changes"
}

/// `private_key_jwt` assertion ids (RFC 7523 §3): each is accepted once until it expires.
public protocol ClientAssertionStore: Sendable {
    /// Fails with `.conflict` when the client already used `jti`.
    func recordClientAssertion(tenantID: UUID, clientID: String, jti: String, expiresAt: Date) async throws
}

/// DPoP proof ids (RFC 9449 §11.1): each proof is accepted once per key while its window lasts.
public protocol DPoPProofStore: Sendable {
    /// Fails with `.conflict` when a proof by the key `jkt` already used `jti`.
    func recordDPoPProof(tenantID: UUID, jkt: String, jti: String, expiresAt: Date) async throws
}

/// Access tokens revoked before they expire.
public protocol RevokedTokenStore: Sendable {
    func insertRevokedToken(_ token: RevokedToken) async throws
    /// Every revocation still in force at `date`, for an instance's in-memory list.
    func revokedTokens(expiringAfter date: Date) async throws -> [RevokedToken]
    func revokedToken(tenantID: UUID, jti: String) async throws -> RevokedToken?
}

/// What each user has approved for each client.
public protocol ConsentStore: Sendable {
    func consent(tenantID: UUID, userID: UUID, clientID: String) async throws -> Consent?
    /// Inserts or replaces the user's consent for the client.
    func saveConsent(_ consent: Consent) async throws
    /// The user's consents, ordered by client id.
    func consents(tenantID: UUID, userID: UUID) async throws -> [Consent]
    /// True when there was one to delete.
    func deleteConsent(tenantID: UUID, userID: UUID, clientID: String) async throws -> Bool
    /// Every consent given to the client (it is being deleted); returns how many.
    @discardableResult
    func deleteConsents(tenantID: UUID, clientID: String) async throws -> Int
}

/// Authorization codes: single use, and a second use is told apart from an unknown code.
public protocol AuthorizationCodeStore: Sendable {
    func insertAuthorizationCode(_ code: AuthorizationCode) async throws
    /// Marks the client's unexpired code used at `date`, atomically: of two concurrent callers
    /// exactly one gets `.redeemed`; the other, and every later one, `.alreadyUsed`.
    func redeemAuthorizationCode(
        tenantID: UUID, codeHash: SecretHash, clientID: String, at date: Date
    ) async throws -> Redemption<AuthorizationCode>
    /// Remembers what the redemption issued, so a replay can revoke it.
    func recordCodeIssue(tenantID: UUID, codeHash: SecretHash, familyID: UUID?, jti: String) async throws
}

/// Pushed authorization requests (RFC 9126 §2.2): each `request_uri` is used once, by its client,
/// before it expires.
public protocol PushedRequestStore: Sendable {
    func insertPushedRequest(_ request: PushedRequest) async throws
    /// Removes and returns the client's unexpired request, atomically: of two concurrent callers
    /// one gets it; nil for an unknown, expired, used or foreign `request_uri`.
    func takePushedRequest(
        tenantID: UUID, handleHash: SecretHash, clientID: String, at date: Date
    ) async throws -> PushedRequest?
}

/// Users' TOTP second factors (RFC 6238).
public protocol TOTPStore: Sendable {
    /// Inserts or replaces the user's factor.
    func saveTOTP(_ factor: TOTPFactor) async throws
    func totp(tenantID: UUID, userID: UUID) async throws -> TOTPFactor?
    /// Records `step` as used when it is later than the last one, atomically; false when it is
    /// not (a replay, at this instance or another).
    func acceptTOTPStep(tenantID: UUID, userID: UUID, step: Int64) async throws -> Bool
    func deleteTOTP(tenantID: UUID, userID: UUID) async throws -> Bool
    /// The tenant's factors ordered by user id, starting after `userID` (`tessera keys rewrap`).
    func totpFactors(tenantID: UUID, after userID: UUID?, limit: Int) async throws -> [TOTPFactor]
    /// Replaces the sealed secret if it is still `old`; false when the user enrolled again meanwhile.
    func resealTOTP(tenantID: UUID, userID: UUID, from old: [UInt8], to new: [UInt8]) async throws -> Bool
    /// Replaces the user's recovery codes with these (their hashes).
    func replaceRecoveryCodes(tenantID: UUID, userID: UUID, hashes: [SecretHash]) async throws
    /// Spends the unused code of this hash, atomically; false when there is none.
    func spendRecoveryCode(tenantID: UUID, userID: UUID, hash: SecretHash, at date: Date) async throws -> Bool
}

/// Users' WebAuthn credentials (passkeys), and the challenges already answered.
public protocol PasskeyStore: Sendable {
    /// Fails with `.conflict` when the tenant already has a credential with this id.
    func insertPasskey(_ passkey: Passkey) async throws
    func passkeys(tenantID: UUID, userID: UUID) async throws -> [Passkey]
    func passkey(tenantID: UUID, credentialID: [UInt8]) async throws -> Passkey?
    /// Records a use, atomically: the counter moves only forward (or stays 0 for authenticators
    /// that keep none); false when it would not, a clone or a concurrent use of the same counter.
    func recordPasskeyUse(
        tenantID: UUID, credentialID: [UInt8], signCount: Int64, backedUp: Bool, at date: Date
    ) async throws -> Bool
    func deletePasskey(tenantID: UUID, userID: UUID, credentialID: [UInt8]) async throws -> Bool
    /// Fails with `.conflict` when the challenge `id` of `ceremony` was answered before.
    func recordWebAuthnChallenge(tenantID: UUID, ceremony: String, id: String, expiresAt: Date) async throws
}

/// Refresh tokens, rotated on every use.
public protocol RefreshTokenStore: Sendable {
    func insertRefreshToken(_ token: RefreshToken) async throws
    /// Marks the client's active token used at `date`, atomically (one winner among concurrent
    /// callers); a token used or revoked before answers `.alreadyUsed`.
    func useRefreshToken(
        tenantID: UUID, tokenHash: SecretHash, clientID: String, at date: Date
    ) async throws -> Redemption<RefreshToken>
    /// For clients whose refresh tokens do not rotate: the client's active token, its idle expiry
    /// moved to `idleExpiresAt` (never past its absolute end); nil when it is not active.
    func touchRefreshToken(
        tenantID: UUID, tokenHash: SecretHash, clientID: String, at date: Date, idleExpiresAt: Date
    ) async throws -> RefreshToken?
    func refreshToken(tenantID: UUID, tokenHash: SecretHash) async throws -> RefreshToken?
    /// Remembers that `familyID` issued the access token `jti`, so revoking the family revokes it.
    func recordFamilyAccessToken(tenantID: UUID, familyID: UUID, jti: String, expiresAt: Date) async throws
    // The revocations below also revoke every unexpired access token the revoked families
    // issued (their `jti`s join the revocation list, with a change-feed entry each).
    /// Revokes every token of the family; returns how many were still unrevoked.
    @discardableResult
    func revokeRefreshFamily(tenantID: UUID, familyID: UUID, at date: Date) async throws -> Int
    /// Revokes every token the user holds at the client (consent withdrawn).
    @discardableResult
    func revokeRefreshTokens(tenantID: UUID, userID: UUID, clientID: String, at date: Date) async throws -> Int
    /// Revokes every token of the client, whoever holds it (the client is being deleted).
    @discardableResult
    func revokeRefreshTokens(tenantID: UUID, clientID: String, at date: Date) async throws -> Int
}

/// Device authorizations (RFC 8628): decided once by a person, redeemed once by the device.
public protocol DeviceCodeStore: Sendable {
    /// `.conflict` when the user code is taken in the tenant (the caller draws another).
    func insertDeviceCode(_ code: DeviceCode) async throws
    func deviceCode(tenantID: UUID, deviceCodeHash: SecretHash) async throws -> DeviceCode?
    func deviceCode(tenantID: UUID, userCode: String) async throws -> DeviceCode?
    /// Records the person's decision on a pending, unexpired code; false when it was not pending.
    func decideDeviceCode(
        tenantID: UUID, userCode: String, status: DeviceCode.Status, userID: UUID?, authTime: Date?, at date: Date
    ) async throws -> Bool
    func recordDevicePoll(tenantID: UUID, deviceCodeHash: SecretHash, at date: Date, intervalSeconds: Int) async throws
    /// Moves an approved, unexpired code to `redeemed`, atomically: of concurrent polls one wins.
    func redeemDeviceCode(
        tenantID: UUID, deviceCodeHash: SecretHash, clientID: String, at date: Date
    ) async throws
        -> Bool
}

/// Server-side sign-in sessions (OIDC Back-Channel Logout 1.0 §2.1 `sid`) and the clients each
/// one reached.
public protocol SessionStore: Sendable {
    func insertSession(_ session: SessionRecord) async throws
    /// One primary-key read: what every page a signed-in browser opens checks.
    func session(tenantID: UUID, sid: String) async throws -> SessionRecord?
    /// The user signed in again in the same session (prompt=login, max_age, step-up).
    func reauthenticateSession(
        tenantID: UUID, sid: String, authTime: Date, methods: [AuthenticationMethod], expiresAt: Date
    ) async throws
    /// The user's sessions neither ended nor expired at `date`, newest first.
    func activeSessions(tenantID: UUID, userID: UUID, at date: Date) async throws -> [SessionRecord]
    /// Ends an active session at `date`; false when it was ended already or is unknown.
    func endSession(tenantID: UUID, sid: String, at date: Date) async throws -> Bool
    /// Records that the session reached the client; once per pair.
    func recordSessionClient(
        tenantID: UUID, sid: String, clientID: String, at date: Date, expiresAt: Date)
        async throws
    /// The clients the session reached, ordered by id.
    func sessionClients(tenantID: UUID, sid: String) async throws -> [String]
}

/// Dynamic client registration (RFC 7591): initial access tokens and each tenant's policy.
public protocol RegistrationStore: Sendable {
    func insertRegistrationToken(_ token: RegistrationToken) async throws
    /// The tenant's tokens, newest first, spent and expired ones included until purged.
    func registrationTokens(tenantID: UUID) async throws -> [RegistrationToken]
    func deleteRegistrationToken(tenantID: UUID, id: UUID) async throws -> Bool
    /// Takes one use of the token with this hash if it is live at `date`, in one statement, so
    /// two registrations racing for its last use have one winner; false otherwise.
    func spendRegistrationToken(tenantID: UUID, tokenHash: SecretHash, at date: Date) async throws -> Bool
    /// nil when the tenant never set one (`RegistrationPolicy.defaults` then).
    func registrationPolicy(tenantID: UUID) async throws -> RegistrationPolicy?
    /// Stores `policy` as version `policy.version`, which must be one more than the stored one
    /// (0 for none): `StoreError.conflict` otherwise.
    func saveRegistrationPolicy(_ policy: RegistrationPolicy, tenantID: UUID) async throws
}

/// The outbox of back-channel logout tokens (Back-Channel Logout 1.0 §2.5).
public protocol LogoutDeliveryStore: Sendable {
    func insertLogoutDelivery(_ delivery: LogoutDelivery) async throws
    /// Takes up to `limit` deliveries due at `date`, counts an attempt on each and moves its next
    /// attempt to `leaseUntil`, in one statement: on PostgreSQL rows another instance is taking
    /// are skipped (`FOR UPDATE SKIP LOCKED`), so each is worked by one instance; one that dies
    /// mid-attempt leaves its rows to be taken again when the lease runs out.
    func claimLogoutDeliveries(at date: Date, leaseUntil: Date, limit: Int) async throws -> [LogoutDelivery]
    /// Delivered, or given up on: the row goes.
    func deleteLogoutDelivery(tenantID: UUID, id: UUID) async throws
    /// A failed attempt: the next one at `nextAttemptAt`.
    func rescheduleLogoutDelivery(tenantID: UUID, id: UUID, nextAttemptAt: Date, error: String) async throws
    /// The tenant's pending deliveries, oldest first (for operators and tests).
    func logoutDeliveries(tenantID: UUID) async throws -> [LogoutDelivery]
}

/// The tables of rows that only matter until they expire (or, for sessions, end).
public enum PurgeTable: String, CaseIterable, Sendable {
    case revokedTokens = "revoked_tokens"
    case clientAssertions = "client_assertions"
    case dpopProofs = "dpop_proofs"
    case webAuthnChallenges = "webauthn_challenges"
    case familyAccessTokens = "family_access_tokens"
    case authorizationCodes = "authorization_codes"
    /// A rotated token keeps its family's absolute expiry (and a revoked family's rows expire at
    /// revocation), so a family's rows go together: a used token is never purged while a later
    /// one of its family lives, and reuse detection keeps its evidence.
    case refreshTokens = "refresh_tokens"
    case deviceCodes = "device_codes"
    case pushedRequests = "pushed_requests"
    case sessions = "sessions"
    /// An ended session's row has done its work: a cookie naming a missing row is refused too.
    case endedSessions = "sessions (ended)"
    case sessionClients = "session_clients"
    case loginFailures = "login_failures"
    case registrationTokens = "registration_tokens"
}

/// Housekeeping of rows that only matter until they expire (docs/bounded-storage.md).
public protocol ExpiryPurge: Sendable {
    /// Deletes up to `batch` rows of `table` that expired before `date`; returns how many went.
    func purgeExpired(_ table: PurgeTable, before date: Date, batch: Int) async throws -> Int
    /// Deletes up to `batch` audit events older than their tenant's cutoff, for the tenants named.
    func purgeAuditEvents(olderThan cutoffs: [UUID: Date], batch: Int) async throws -> Int
}

extension ExpiryPurge {
    /// One batch of every table; the total deleted.
    public func purgeExpired(before date: Date, batch: Int) async throws -> Int {
        var removed = 0
        for table in PurgeTable.allCases { removed += try await purgeExpired(table, before: date, batch: batch) }
        return removed
    }
}

/// Everything a store can do; also what a transaction offers.
public protocol StoreOperations: TenantStore, ScopeStore, ClientStore, UserStore, SigningKeyStore, AuditLog,
    ChangeFeed, ClientAssertionStore, DPoPProofStore, RevokedTokenStore, ConsentStore, AuthorizationCodeStore,
    PushedRequestStore, RefreshTokenStore, TOTPStore, PasskeyStore,
    DeviceCodeStore, ExpiryPurge, SessionStore, LogoutDeliveryStore, IdentityProviderStore, InstanceRegistry,
    LoginFailureStore, RegistrationStore
{}

/// A database Tessera keeps its state in: PostgreSQL, or SQLite for the zero-setup default.
public protocol Store: StoreOperations {
    var backend: StoreBackend { get }
    /// Applies pending migrations (under a lock, so concurrent starts apply each once); returns
    /// the names it applied.
    func migrate() async throws -> [String]
    /// Throws `.unavailable` when the database does not answer within `timeout`.
    func checkHealth(timeout: Duration) async throws
    /// Runs `body` in one transaction: every write inside lands, or none does.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any StoreOperations) async throws -> T) async throws -> T
    /// Like `transaction`, but only when no other instance holds the job's lock; nil otherwise.
    /// Scheduled work (key rotation, purges) runs on exactly one instance at a time this way.
    func transactionIfLockFree<T: Sendable>(
        job: ScheduledJob, _ body: @escaping @Sendable (any StoreOperations) async throws -> T
    )
        async throws -> T?
    /// Calls `wake` whenever another instance commits a change (PostgreSQL LISTEN); returns or
    /// throws when the listening connection ends. SQLite has no other instance and just waits.
    func listenForChanges(_ wake: @escaping @Sendable () -> Void) async throws
    func close() async
}

/// Jobs that one instance at a time performs; the raw value is the advisory lock id.
public enum ScheduledJob: Int64, Sendable {
    /// Applying migrations: held (waited for, not tried) by every starting instance.
    case migration = 0x7E55_E7A0_0001
    case keyRotation = 0x7E55_E7A0_0002
    case purge = 0x7E55_E7A0_0003
}

public enum StoreBackend: String, Sendable {
    case postgres
    case sqlite
}

/// Upstream OpenID Providers of a tenant, and the local users linked to upstream accounts
/// (docs/upstream-identity-providers.md).
public protocol IdentityProviderStore: Sendable {
    /// `.conflict` when the slug is taken in the tenant.
    func insertIdentityProvider(_ provider: IdentityProvider) async throws
    func identityProvider(tenantID: UUID, id: UUID) async throws -> IdentityProvider?
    func identityProvider(tenantID: UUID, slug: String) async throws -> IdentityProvider?
    /// The tenant's providers, ordered by slug.
    func identityProviders(tenantID: UUID) async throws -> [IdentityProvider]
    /// Saves if the stored version is still `provider.version - 1`; `.conflict` otherwise.
    func updateIdentityProvider(_ provider: IdentityProvider) async throws
    /// True when there was one to delete. Links stay: they name the issuer, not the provider.
    func deleteIdentityProvider(tenantID: UUID, id: UUID) async throws -> Bool
    /// `.conflict` when the upstream account is already linked in the tenant.
    func insertUpstreamAccountLink(_ link: UpstreamAccountLink) async throws
    func upstreamAccountLink(tenantID: UUID, issuer: String, subject: String) async throws -> UpstreamAccountLink?
}

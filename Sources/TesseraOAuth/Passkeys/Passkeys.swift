import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Users' passkeys: the registration ceremony on the account page (WebAuthn L3 §7.1) and the
/// authentication ceremony at sign-in (§7.2), as a first factor (discoverable credentials, no
/// username) or after the password. The challenge is state the browser carries, sealed, so no
/// session is kept for a ceremony; what makes it single-use is a row recorded when it is
/// answered, kept until it expires.
public struct Passkeys: Sendable {
    let store: any Store
    let sealer: BrowserSealer
    public let relyingParty: PasskeyRelyingParty
    let clock: @Sendable () -> Date

    public init(
        store: any Store, sealer: BrowserSealer, publicURL: PublicURL,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.sealer = sealer
        self.relyingParty = PasskeyRelyingParty(publicURL: publicURL)
        self.clock = clock
    }

    public enum Failure: Error, Equatable, Sendable {
        /// The answer did not verify; the reason goes to the audit log.
        case refused(String)
        /// The counter did not move forward: a clone of the authenticator may exist.
        case cloned
        case unavailable
    }

    /// WebAuthn L3 §15.1 recommends a timeout of five minutes for user-verified ceremonies;
    /// the sealed challenge lives as long.
    public static let timeout: TimeInterval = 5 * 60
    /// A user's passkeys on the account page: enough for every device a person has.
    public static let maximumPerUser = 20

    struct Challenge: Codable {
        let ceremony: PasskeyRelyingParty.Ceremony
        let userID: UUID?
        let expiresAt: Date

        enum CodingKeys: String, CodingKey {
            case ceremony = "c"
            case userID = "u"
            case expiresAt = "e"
        }
    }

    func challenge(_ ceremony: PasskeyRelyingParty.Ceremony, userID: UUID?, tenant: TenantContext) -> String? {
        guard relyingParty.isUsable else { return nil }
        return sealer.seal(
            Challenge(ceremony: ceremony, userID: userID, expiresAt: clock().addingTimeInterval(Self.timeout)),
            purpose: .passkey, tenantID: tenant.id)
    }

    // MARK: - Registration

    /// The options of `navigator.credentials.create()` (WebAuthn L3 §5.4) for `user`, as the
    /// page's script passes them on: the three algorithms we verify, a discoverable credential
    /// (so it signs in without a username), `none` attestation, the tenant's user verification,
    /// and the user's passkeys excluded so one authenticator is not registered twice.
    public func registrationOptions(for user: User, existing: [Passkey], tenant: TenantContext) -> String? {
        guard let challenge = challenge(.registration, userID: user.id, tenant: tenant) else { return nil }
        var rp = JSONWriter()
        rp.string("id", relyingParty.id)
        rp.string("name", tenant.tenant.name)
        var person = JSONWriter()
        person.string("id", Base64URL.encode(Self.userHandle(user.id)))
        person.string("name", user.username)
        person.string("displayName", user.username)
        var selection = JSONWriter()
        selection.string("residentKey", "required")
        selection.bool("requireResidentKey", true)
        selection.string("userVerification", tenant.settings.passkeyUserVerification.rawValue)
        var options = JSONWriter()
        options.string("challenge", challenge)
        options.raw("rp", rp.finished())
        options.raw("user", person.finished())
        options.raw(
            "pubKeyCredParams",
            Self.array(
                COSEKey.Algorithm.allCases.map { algorithm in
                    var parameter = JSONWriter()
                    parameter.string("type", "public-key")
                    parameter.number("alg", algorithm.rawValue)
                    return parameter.finished()
                }))
        options.number("timeout", Int(Self.timeout * 1_000))
        options.raw("excludeCredentials", Self.descriptors(existing))
        options.raw("authenticatorSelection", selection.finished())
        options.string("attestation", "none")
        return Self.pageOptions(mode: "create", options.finished())
    }

    /// The account page's "Add a passkey" answer: the new credential becomes `user`'s, named
    /// `name`, once every check of WebAuthn L3 §7.1 passed and its challenge was not used before.
    public func register(
        _ json: String, name rawName: String, for user: User, tenant: TenantContext
    ) async throws(Failure) -> Passkey {
        let data: AuthenticatorData
        let credential: AuthenticatorData.AttestedCredential
        let response: PasskeyResponse
        let challengeText: String
        do throws(PasskeyRelyingParty.Refusal) {
            response = try PasskeyResponse(json: json)
            guard let attestation = response.attestationObject else { throw .init("no attestation object") }
            challengeText = try relyingParty.checkClientData(response.clientData, ceremony: .registration)
            try openChallenge(challengeText, .registration, userID: user.id, tenant: tenant)
            data = try relyingParty.readAttestation(attestation)
            try relyingParty.checkAuthenticatorData(data, userVerification: tenant.settings.passkeyUserVerification)
            guard let attested = data.attestedCredential, attested.credentialID == response.credentialID else {
                throw .init("the credential id is not the attested one")
            }
            credential = attested
        } catch {
            await audit(.passkeyFailure, tenant, user.id, reason: error.reason)
            throw .refused(error.reason)
        }
        let name = String(rawName.trimmingCharacters(in: .whitespacesAndNewlines).prefix(64))
        let passkey = Passkey(
            tenantID: tenant.id, userID: user.id, credentialID: credential.credentialID,
            publicKey: credential.publicKeyBytes, algorithm: credential.publicKey.algorithm.rawValue,
            signCount: Int64(data.signCount), backupEligible: data.flags.backupEligible,
            backedUp: data.flags.backedUp, transports: response.transports, aaguid: credential.aaguid,
            name: name.isEmpty ? "Passkey" : name, createdAt: clock())
        do {
            try await store.transaction { operations in
                // Counted in the insert's transaction, beside the challenge it spends.
                guard try await operations.passkeys(tenantID: tenant.id, userID: user.id).count < Self.maximumPerUser
                else { throw Failure.refused("the user has \(Self.maximumPerUser) passkeys") }
                try await Self.spend(challengeText, .registration, tenant: tenant, in: operations, now: clock())
                try await operations.insertPasskey(passkey)
                try await operations.appendAudit(
                    AuditRecord(action: .passkeyRegister, target: "user:\(user.id)"), tenantID: tenant.id,
                    actor: "user:\(user.id)", requestID: nil, at: clock())
            }
        } catch let failure as Failure {
            throw failure
        } catch StoreError.conflict {
            // The challenge was answered before, or the credential is registered already.
            await audit(.passkeyFailure, tenant, user.id, reason: "a used challenge or a known credential")
            throw .refused("a used challenge or a known credential")
        } catch {
            throw .unavailable
        }
        return passkey
    }

    // MARK: - Authentication

    /// The options of `navigator.credentials.get()` (WebAuthn L3 §5.5): with no credentials
    /// listed for a first-factor sign-in (the authenticator offers its discoverable ones, and the
    /// page says nothing about which accounts exist), or the user's own after their password.
    public func authenticationOptions(
        tenant: TenantContext, for userID: UUID? = nil, allowing allowed: [Passkey] = []
    ) -> String? {
        guard let challenge = challenge(.authentication, userID: userID, tenant: tenant) else { return nil }
        var options = JSONWriter()
        options.string("challenge", challenge)
        options.string("rpId", relyingParty.id)
        options.number("timeout", Int(Self.timeout * 1_000))
        options.string("userVerification", tenant.settings.passkeyUserVerification.rawValue)
        options.raw("allowCredentials", Self.descriptors(allowed))
        return Self.pageOptions(mode: "get", options.finished())
    }

    /// A verified assertion: whose passkey it was, and the RFC 8176 methods it stands for.
    public struct Verified: Sendable {
        public let user: User
        public let methods: [AuthenticationMethod]
    }

    /// WebAuthn L3 §7.2 for the assertion in `json`. `expectedUser` is the user whose password
    /// was right when the passkey is the second factor; nil when it is the first, and the
    /// credential's user handle says who signs in.
    public func authenticate(
        _ json: String, expectedUser: UUID?, tenant: TenantContext
    ) async throws(Failure) -> Verified {
        let policy = tenant.settings.passkeyUserVerification
        let response: PasskeyResponse
        let challengeText: String
        let authenticatorData: [UInt8]
        let signature: [UInt8]
        do throws(PasskeyRelyingParty.Refusal) {
            response = try PasskeyResponse(json: json)
            guard let data = response.authenticatorData, let signed = response.signature else {
                throw .init("no authenticator data or signature")
            }
            authenticatorData = data
            signature = signed
            challengeText = try relyingParty.checkClientData(response.clientData, ceremony: .authentication)
            try openChallenge(challengeText, .authentication, userID: expectedUser, tenant: tenant)
        } catch {
            await audit(.passkeyFailure, tenant, expectedUser, reason: error.reason)
            throw .refused(error.reason)
        }
        let stored: Passkey?
        do {
            stored = try await store.passkey(tenantID: tenant.id, credentialID: response.credentialID)
        } catch {
            throw .unavailable
        }
        let data: AuthenticatorData
        do throws(PasskeyRelyingParty.Refusal) {
            // §7.2 steps 5-6: a credential of this tenant; of the user who typed the password
            // when there is one; and a user handle, when given or needed, naming the same user.
            guard let stored else { throw .init("an unknown credential") }
            if let expectedUser, stored.userID != expectedUser { throw .init("another user's credential") }
            if let handle = response.userHandle {
                guard ConstantTime.equals(handle, Self.userHandle(stored.userID)) else {
                    throw .init("the user handle is not the credential's")
                }
            } else if expectedUser == nil {
                throw .init("no user handle for a sign-in without a username")
            }
            do {
                data = try AuthenticatorData(authenticatorData)
            } catch {
                throw .init("authenticator data: \(error.description)")
            }
            try relyingParty.checkAuthenticatorData(data, userVerification: policy)
            // §7.2 step 19: BE is a property of the credential, fixed when it was made.
            guard data.flags.backupEligible == stored.backupEligible else {
                throw .init("the backup eligibility changed")
            }
            let key: COSEKey
            do {
                key = try COSEKey(cbor: stored.publicKey)
            } catch {
                throw .init("the stored key: \(error.description)")
            }
            try relyingParty.checkSignature(
                signature, authenticatorData: authenticatorData, clientData: response.clientData, key: key)
        } catch {
            await audit(.passkeyFailure, tenant, stored?.userID ?? expectedUser, reason: error.reason)
            throw .refused(error.reason)
        }
        guard let stored else { throw .refused("an unknown credential") }
        let user: User?
        do {
            try await Self.spend(challengeText, .authentication, tenant: tenant, in: store, now: clock())
        } catch StoreError.conflict {
            await audit(.passkeyFailure, tenant, stored.userID, reason: "a replayed challenge")
            throw .refused("a replayed challenge")
        } catch {
            throw .unavailable
        }
        do {
            // §7.2 step 22: a counter that does not grow (when either side keeps one) means two
            // authenticators hold the key; the credential is refused, and the event audited.
            guard
                try await store.recordPasskeyUse(
                    tenantID: tenant.id, credentialID: stored.credentialID, signCount: Int64(data.signCount),
                    backedUp: data.flags.backedUp, at: clock())
            else {
                await audit(
                    .passkeyCloned, tenant, stored.userID, reason: "counter \(data.signCount) after \(stored.signCount)"
                )
                throw Failure.cloned
            }
            user = try await store.user(tenantID: tenant.id, id: stored.userID)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unavailable
        }
        guard let user, user.status == .active else { throw .refused("the user is disabled") }
        var methods: [AuthenticationMethod] = [.hardwareKey, .userPresence]
        if data.flags.userVerified { methods.append(.multipleFactors) }
        return Verified(user: user, methods: methods)
    }

    // MARK: - The account page

    public func list(for user: User) async throws(Failure) -> [Passkey] {
        do {
            return try await store.passkeys(tenantID: user.tenantID, userID: user.id)
        } catch {
            throw .unavailable
        }
    }

    public func remove(_ credentialID: [UInt8], of user: User) async throws(Failure) -> Bool {
        do {
            return try await store.transaction { operations in
                guard
                    try await operations.deletePasskey(
                        tenantID: user.tenantID, userID: user.id, credentialID: credentialID)
                else { return false }
                try await operations.appendAudit(
                    AuditRecord(action: .passkeyRemove, target: "user:\(user.id)"), tenantID: user.tenantID,
                    actor: "user:\(user.id)", requestID: nil, at: clock())
                return true
            }
        } catch {
            throw .unavailable
        }
    }

    // MARK: - Pieces

    /// The WebAuthn user handle (§5.4.3): the user's id as 16 bytes; no name, no e-mail.
    static func userHandle(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    /// The sealed challenge was made by us, for this ceremony (and user), and is still fresh.
    func openChallenge(
        _ text: String, _ ceremony: PasskeyRelyingParty.Ceremony, userID: UUID?, tenant: TenantContext
    ) throws(PasskeyRelyingParty.Refusal) {
        guard let challenge = sealer.open(text, as: Challenge.self, purpose: .passkey, tenantID: tenant.id) else {
            throw .init("a challenge we did not make")
        }
        guard challenge.ceremony == ceremony, challenge.userID == userID else {
            throw .init("a challenge made for another ceremony or user")
        }
        guard challenge.expiresAt > clock() else { throw .init("an expired challenge") }
    }

    /// Records the challenge as answered; `.conflict` when it was before, at any instance.
    static func spend(
        _ text: String, _ ceremony: PasskeyRelyingParty.Ceremony, tenant: TenantContext, in store: any StoreOperations,
        now: Date
    ) async throws {
        try await store.recordWebAuthnChallenge(
            tenantID: tenant.id, ceremony: ceremony == .registration ? "create" : "get",
            id: Base64URL.encode(SecretHash(of: text).bytes), expiresAt: now.addingTimeInterval(timeout))
    }

    static func descriptors(_ passkeys: [Passkey]) -> [UInt8] {
        array(
            passkeys.map { passkey in
                var descriptor = JSONWriter()
                descriptor.string("type", "public-key")
                descriptor.string("id", Base64URL.encode(passkey.credentialID))
                if !passkey.transports.isEmpty { descriptor.strings("transports", passkey.transports) }
                return descriptor.finished()
            })
    }

    static func array(_ items: [[UInt8]]) -> [UInt8] {
        [UInt8(ascii: "[")] + Array(items.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")]
    }

    /// What the page's script reads: which call to make, and its `publicKey` options.
    static func pageOptions(mode: String, _ publicKey: [UInt8]) -> String {
        var page = JSONWriter()
        page.string("mode", mode)
        page.raw("publicKey", publicKey)
        return String(decoding: page.finished(), as: UTF8.self)
    }

    func audit(_ action: AuditAction, _ tenant: TenantContext, _ userID: UUID?, reason: String) async {
        // Evidence, not a gate: a failed audit write does not turn a refusal into a 500.
        try? await store.appendAudit(
            AuditRecord(
                action: action, target: userID.map { "user:\($0)" } ?? "passkey",
                details: AuditDetails().string("reason", String(reason.prefix(200)))),
            tenantID: tenant.id, actor: userID.map { "user:\($0)" } ?? "anonymous", requestID: nil, at: clock())
    }
}

import Crypto
import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Users' TOTP factors (RFC 6238): enrolment, and the check of a typed code. Secrets are kept
/// sealed with AES-256-GCM under a key derived from the master key, bound to tenant and user, so
/// a database dump alone yields no codes and a row copied to another user opens nothing.
public struct SecondFactors: Sendable {
    let store: any Store
    let key: SymmetricKey
    /// The sealing key and those of accepted master keys (docs/master-key-change.md).
    let openingKeys: [SymmetricKey]
    let clock: @Sendable () -> Date

    public init(store: any Store, masterKey: MasterKey, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.key = masterKey.derivedKey(purpose: "tessera totp secret v1")
        self.openingKeys = masterKey.derivedKeys(purpose: "tessera totp secret v1")
        self.clock = clock
    }

    public enum Failure: Error, Equatable, Sendable {
        case wrongCode
        case unavailable
    }

    /// What enrolment hands out, once: the `otpauth://` URI for the authenticator app, and the
    /// recovery codes that stand in for it when the phone is lost.
    public struct Enrolment: Sendable {
        public let uri: String
        public let recoveryCodes: [String]
    }

    /// How many recovery codes an enrolment makes; each opens one sign-in.
    public static let recoveryCodeCount = 10

    /// A fresh factor for `user`, replacing any other (and its recovery codes); `confirmed` for
    /// help-desk enrolment (INTERFACE.md `tessera user mfa totp`), where the person hands the URI
    /// to the user. Only the sealed secret and the codes' hashes are kept.
    public func enrolTOTP(
        for user: User, in tenant: Tenant, issuerName: String, confirmed: Bool
    ) async throws
        -> Enrolment
    {
        let secret = RandomToken.randomBytes(TOTP.secretLength)
        let codes = try await save(secret, for: user, in: tenant, confirmed: confirmed, lastStep: nil, actor: "cli")
        return Enrolment(
            uri: TOTP.uri(secret: secret, issuer: issuerName, account: user.username), recoveryCodes: codes)
    }

    /// The factor and fresh recovery codes, in one transaction, audited; the codes in clear.
    func save(
        _ secret: [UInt8], for user: User, in tenant: Tenant, confirmed: Bool, lastStep: Int64?, actor: String
    ) async throws -> [String] {
        let sealed = try seal(secret, tenantID: tenant.id, userID: user.id)
        let now = clock()
        let codes = (0..<Self.recoveryCodeCount).map { _ in RecoveryCode.generate() }
        try await store.transaction { operations in
            try await operations.replaceRecoveryCodes(
                tenantID: tenant.id, userID: user.id, hashes: codes.map { SecretHash(of: RecoveryCode.normalized($0)) })
            try await operations.saveTOTP(
                TOTPFactor(
                    tenantID: tenant.id, userID: user.id, sealedSecret: sealed, confirmedAt: confirmed ? now : nil,
                    lastStep: lastStep, createdAt: now))
            try await operations.appendAudit(
                AuditRecord(action: .totpEnrol, target: "user:\(user.id)"), tenantID: tenant.id, actor: actor,
                requestID: nil, at: now)
        }
        return codes
    }

    // MARK: - Self-enrolment on the account page

    /// A secret offered to the user, not yet theirs: it becomes their factor only once their
    /// app showed a right code for it. Carried sealed in the setup page's form, so nothing is
    /// stored for an enrolment that is abandoned.
    public struct Offer: Sendable {
        public let uri: String
        /// The secret in base32, in groups of four, for apps without a camera.
        public let key: String
        /// The URI as a QR code (SVG) for apps with one; nil if it were too long to draw.
        public let qrSVG: String?
        public let sealed: String
    }

    struct PendingSecret: Codable {
        let secret: [UInt8]
        let expiresAt: Date
    }

    /// How long the setup page waits for the first code.
    static let offerLifetime: TimeInterval = 10 * 60

    public func offer(for user: User, in tenant: Tenant, issuerName: String) throws -> Offer {
        let secret = RandomToken.randomBytes(TOTP.secretLength)
        let pending = PendingSecret(secret: secret, expiresAt: clock().addingTimeInterval(Self.offerLifetime))
        let sealed = try seal(Array(try JSONEncoder().encode(pending)), tenantID: tenant.id, userID: user.id)
        let key = Base32.encode(secret)
        let grouped = stride(from: 0, to: key.count, by: 4).map { start in
            let from = key.index(key.startIndex, offsetBy: start)
            return String(key[from..<(key.index(from, offsetBy: 4, limitedBy: key.endIndex) ?? key.endIndex)])
        }.joined(separator: " ")
        let uri = TOTP.uri(secret: secret, issuer: issuerName, account: user.username)
        return Offer(
            uri: uri, key: grouped, qrSVG: QRCode(uri)?.svg(title: "QR code for your authenticator app"),
            sealed: Base64URL.encode(sealed))
    }

    /// The user typed `code` for the offered secret: it becomes their factor (replacing any
    /// other), the code's step counts as used, and the new recovery codes come back, once.
    public func accept(
        _ sealed: String, code: String, for user: User, in tenant: Tenant
    ) async throws(Failure)
        -> [String]
    {
        guard let bytes = Base64URL.decode(sealed),
            let plaintext = try? open(Array(bytes), tenantID: tenant.id, userID: user.id),
            let pending = try? JSONDecoder().decode(PendingSecret.self, from: Data(plaintext)),
            pending.expiresAt > clock(),
            let step = TOTP.matchingStep(code, secret: pending.secret, at: clock(), after: nil)
        else { throw .wrongCode }
        do {
            return try await save(
                pending.secret, for: user, in: tenant, confirmed: true, lastStep: step, actor: "user:\(user.id)")
        } catch {
            throw .unavailable
        }
    }

    public func remove(for user: User) async throws(Failure) {
        do {
            try await store.transaction { operations in
                guard try await operations.deleteTOTP(tenantID: user.tenantID, userID: user.id) else { return }
                try await operations.replaceRecoveryCodes(tenantID: user.tenantID, userID: user.id, hashes: [])
                try await operations.appendAudit(
                    AuditRecord(action: .totpRemove, target: "user:\(user.id)"), tenantID: user.tenantID,
                    actor: "user:\(user.id)", requestID: nil, at: clock())
            }
        } catch {
            throw .unavailable
        }
    }

    /// Whether `user` has an authenticator app that gives codes.
    public func hasTOTP(_ user: User) async throws(Failure) -> Bool {
        do {
            return try await store.totp(tenantID: user.tenantID, userID: user.id)?.confirmedAt != nil
        } catch {
            throw .unavailable
        }
    }

    /// Whether `user` must give a second factor after the password: they set up an
    /// authenticator app or registered a passkey.
    public func isRequired(for user: User) async throws(Failure) -> Bool {
        if try await hasTOTP(user) { return true }
        do {
            return !(try await store.passkeys(tenantID: user.tenantID, userID: user.id).isEmpty)
        } catch {
            throw .unavailable
        }
    }

    /// What the code page takes: a recovery code (spent once), or a TOTP code.
    public func verify(_ typed: String, for user: User) async throws(Failure) {
        if RecoveryCode.looksLikeOne(typed) {
            let spent: Bool
            do {
                spent = try await store.spendRecoveryCode(
                    tenantID: user.tenantID, userID: user.id, hash: SecretHash(of: RecoveryCode.normalized(typed)),
                    at: clock())
            } catch {
                throw .unavailable
            }
            guard spent else { throw .wrongCode }
            return
        }
        try await verifyTOTP(typed, for: user)
    }

    /// RFC 6238 §5.2: the code of the current step or one either side, later than the last step
    /// taken, and taken once at any instance.
    public func verifyTOTP(_ code: String, for user: User) async throws(Failure) {
        let factor: TOTPFactor?
        do {
            factor = try await store.totp(tenantID: user.tenantID, userID: user.id)
        } catch {
            throw .unavailable
        }
        guard let factor, factor.confirmedAt != nil,
            let secret = try? open(factor.sealedSecret, tenantID: user.tenantID, userID: user.id),
            let step = TOTP.matchingStep(code, secret: secret, at: clock(), after: factor.lastStep)
        else { throw .wrongCode }
        let accepted: Bool
        do {
            accepted = try await store.acceptTOTPStep(tenantID: user.tenantID, userID: user.id, step: step)
        } catch {
            throw .unavailable
        }
        guard accepted else { throw .wrongCode }
    }

    func seal(_ secret: [UInt8], tenantID: UUID, userID: UUID) throws -> [UInt8] {
        let box = try AES.GCM.seal(secret, using: key, authenticating: Self.context(tenantID, userID))
        guard let combined = box.combined else { throw Failure.unavailable }
        return Array(combined)
    }

    func open(_ sealed: [UInt8], tenantID: UUID, userID: UUID) throws -> [UInt8] {
        let box = try AES.GCM.SealedBox(combined: sealed)
        for key in openingKeys {
            if let secret = try? AES.GCM.open(box, using: key, authenticating: Self.context(tenantID, userID)) {
                return Array(secret)
            }
        }
        throw Failure.unavailable
    }

    /// Whether a stored secret opens with the sealing key alone (`tessera keys rewrap`).
    func opensWithSealingKey(_ sealed: [UInt8], tenantID: UUID, userID: UUID) -> Bool {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return false }
        return (try? AES.GCM.open(box, using: key, authenticating: Self.context(tenantID, userID))) != nil
    }

    static func context(_ tenantID: UUID, _ userID: UUID) -> [UInt8] {
        Array("totp|\(tenantID.uuidString.lowercased())|\(userID.uuidString.lowercased())".utf8)
    }
}

import Foundation

public enum SigningAlgorithm: String, Sendable, Codable, CaseIterable {
    case es256 = "ES256"
    case edDSA = "EdDSA"
    case rs256 = "RS256"
    /// Shared-secret signing for a tenant that opts in; such keys are never published.
    case hs256 = "HS256"

    public var isPublishable: Bool { self != .hs256 }

    /// The JWS `alg` Tessera writes in headers and JWKs for this key: fully specified (RFC 9864
    /// §2.2), so an Ed25519 key signs as `Ed25519`, not the deprecated polymorphic `EdDSA`.
    public var jwsAlgorithm: String { self == .edDSA ? "Ed25519" : rawValue }

    /// Whether a JWS header's `alg` names this algorithm: for an Ed25519 key both `Ed25519` and
    /// `EdDSA` do (RFC 9864 §2.2 deprecates `EdDSA` but tokens and clients still send it).
    public func accepts(_ alg: String) -> Bool { alg == jwsAlgorithm || alg == rawValue }

    /// An algorithm by the name an operator types (`--alg`, `key_algorithm`): the stored names,
    /// and `Ed25519` for `EdDSA`.
    public init?(name: String) {
        if name == "Ed25519" {
            self = .edDSA
        } else {
            self.init(rawValue: name)
        }
    }
}

/// Where a key stands in its life: `next` → `current` → `previous` → `retired`, or `revoked`.
public enum KeyState: String, Sendable, Codable, CaseIterable {
    /// Published, not yet signing: resource servers learn it before the first token it signs.
    case next
    /// The one signing key of the tenant.
    case current
    /// Published, verify-only, until every token it signed has expired.
    case previous
    /// Unpublished, private part destroyed.
    case retired
    /// Emergency exit: unpublished at once, everything it signed fails verification.
    case revoked

    public var isPublished: Bool { self == .next || self == .current || self == .previous }
    public var verifies: Bool { self == .current || self == .previous }
}

/// A signing key as stored: its public JWK, and the private part sealed under the master key.
public struct SigningKeyRecord: Sendable, Equatable {
    public let tenantID: UUID
    public let kid: String
    public let algorithm: SigningAlgorithm
    public var state: KeyState
    /// The public key as a JWK JSON object (for HS256: empty, never published).
    public let publicJWK: String
    /// AES-256-GCM sealed private key; nil once the key is retired or revoked.
    public var sealedPrivateKey: [UInt8]?
    public let createdAt: Date
    /// When it became `current`.
    public var activatedAt: Date?
    /// When it became `previous`.
    public var deactivatedAt: Date?
    /// When a `previous` key may retire: every token it signed has expired by then.
    public var retireAfter: Date?
    /// When it was retired or revoked.
    public var endedAt: Date?
    /// The series it rotates in: the tenant's main keys, or an ID-token line of one algorithm.
    public let line: KeyLine

    public init(
        tenantID: UUID, kid: String, algorithm: SigningAlgorithm, state: KeyState, publicJWK: String,
        sealedPrivateKey: [UInt8]?, createdAt: Date, activatedAt: Date? = nil, deactivatedAt: Date? = nil,
        retireAfter: Date? = nil, endedAt: Date? = nil, line: KeyLine = .main
    ) {
        self.line = line
        self.tenantID = tenantID
        self.kid = kid
        self.algorithm = algorithm
        self.state = state
        self.publicJWK = publicJWK
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
        self.activatedAt = activatedAt
        self.deactivatedAt = deactivatedAt
        self.retireAfter = retireAfter
        self.endedAt = endedAt
    }
}

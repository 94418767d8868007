import Foundation
import TesseraCore

/// One change to a tenant's stored keys, as the lifecycle rules plan it.
///
/// A plan is an ordered `[KeyTransition]` to apply in one transaction, in order: the order keeps
/// at most one `current` and one `next` key after every single statement, so the store's unique
/// indexes hold throughout. An `update` carries the state the row must still be in
/// (`SigningKeyStore.updateSigningKey(_:expectedState:)`): if another instance changed the key
/// first, the update matches no row, the transaction rolls back, and the plan is recomputed.
public enum KeyTransition: Sendable, Equatable {
    /// A new key row.
    case insert(SigningKeyRecord)
    /// An existing key changes, provided it is still in `expectedState`.
    case update(SigningKeyRecord, expectedState: KeyState)

    /// The record as it is after the transition.
    public var record: SigningKeyRecord {
        switch self {
        case .insert(let record), .update(let record, _): record
        }
    }
}

/// How a tenant's keys rotate, in whole seconds.
public struct RotationPolicy: Sendable, Equatable {
    /// How long a key signs before the next one takes over.
    public var rotationPeriod: Int
    /// How long a `next` key must have been published before it may sign: longer than any JWKS
    /// cache, so no resource server meets its kid unannounced.
    public var publishAhead: Int
    /// How long a `previous` key must keep verifying: the longest lifetime of any token it
    /// signed, plus the verifiers' clock-skew allowance.
    public var longestTokenLifetime: Int

    public init(rotationPeriod: Int, publishAhead: Int, longestTokenLifetime: Int) {
        self.rotationPeriod = rotationPeriod
        self.publishAhead = publishAhead
        self.longestTokenLifetime = longestTokenLifetime
    }

    /// The policy a tenant's settings imply. Signed tokens are access tokens and ID tokens;
    /// `clockSkew` is the leeway verifiers allow past `exp`.
    public init(settings: TenantSettings, clockSkew: Int = 60) {
        self.init(
            rotationPeriod: settings.keyRotationPeriod, publishAhead: settings.keyPublishAhead,
            longestTokenLifetime: max(settings.accessTokenTTL, settings.idTokenTTL) + clockSkew)
    }
}

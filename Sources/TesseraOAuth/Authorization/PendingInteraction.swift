import Foundation
import TesseraCore

/// What the browser was doing when it was shown a login or consent page, sealed into the page's
/// form so that the next POST carries it back unaltered, to any instance.
public struct PendingInteraction: Codable, Sendable, Equatable {
    public enum Purpose: Codable, Sendable, Equatable {
        /// An authorization request waiting for the user to sign in and approve.
        case authorize(AuthorizationRequest)
        /// The user's own account page, behind a sign-in.
        case account
        /// A device waiting for a person to approve its user code (RFC 8628 §3.3).
        case device(userCode: String)
    }

    public let purpose: Purpose
    /// Who signed in, once someone has: the consent that follows is theirs only.
    public let userID: UUID?
    public let expiresAt: Date
    /// Set when the password was right and the user's second factor is awaited: the sign-in
    /// ends only with it. Sealed, so only a page of ours, for this user, can carry it.
    public var passwordVerifiedAt: Date?
    /// Set once the second factor was given or enrolled: the recovery-code page of an enrolment
    /// during sign-in continues from here.
    public var secondFactorVerifiedAt: Date?
    /// Set when the first factor was a sign-in at this upstream provider (its slug), not a
    /// password: the `amr` then names only what Tessera itself checked
    /// (docs/upstream-identity-providers.md).
    public var upstreamProvider: String?

    /// The methods of the first step, for `amr` once the second is given.
    public var firstFactor: [AuthenticationMethod] { upstreamProvider == nil ? [.password] : [] }

    /// Long enough to read a consent page and look up a password, short enough that a page
    /// left open overnight starts again.
    public static let lifetime: TimeInterval = 15 * 60

    public init(purpose: Purpose, userID: UUID? = nil, expiresAt: Date) {
        self.purpose = purpose
        self.userID = userID
        self.expiresAt = expiresAt
    }
}

/// What the browser is shown next. Plain values: the server turns them into pages and redirects.
public enum InteractionStep: Sendable {
    /// An error the user reads; never a redirect (the client or redirect URI cannot be trusted).
    case errorPage(status: Int, message: String)
    /// Back to the client (or to a page of ours).
    case redirect(String)
    case login(LoginPrompt)
    case consent(ConsentPrompt)
    /// The device verification form (RFC 8628 §3.3), with the code typed so far.
    case deviceCode(DeviceCodePrompt)
    /// The end of a flow that returns to no client (a device was approved or denied).
    case done(title: String, message: String)
    /// After a right password: the one-time code of the user's authenticator app, or a passkey.
    case secondFactor(SecondFactorPrompt)
    /// `mfa = required`: set up a factor before the sign-in ends (an offer), or the recovery
    /// codes of the one just set up.
    case enrolment(EnrolmentPrompt)
}

/// `mfa = required`, no factor yet: the setup form inside the sign-in, and afterwards the
/// recovery codes with a form to continue.
public struct EnrolmentPrompt: Sendable {
    public let pending: String
    public let offer: SecondFactors.Offer?
    public let recoveryCodes: [String]
    public let error: String?
    public let status: Int
}

public struct SecondFactorPrompt: Sendable {
    public let pending: String
    public let clientName: String?
    public let error: String?
    public let status: Int
    /// Whether the user has an authenticator app, so the page asks for its code.
    public var offersCode = true
    /// The `navigator.credentials.get()` options for the user's passkeys, when they have some.
    public var passkeyOptions: String? = nil
}

public struct DeviceCodePrompt: Sendable {
    public let userCode: String?
    public let error: String?
    public let status: Int
}

public struct LoginPrompt: Sendable {
    public let pending: String
    public let clientName: String?
    public let error: String?
    public let status: Int
    /// The `navigator.credentials.get()` options of a sign-in with a passkey and no username.
    public var passkeyOptions: String? = nil
    /// "Sign in with …" buttons, one per enabled upstream provider of the tenant.
    public var providers: [UpstreamOption] = []
}

/// One upstream identity provider as the login page offers it.
public struct UpstreamOption: Sendable, Equatable {
    public let slug: String
    public let name: String
}

public struct ConsentPrompt: Sendable {
    public struct Item: Sendable, Equatable {
        public let name: String
        public let description: String
        public let alreadyGranted: Bool
    }

    public let pending: String
    public let clientName: String
    public let username: String
    public let scopes: [Item]
    public let audience: [String]
    /// For a device: the code the person must find on the device's screen before approving.
    public var userCode: String? = nil
    /// For an app no administrator made: the host it lives at (its `client_uri`, else its
    /// first https redirect URI), shown beside the name it gave itself.
    public var appHost: String? = nil
    /// The app registered itself and no administrator has vouched for it.
    public var unverified = false
}

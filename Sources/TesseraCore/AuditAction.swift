/// Every kind of line in the audit log: what an admin did or what security event happened.
/// The raw values are what the log stores and the admin API shows (dotted, noun first), so
/// they never change once released; new actions are added, none renamed.
public enum AuditAction: String, Sendable, CaseIterable, Codable {
    case tenantCreate = "tenant.create"
    case tenantSettingsUpdate = "tenant.settings.update"
    case tenantDisable = "tenant.disable"
    case tenantEnable = "tenant.enable"

    case clientCreate = "client.create"
    case clientUpdate = "client.update"
    case clientSecretRotate = "client.secret.rotate"
    case clientDelete = "client.delete"
    case registrationTokenCreate = "registration.token.create"
    case registrationTokenRevoke = "registration.token.revoke"
    case registrationPolicyUpdate = "registration.policy.update"
    case resourceCreate = "resource.create"
    case resourceDelete = "resource.delete"

    case scopeCreate = "scope.create"

    case userCreate = "user.create"
    case userUpdate = "user.update"
    case userDisable = "user.disable"
    case userEnable = "user.enable"
    case userPasswordReset = "user.password.reset"
    case userRoleAdd = "user.role.add"
    case userRoleRemove = "user.role.remove"

    case keyRotate = "key.rotate"
    case keyRevoke = "key.revoke"
    case keySchedule = "key.schedule"
    case keyRewrap = "key.rewrap"
    /// An ID-token key line's first keys, made when a client first asked for its algorithm.
    case keyProvision = "key.provision"

    case consentGrant = "consent.grant"
    case consentRevoke = "consent.revoke"

    case loginSuccess = "login.success"
    case loginFailure = "login.failure"
    case loginLockout = "login.lockout"
    case loginThrottled = "login.throttled"
    case secondFactorFailure = "login.second_factor.failure"
    case totpEnrol = "user.totp.enrol"
    case totpRemove = "user.totp.remove"
    case passkeyRegister = "user.passkey.register"
    case passkeyRemove = "user.passkey.remove"
    /// A passkey assertion or registration that did not verify (wrong origin, replay, bad signature).
    case passkeyFailure = "login.passkey.failure"
    /// A passkey's signature counter did not move forward: WebAuthn L3 §6.1.1's sign of a cloned
    /// authenticator.
    case passkeyCloned = "login.passkey.cloned"

    case identityProviderCreate = "identity_provider.create"
    case identityProviderUpdate = "identity_provider.update"
    case identityProviderDelete = "identity_provider.delete"
    /// A sign-in through an upstream identity provider: refused (with the rule), or a new link.
    case upstreamLoginFailure = "login.upstream.failure"
    case upstreamAccountLink = "user.upstream.link"

    case deviceApprove = "device.approve"
    case deviceDeny = "device.deny"
    case deviceUserCodeFailure = "device.user_code.failure"

    /// RFC 6749 §10.5 / RFC 9700 §4.14: a second use of a code or of a rotated refresh token.
    case authorizationCodeReplay = "authorization_code.replay"
    case refreshTokenReuse = "refresh_token.reuse"

    /// A sign-in session ended (signed out here, at an app, or from another browser).
    case sessionEnd = "session.end"
    /// OIDC Back-Channel Logout 1.0 §2.8: a logout token the client did not accept (retried),
    /// and one given up on after the last attempt.
    case backchannelLogoutFailure = "backchannel_logout.failure"
    case backchannelLogoutAbandoned = "backchannel_logout.abandoned"
}

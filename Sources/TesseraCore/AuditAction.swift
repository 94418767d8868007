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

    case scopeCreate = "scope.create"

    case userCreate = "user.create"
    case userUpdate = "user.update"
    case userDisable = "user.disable"
    case userEnable = "user.enable"
    case userPasswordReset = "user.password.reset"

    case keyRotate = "key.rotate"
    case keyRevoke = "key.revoke"
    case keySchedule = "key.schedule"
    case keyRewrap = "key.rewrap"

    case consentGrant = "consent.grant"
    case consentRevoke = "consent.revoke"

    case loginSuccess = "login.success"
    case loginFailure = "login.failure"
    case loginLockout = "login.lockout"
    case loginThrottled = "login.throttled"
    case secondFactorFailure = "login.second_factor.failure"
    case totpEnrol = "user.totp.enrol"

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
}

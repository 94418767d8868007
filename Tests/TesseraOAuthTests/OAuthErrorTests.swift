import TesseraOAuth
import Testing

/// The RFC 6749 §5.2 error response every protocol failure becomes.
@Suite struct OAuthErrorTests {
    @Test func statusIs400Except401ForInvalidClient429ForRateLimitsAnd5xxForServerSideCodes() {
        for code in OAuthError.Code.allCases {
            let expected =
                switch code {
                // RFC 6750 §3.1: invalid_token is 401 too.
                case .invalidClient, .invalidToken: 401
                case .rateLimited: 429
                case .serverError: 500
                case .temporarilyUnavailable: 503
                default: 400
                }
            #expect(OAuthError(code).status == expected, "\(code.rawValue)")
        }
    }

    /// RFC 6750 §3: a bearer challenge without an error when no token came, with one otherwise;
    /// a refusal of what the tenant does not allow is 403.
    @Test func bearerChallengesAndForbiddenRegistrations() {
        #expect(OAuthError.invalidToken(presented: false).wwwAuthenticate == "Bearer realm=\"tessera\"")
        #expect(OAuthError.invalidToken().wwwAuthenticate == "Bearer realm=\"tessera\", error=\"invalid_token\"")
        #expect(OAuthError.forbidden("closed").status == 403)
        #expect(OAuthError.forbidden("closed").code == .accessDenied)
        #expect(OAuthError.invalidClientMetadata().code.rawValue == "invalid_client_metadata")
        #expect(OAuthError.invalidRedirectURI().code.rawValue == "invalid_redirect_uri")
    }

    @Test func codesAreTheRegisteredNames() {
        #expect(OAuthError.invalidTarget().code.rawValue == "invalid_target")
        #expect(OAuthError.unsupportedTokenType().code.rawValue == "unsupported_token_type")
        #expect(OAuthError.authorizationPending().code.rawValue == "authorization_pending")
        #expect(OAuthError.slowDown().code.rawValue == "slow_down")
        #expect(OAuthError.expiredToken().code.rawValue == "expired_token")
        #expect(OAuthError.interactionRequired().code.rawValue == "interaction_required")
    }

    @Test func bodyCarriesErrorAndDescriptionOnlyWhenThereIsOne() {
        #expect(
            OAuthError.invalidGrant("code expired").body == [
                "error": "invalid_grant", "error_description": "code expired",
            ])
        #expect(OAuthError.invalidScope().body == ["error": "invalid_scope"])
    }

    @Test func onlyInvalidClientChallengesAndNamesTheErrorWhenBasicWasUsed() {
        #expect(OAuthError.invalidClient().wwwAuthenticate == #"Basic realm="tessera""#)
        #expect(
            OAuthError.invalidClient(clientUsedBasicScheme: true).wwwAuthenticate
                == #"Basic realm="tessera", error="invalid_client""#)
        #expect(OAuthError.invalidRequest().wwwAuthenticate == nil)
        #expect(OAuthError.serverError().wwwAuthenticate == nil)
    }

    @Test func descriptionIsLimitedToTheCharactersRFC6749Allows() {
        let error = OAuthError.invalidRequest("bad \"quote\" \\ back\nslash é")
        #expect(error.description == "bad 'quote' / back?slash ?")
    }
}

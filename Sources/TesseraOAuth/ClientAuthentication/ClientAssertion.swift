import Foundation
import TesseraCore
import TesseraJOSE

/// A `client_assertion` (RFC 7523 §2.2) taken apart by the one JWS parser, before anything in it
/// is believed: the header rules every JWT obeys (`CompactJWS`), an asymmetric `alg`
/// (`JWSAlgorithm`), and claims that read as RFC 7523's. The key is chosen later, from the
/// client's registered JWKS.
struct ClientAssertion: Sendable {
    let jws: CompactJWS
    let algorithm: JWSAlgorithm
    let claims: ClientAssertionClaims

    init(parsing token: String) throws(OAuthError) {
        let malformed = OAuthError.invalidClient("the client assertion is not a well-formed signed JWT")
        let notAccepted = OAuthError.invalidClient(
            "the client assertion's alg is not accepted; private_key_jwt takes \(JWSAlgorithm.supportedNames)")
        do {
            jws = try CompactJWS(parsing: token)
        } catch .unsupportedAlgorithm {
            throw notAccepted
        } catch .refusedHeaderMember(let name) {
            throw .invalidClient("the client assertion's header carries the refused parameter '\(name)'")
        } catch {
            throw malformed
        }
        guard let algorithm = JWSAlgorithm(rawValue: jws.algorithm) else { throw notAccepted }
        self.algorithm = algorithm
        do {
            claims = try ClientAssertionClaims(compactJSON: try jws.claims())
        } catch {
            throw malformed
        }
    }

    var kid: String? { jws.keyID }
}

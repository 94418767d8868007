extension SigningAlgorithm {
    /// The algorithms a client may register as `id_token_signed_response_alg`, in the order
    /// discovery lists them: ES256 (the default), RS256 (OIDC Core §15.1: mandatory to
    /// implement) and Ed25519 (RFC 9864; `EdDSA` is accepted as its older name).
    public static let idTokenAlgorithms: [SigningAlgorithm] = [.es256, .rs256, .edDSA]

    /// The names an admin may send: the JWS names, and `EdDSA` for Ed25519.
    public static let idTokenAlgorithmNames = ["ES256", "RS256", "Ed25519", "EdDSA"]

    /// OIDC Dynamic Client Registration 1.0 §2 `id_token_signed_response_alg` as an admin names
    /// it. `none` is refused: §2 lets a client ask for unsigned ID tokens only with response
    /// types that return no ID token from the authorization endpoint, and Tessera signs every ID
    /// token. HS256 is refused too: a tenant's HS256 keys are never published, so nobody could
    /// verify such a token.
    public init(idTokenAlgorithm name: String) throws(ValidationError) {
        let field = "id_token_signed_response_alg"
        guard name != "none" else {
            throw ValidationError(field: field, "'none' is not offered: Tessera always signs ID tokens")
        }
        guard let algorithm = SigningAlgorithm(name: name), Self.idTokenAlgorithms.contains(algorithm) else {
            throw ValidationError(field: field, "'\(name)' is not one of ES256, RS256, Ed25519 (EdDSA)")
        }
        self = algorithm
    }
}

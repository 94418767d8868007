import Foundation
import TesseraJOSE

/// What Tessera reads of an upstream provider's OpenID Provider Metadata (OIDC Discovery §3).
public struct UpstreamMetadata: Sendable, Equatable {
    public let issuer: String
    public let authorizationEndpoint: String
    public let tokenEndpoint: String
    public let jwksURI: String
    /// `id_token_signing_alg_values_supported`, narrowed to the asymmetric algorithms Tessera
    /// verifies; RS256 alone when the document names none (OIDC Core §3.1.3.7 item 7's default).
    public let idTokenAlgorithms: [JWSAlgorithm]
    /// RFC 9207 §3: the provider sends `iss` with every authorization response.
    public let issParameterSupported: Bool

    /// Reads the document fetched from `{issuer}/.well-known/openid-configuration`. OIDC
    /// Discovery §4.3: its `issuer` must be exactly the configured one, or it is someone else's.
    public init(json: [UInt8], expectedIssuer: String) throws(UpstreamFailure) {
        let document: JSONObject
        do {
            document = try JSONReader.object(json)
        } catch {
            throw .discovery("the provider's metadata is not a JSON object")
        }
        func url(_ name: String) throws(UpstreamFailure) -> String {
            guard let value = try? document.optionalString(name), let components = URLComponents(string: value),
                components.scheme == "https" || components.scheme == "http", components.host?.isEmpty == false
            else { throw .discovery("the provider's metadata has no usable \(name)") }
            return value
        }
        guard let issuer = try? document.optionalString("issuer"), issuer == expectedIssuer else {
            throw .discovery("the provider's metadata names another issuer than \(expectedIssuer)")
        }
        self.issuer = issuer
        authorizationEndpoint = try url("authorization_endpoint")
        tokenEndpoint = try url("token_endpoint")
        jwksURI = try url("jwks_uri")
        var algorithms: [JWSAlgorithm] = [.rs256]
        if case .array(let values)? = document["id_token_signing_alg_values_supported"] {
            algorithms = values.compactMap { value in
                guard case .string(let name) = value else { return nil }
                return JWSAlgorithm(rawValue: name)
            }
        }
        idTokenAlgorithms = algorithms
        if case .bool(let supported)? = document["authorization_response_iss_parameter_supported"] {
            issParameterSupported = supported
        } else {
            issParameterSupported = false
        }
    }

    /// OIDC Discovery §4: the metadata lives under the issuer's path.
    public static func location(of issuer: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }
}

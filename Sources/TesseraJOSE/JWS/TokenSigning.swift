import Crypto
import Foundation
import JWTKit
import TesseraCore

extension LoadedKey {
    /// Signs `payload` as a JWS compact serialization (RFC 7515 §7.1) with the header
    /// `{"alg","kid","typ": type}`.
    ///
    /// Synchronous and lock-free: the header is prepared at load time, the payload writes itself
    /// once through `JSONWriter` (the one JSON writer: whole-second dates, unescaped `/`), and the
    /// key signs the bytes. jwt-kit's own `JWTKeyCollection.sign` is not used: it is an actor
    /// call, encodes the header on every token and writes fractional dates. Claims are the
    /// caller's to get right.
    public func sign(_ payload: some CompactJSONEncodable, type: String) throws(KeyError) -> String {
        try sign(encodedHeader: try encodedHeader(type: type), payloadJSON: payload.compactJSON)
    }

    /// Signs prepared parts. Internal: Tessera never lets a caller choose header members; tests
    /// use it to forge well-signed tokens with hostile headers.
    func sign(encodedHeader: [UInt8], payloadJSON: [UInt8]) throws(KeyError) -> String {
        guard canSign else { throw .missingPrivateKey(kid: kid) }
        var token = encodedHeader
        token.reserveCapacity(token.count + payloadJSON.count * 4 / 3 + 400)
        token.append(UInt8(ascii: "."))
        Base64URL.append(payloadJSON, to: &token)
        let signature: [UInt8]
        do {
            if let signing = p256?.signing {
                // RFC 7518 §3.4: the JWS signature is R || S, 32 bytes each (rawRepresentation).
                signature = Array(try signing.signature(for: SHA256.hash(data: token)).rawRepresentation)
            } else if let jwtAlgorithm {
                signature = try jwtAlgorithm.sign(token)
            } else {
                throw KeyError.missingPrivateKey(kid: kid)
            }
        } catch {
            throw .signingFailed(kid: kid, reason: "\(error)")
        }
        token.append(UInt8(ascii: "."))
        Base64URL.append(signature, to: &token)
        return String(decoding: token, as: UTF8.self)
    }

    /// Whether `signature` is this key's signature of `input` (the JWS signing input). ES256
    /// signatures must be exactly R || S (64 bytes); a DER signature or any other length fails.
    func verify(signature: [UInt8], signs input: ArraySlice<UInt8>) -> Bool {
        if let p256 {
            guard signature.count == 64,
                let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return p256.verifying.isValidSignature(parsed, for: SHA256.hash(data: input))
        }
        return (try? jwtAlgorithm?.verify(signature, signs: input)) ?? false
    }
}

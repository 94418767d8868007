import Foundation
import JWTKit
import TesseraCore

extension LoadedKey {
    /// Signs `payload` as a JWS compact serialization (RFC 7515 §7.1) with the header
    /// `{"alg","kid","typ": type}`.
    ///
    /// Synchronous and lock-free: the header is prepared at load time, the payload is encoded
    /// once (whole-second dates, unescaped `/`), and jwt-kit's algorithm object signs the bytes.
    /// jwt-kit's own `JWTKeyCollection.sign` is not used: it is an actor call, encodes the header
    /// on every token and writes fractional dates.
    ///
    /// Any `Encodable` payload signs (jwt-kit's `JWTPayload` types included); its `verify(using:)`
    /// hook plays no part. Claims are the caller's to get right.
    public func sign<Claims: Encodable>(_ payload: Claims, type: String) throws(KeyError) -> String {
        if let compact = payload as? any CompactJSONEncodable {
            return try sign(encodedHeader: try encodedHeader(type: type), payloadJSON: compact.compactJSON)
        }
        let payloadJSON: Data
        do {
            payloadJSON = try TokenJSON.payloadEncoder.encode(payload)
        } catch {
            throw .tokenEncodingFailed(reason: "payload: \(error)")
        }
        return try sign(encodedHeader: try encodedHeader(type: type), payloadJSON: Array(payloadJSON))
    }

    /// Signs prepared parts. Internal: Tessera never lets a caller choose header members; tests
    /// use it to forge well-signed tokens with hostile headers.
    func sign(encodedHeader: [UInt8], payloadJSON: [UInt8]) throws(KeyError) -> String {
        guard canSign else { throw .missingPrivateKey(kid: kid) }
        var token = encodedHeader
        token.reserveCapacity(token.count + payloadJSON.count * 4 / 3 + 400)
        token.append(UInt8(ascii: "."))
        Base64URLBytes.append(payloadJSON, to: &token)
        let signature: [UInt8]
        do {
            signature = try jwtAlgorithm.sign(token)
        } catch {
            throw .signingFailed(kid: kid, reason: "\(error)")
        }
        token.append(UInt8(ascii: "."))
        Base64URLBytes.append(signature, to: &token)
        return String(decoding: token, as: UTF8.self)
    }
}

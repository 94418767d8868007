import Crypto
import Foundation

/// RFC 7638 JWK thumbprints: how a DPoP-bound token names its key (`cnf.jkt`, RFC 9449 §6.1).
enum JWKThumbprint {
    /// RFC 7638 §3.2: the required members of each key type, the only ones hashed.
    static let requiredMembers: [String: [String]] = [
        "EC": ["crv", "kty", "x", "y"],
        "RSA": ["e", "kty", "n"],
        "OKP": ["crv", "kty", "x"],
    ]

    /// base64url(SHA-256(the required members as JSON, sorted, no whitespace)), or nil when a
    /// required member is missing or not a string.
    static func sha256(of jwk: [String: Any]) -> String? {
        guard let kty = jwk["kty"] as? String, let members = requiredMembers[kty] else { return nil }
        var json = "{"
        for (index, name) in members.enumerated() {
            // Base64url values, curve names and key types need no escaping; anything else is refused.
            guard let value = jwk[name] as? String,
                value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
            else { return nil }
            json += (index == 0 ? "" : ",") + "\"\(name)\":\"\(value)\""
        }
        json += "}"
        return Base64URL.encode(Data(SHA256.hash(data: Data(json.utf8))))
    }
}

enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

import Foundation
import TesseraJOSE

/// The claims of a JWT access token (RFC 9068 §2.2). Nothing secret or personal beyond the
/// subject id goes in: anyone holding the token can read them. One codec: `JSONWriter` writes
/// them (`compactJSON`), `JSONReader` reads them (`init(compactJSON:)`).
public struct AccessTokenClaims: Sendable, Equatable {
    public let iss: String
    public let sub: String
    public let aud: Audience
    public let exp: Int
    public let iat: Int
    public let nbf: Int
    public let jti: String
    public let clientID: String
    public let scope: String
    public let authTime: Int?
    public let act: ActorClaim?
    /// RFC 9449 §6.1: the DPoP key the token is bound to.
    public let cnf: Confirmation?
    /// RFC 9068 §2.2.1: how the user signed in (RFC 8176) and the class met, so a resource server
    /// can ask for more (RFC 9470); empty and nil when not known.
    public var amr: [String] = []
    public var acr: String?

    public init(
        iss: String, sub: String, aud: Audience, exp: Int, iat: Int, nbf: Int, jti: String, clientID: String,
        scope: String, authTime: Int? = nil, act: ActorClaim? = nil, cnf: Confirmation? = nil
    ) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.jti = jti
        self.clientID = clientID
        self.scope = scope
        self.authTime = authTime
        self.act = act
        self.cnf = cnf
    }
}

/// `aud`: one string, or an array when a token names several resources (RFC 7519 §4.1.3).
public enum Audience: Sendable, Equatable {
    case one(String)
    case many([String])

    public init(_ values: [String]) {
        self = values.count == 1 ? .one(values[0]) : .many(values)
    }

    public var values: [String] {
        switch self {
        case .one(let value): [value]
        case .many(let values): values
        }
    }
}

/// RFC 8693 §4.1: who acts on the subject's behalf; nested for delegation chains.
public final class ActorClaim: Sendable, Equatable {
    public let sub: String
    public let clientID: String?
    public let act: ActorClaim?

    public init(sub: String, clientID: String? = nil, act: ActorClaim? = nil) {
        self.sub = sub
        self.clientID = clientID
        self.act = act
    }

    public static func == (lhs: ActorClaim, rhs: ActorClaim) -> Bool {
        lhs.sub == rhs.sub && lhs.clientID == rhs.clientID && lhs.act == rhs.act
    }
}

extension AccessTokenClaims: CompactJSONEncodable {
    /// Written member by member: `JSONEncoder` cost more than the signature on the hot path.
    public var compactJSON: [UInt8] {
        var writer = JSONWriter()
        writer.string("iss", iss)
        writer.string("sub", sub)
        writer.audience(aud)
        writer.number("exp", exp)
        writer.number("iat", iat)
        writer.number("nbf", nbf)
        writer.string("jti", jti)
        writer.string("client_id", clientID)
        writer.string("scope", scope)
        writer.number("auth_time", authTime)
        writer.raw("act", act?.compactJSON)
        writer.raw("cnf", cnf?.compactJSON)
        if !amr.isEmpty { writer.strings("amr", amr) }
        writer.string("acr", acr)
        return writer.finished()
    }
}

extension ActorClaim: CompactJSONEncodable {
    public var compactJSON: [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.string("sub", sub)
        writer.string("client_id", clientID)
        writer.raw("act", act?.compactJSON)
        return writer.finished()
    }
}

extension AccessTokenClaims: CompactJSONDecodable {
    /// From claims `JSONReader` already parsed: introspection builds the claims of every token
    /// this way.
    public init(compactJSON object: JSONObject) throws(JSONReader.Failure) {
        iss = try object.string("iss")
        sub = try object.string("sub")
        switch object["aud"] {
        case .string(let value)?: aud = .one(value)
        case .array(let values)?:
            aud = .many(
                try values.map { value throws(JSONReader.Failure) in
                    guard case .string(let string) = value else { throw JSONReader.Failure(reason: "aud member") }
                    return string
                })
        default: throw JSONReader.Failure(reason: "aud is not a string or an array of strings")
        }
        exp = try object.integer("exp")
        iat = try object.integer("iat")
        nbf = try object.integer("nbf")
        jti = try object.string("jti")
        clientID = try object.string("client_id")
        scope = try object.string("scope")
        authTime = try object.optionalInteger("auth_time")
        act = try object.optionalObject("act").map { nested throws(JSONReader.Failure) in
            try ActorClaim(compactJSON: nested)
        }
        cnf = try object.optionalObject("cnf").map { nested throws(JSONReader.Failure) in
            try Confirmation(compactJSON: nested)
        }
        if case .array(let values)? = object["amr"] {
            amr = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
        }
        acr = try object.optionalString("acr")
    }
}

extension ActorClaim: CompactJSONDecodable {
    public convenience init(compactJSON object: JSONObject) throws(JSONReader.Failure) {
        self.init(
            sub: try object.string("sub"), clientID: try object.optionalString("client_id"),
            act: try object.optionalObject("act").map { nested throws(JSONReader.Failure) in
                try ActorClaim(compactJSON: nested)
            })
    }
}

extension JSONWriter {
    /// `aud` (RFC 7519 §4.1.3): one string, or an array; nothing for nil.
    mutating func audience(_ audience: Audience?) {
        switch audience {
        case .one(let value)?: string("aud", value)
        case .many(let values)?: strings("aud", values)
        case nil: break
        }
    }
}

/// A QR code (ISO/IEC 18004) of a short text in byte mode at error-correction level M, for the
/// `otpauth://` URI of the TOTP setup page: versions 1 to 10 (up to 213 bytes), the mask of the
/// lowest penalty. Small and strict on purpose: it encodes one kind of payload, and its output is
/// checked module for module against an independent encoder (Python's `qrcode`) in the tests.
public struct QRCode: Sendable, Equatable {
    /// Modules, row by row; true is dark.
    public let modules: [[Bool]]
    public let version: Int
    public let mask: Int

    public var size: Int { modules.count }

    /// Nil when the text does not fit version 10 at level M.
    public init?(_ text: String, mask forcedMask: Int? = nil) {
        let data = Array(text.utf8)
        guard let version = (1...10).first(where: { Self.capacity($0) >= data.count }) else { return nil }
        let codewords = Self.codewords(data, version: version)
        var best: (penalty: Int, matrix: QRMatrix, mask: Int)?
        for mask in forcedMask.map({ [$0] }) ?? Array(0..<8) {
            var matrix = QRMatrix(version: version)
            matrix.place(codewords)
            matrix.apply(mask: mask)
            matrix.writeFormat(mask: mask)
            let penalty = matrix.penalty
            if best == nil || penalty < best!.penalty { best = (penalty, matrix, mask) }
        }
        guard let best else { return nil }
        modules = best.matrix.dark
        self.version = version
        mask = best.mask
    }

    // MARK: - Level M block structure (ISO/IEC 18004 Table 9)

    /// Per version: EC codewords per block, and (blocks, data codewords) of the two groups.
    static let blocks: [(ec: Int, groups: [(count: Int, data: Int)])] = [
        (10, [(1, 16)]), (16, [(1, 28)]), (26, [(1, 44)]), (18, [(2, 32)]), (24, [(2, 43)]),
        (16, [(4, 27)]), (18, [(4, 31)]), (22, [(2, 38), (2, 39)]), (22, [(3, 36), (2, 37)]),
        (26, [(4, 43), (1, 44)]),
    ]

    static func dataCodewords(_ version: Int) -> Int {
        blocks[version - 1].groups.reduce(0) { $0 + $1.count * $1.data }
    }

    /// Bytes that fit: the data codewords less the mode (4 bits) and count (8 or 16 bits) header.
    static func capacity(_ version: Int) -> Int {
        (dataCodewords(version) * 8 - 4 - (version < 10 ? 8 : 16)) / 8
    }

    /// §7.4: mode, count, data, terminator, padding; then Reed-Solomon per block, interleaved.
    static func codewords(_ data: [UInt8], version: Int) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(data.count, count: version < 10 ? 8 : 16)
        for byte in data { bits.append(Int(byte), count: 8) }
        let capacityBits = dataCodewords(version) * 8
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var bytes = bits.bytes
        var pad: UInt8 = 0xEC
        while bytes.count < dataCodewords(version) {
            bytes.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        let structure = blocks[version - 1]
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for group in structure.groups {
            for _ in 0..<group.count {
                dataBlocks.append(Array(bytes[offset..<(offset + group.data)]))
                offset += group.data
            }
        }
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, degree: structure.ec) }
        var out: [UInt8] = []
        for index in 0..<(dataBlocks.map(\.count).max() ?? 0) {
            for block in dataBlocks where index < block.count { out.append(block[index]) }
        }
        for index in 0..<structure.ec {
            for block in ecBlocks { out.append(block[index]) }
        }
        return out
    }
}

/// Bits, most significant first.
struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (start + $1 < bits.count && bits[start + $1] ? 1 : 0) }
        }
    }
}

/// Reed-Solomon over GF(256) with the QR polynomial x⁸+x⁴+x³+x²+1 (0x11D).
enum ReedSolomon {
    static let tables: (exp: [UInt8], log: [Int]) = {
        var exp = [UInt8](repeating: 0, count: 512)
        var log = [Int](repeating: 0, count: 256)
        var value = 1
        for power in 0..<255 {
            exp[power] = UInt8(value)
            log[value] = power
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for power in 255..<512 { exp[power] = exp[power - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a == 0 || b == 0 ? 0 : tables.exp[tables.log[Int(a)] + tables.log[Int(b)]]
    }

    /// The generator polynomial ∏(x − αⁱ), i < degree, highest coefficient first (it is 1).
    static func generator(_ degree: Int) -> [UInt8] {
        var polynomial: [UInt8] = [1]
        for power in 0..<degree {
            var next = [UInt8](repeating: 0, count: polynomial.count + 1)
            for (index, coefficient) in polynomial.enumerated() {
                next[index] ^= coefficient
                next[index + 1] ^= multiply(coefficient, tables.exp[power])
            }
            polynomial = next
        }
        return polynomial
    }

    /// The `degree` error-correction codewords of `data`.
    static func remainder(_ data: [UInt8], degree: Int) -> [UInt8] {
        let generator = generator(degree)
        var remainder = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<degree { remainder[index] ^= multiply(generator[index + 1], factor) }
        }
        return remainder
    }
}

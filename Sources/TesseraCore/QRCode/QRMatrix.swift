/// The module grid of one QR code while it is built: function patterns first (finders,
/// separators, timing, alignment, the dark module, reserved format and version areas), then the
/// data in the two-column zigzag, then the mask and the format bits (ISO/IEC 18004 §7.7 to §7.9).
struct QRMatrix {
    let version: Int
    let size: Int
    var dark: [[Bool]]
    /// Modules of function patterns: neither data nor mask touch them.
    var reserved: [[Bool]]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        dark = Array(repeating: Array(repeating: false, count: size), count: size)
        reserved = dark
        for (row, column) in [(0, 0), (0, size - 7), (size - 7, 0)] { finder(row, column) }
        for index in 8..<(size - 8) {
            set(6, index, index % 2 == 0)
            set(index, 6, index % 2 == 0)
        }
        // Every pair of centres but the three in the finders' corners.
        let centres = Self.alignmentCentres(version)
        for (i, row) in centres.enumerated() {
            for (j, column) in centres.enumerated() {
                let last = centres.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                alignment(row, column)
            }
        }
        set(4 * version + 9, 8, true)
        // Format areas (written after masking) and version areas.
        for index in 0..<9 {
            reserve(8, index)
            reserve(index, 8)
        }
        for index in 0..<8 {
            reserve(8, size - 1 - index)
            reserve(size - 1 - index, 8)
        }
        if version >= 7 { writeVersion() }
    }

    static func alignmentCentres(_ version: Int) -> [Int] {
        let table: [[Int]] = [
            [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
        ]
        return table[version - 1]
    }

    mutating func set(_ row: Int, _ column: Int, _ value: Bool) {
        dark[row][column] = value
        reserved[row][column] = true
    }

    mutating func reserve(_ row: Int, _ column: Int) { reserved[row][column] = true }

    mutating func finder(_ top: Int, _ left: Int) {
        for row in -1...7 {
            for column in -1...7 {
                let (r, c) = (top + row, left + column)
                guard (0..<size).contains(r), (0..<size).contains(c) else { continue }
                let inside = (0...6).contains(row) && (0...6).contains(column)
                let ring = row == 0 || row == 6 || column == 0 || column == 6
                let core = (2...4).contains(row) && (2...4).contains(column)
                set(r, c, inside && (ring || core))
            }
        }
    }

    mutating func alignment(_ centreRow: Int, _ centreColumn: Int) {
        for row in -2...2 {
            for column in -2...2 {
                set(centreRow + row, centreColumn + column, max(abs(row), abs(column)) != 1)
            }
        }
    }

    /// §7.10: 6 bits of version and 12 of BCH(18, 6) with generator 0x1F25, in two 6×3 blocks.
    mutating func writeVersion() {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = version << 12 | remainder
        for index in 0..<18 {
            let bit = (bits >> index) & 1 == 1
            let (a, b) = (index / 3, size - 11 + index % 3)
            set(a, b, bit)
            set(b, a, bit)
        }
    }

    /// §7.7.3: from the bottom right, two columns at a time, up and down in turn, skipping the
    /// vertical timing column; remainder bits stay light.
    mutating func place(_ codewords: [UInt8]) {
        var bitIndex = 0
        let totalBits = codewords.count * 8
        var column = size - 1
        var upward = true
        while column > 0 {
            if column == 6 { column -= 1 }
            for step in 0..<size {
                let row = upward ? size - 1 - step : step
                for offset in 0..<2 {
                    let c = column - offset
                    guard !reserved[row][c] else { continue }
                    if bitIndex < totalBits {
                        dark[row][c] = (codewords[bitIndex / 8] >> (7 - bitIndex % 8)) & 1 == 1
                    }
                    bitIndex += 1
                }
            }
            upward.toggle()
            column -= 2
        }
    }

    static func maskBit(_ mask: Int, _ row: Int, _ column: Int) -> Bool {
        switch mask {
        case 0: (row + column) % 2 == 0
        case 1: row % 2 == 0
        case 2: column % 3 == 0
        case 3: (row + column) % 3 == 0
        case 4: (row / 2 + column / 3) % 2 == 0
        case 5: (row * column) % 2 + (row * column) % 3 == 0
        case 6: ((row * column) % 2 + (row * column) % 3) % 2 == 0
        default: ((row + column) % 2 + (row * column) % 3) % 2 == 0
        }
    }

    mutating func apply(mask: Int) {
        for row in 0..<size {
            for column in 0..<size where !reserved[row][column] && Self.maskBit(mask, row, column) {
                dark[row][column].toggle()
            }
        }
    }

    /// §7.9: level M (00) and the mask, BCH(15, 5) with generator 0x537, XOR 0x5412; one copy
    /// around the top-left finder, the other split below the top-right and beside the bottom-left.
    mutating func writeFormat(mask: Int) {
        let data = 0b00 << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0...5 { dark[index][8] = bit(index) }
        dark[7][8] = bit(6)
        dark[8][8] = bit(7)
        dark[8][7] = bit(8)
        for index in 9..<15 { dark[8][14 - index] = bit(index) }
        for index in 0..<8 { dark[8][size - 1 - index] = bit(index) }
        for index in 8..<15 { dark[size - 15 + index][8] = bit(index) }
        dark[size - 8][8] = true
    }

    /// §7.8.3's four penalty rules: runs of five or more, 2×2 blocks, finder-like patterns, and
    /// the balance of dark and light.
    var penalty: Int {
        var total = 0
        let columns = (0..<size).map { column in (0..<size).map { dark[$0][column] } }
        for line in dark + columns {
            var run = 1
            for index in 1..<size {
                if line[index] == line[index - 1] {
                    run += 1
                } else {
                    if run >= 5 { total += run - 2 }
                    run = 1
                }
            }
            if run >= 5 { total += run - 2 }
            let pattern: [Bool] = [true, false, true, true, true, false, true]
            for start in 0...(size - 7) where Array(line[start..<(start + 7)]) == pattern {
                let before = start >= 4 && line[(start - 4)..<start].allSatisfy { !$0 }
                let after = start + 11 <= size && line[(start + 7)..<(start + 11)].allSatisfy { !$0 }
                if before || after { total += 40 }
            }
        }
        for row in 0..<(size - 1) {
            for column in 0..<(size - 1) {
                let value = dark[row][column]
                if dark[row][column + 1] == value, dark[row + 1][column] == value, dark[row + 1][column + 1] == value {
                    total += 3
                }
            }
        }
        // Rule 4: 10 points for each full 5 % the dark share is away from 50 %.
        let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
        let all = size * size
        total += ((abs(darkCount * 20 - all * 10) + all - 1) / all - 1) * 10
        return total
    }
}

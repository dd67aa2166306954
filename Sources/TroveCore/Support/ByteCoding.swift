/// Little-endian encoding into a growing byte array, for small binary files.
package struct ByteWriter {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    package mutating func append<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func append(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }
}

/// Little-endian decoding with bounds checks: reading past the end yields `nil`, never a crash.
package struct ByteReader {
    private let bytes: [UInt8]
    package private(set) var offset = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package var remaining: Int { bytes.count - offset }

    package mutating func read<Integer: FixedWidthInteger>(_: Integer.Type = Integer.self) -> Integer? {
        let size = MemoryLayout<Integer>.size
        guard remaining >= size else { return nil }
        var value = Integer.zero
        withUnsafeMutableBytes(of: &value) { destination in
            for index in 0..<size { destination[index] = bytes[offset + index] }
        }
        offset += size
        return Integer(littleEndian: value)
    }

    package mutating func read(count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

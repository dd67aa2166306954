/// A shell-style pattern over key bytes: `*` any run of bytes, `?` one byte, `[abc]`,
/// `[a-z]` and `[!a-z]` (or `[^...]`) byte sets, and `\x` for a literal `x`.
///
/// Works on raw bytes rather than C strings (keys may contain zero bytes) and matches
/// without recursion or allocation, in O(key length x pattern length) at worst.
package struct KeyPattern: Sendable {
    private enum Token: Sendable, Equatable {
        case byte(UInt8)
        case any
        case anyRun
        case set([ClosedRange<UInt8>], negated: Bool)
    }

    private let tokens: [Token]
    /// The pattern as given.
    package let source: [UInt8]

    /// Compiles `pattern`.
    ///
    /// - Throws: `EngineError(.invalidArgument)` for an unterminated `[` set or a trailing `\`.
    package init(_ pattern: some Collection<UInt8>) throws(EngineError) {
        let bytes = Array(pattern)
        source = bytes
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "*"):
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case UInt8(ascii: "?"):
                tokens.append(.any)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw EngineError(.invalidArgument, "pattern ends with a lone \\") }
                tokens.append(.byte(bytes[index]))
                index += 1
            case UInt8(ascii: "["):
                var negated = false
                if index < bytes.count && (bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "^")) {
                    negated = true
                    index += 1
                }
                var ranges: [ClosedRange<UInt8>] = []
                var first = true
                while index < bytes.count && (first || bytes[index] != UInt8(ascii: "]")) {
                    first = false
                    let low = bytes[index]
                    if index + 2 < bytes.count && bytes[index + 1] == UInt8(ascii: "-")
                        && bytes[index + 2] != UInt8(ascii: "]")
                    {
                        let high = bytes[index + 2]
                        ranges.append(min(low, high)...max(low, high))
                        index += 3
                    } else {
                        ranges.append(low...low)
                        index += 1
                    }
                }
                guard index < bytes.count else {
                    throw EngineError(.invalidArgument, "pattern has a [ set without its closing ]")
                }
                index += 1
                tokens.append(.set(ranges, negated: negated))
            default:
                tokens.append(.byte(byte))
            }
        }
        self.tokens = tokens
    }

    /// Whether `key` matches the whole pattern.
    package func matches(_ key: UnsafeRawBufferPointer) -> Bool {
        var keyIndex = 0
        var tokenIndex = 0
        // Where to resume after the last `*`: the token after it and the key position it has absorbed up to.
        var starToken = -1
        var starKey = 0
        while keyIndex < key.count {
            if tokenIndex < tokens.count {
                switch tokens[tokenIndex] {
                case .anyRun:
                    starToken = tokenIndex
                    starKey = keyIndex
                    tokenIndex += 1
                    continue
                case .any:
                    keyIndex += 1
                    tokenIndex += 1
                    continue
                case .byte(let byte) where byte == key[keyIndex]:
                    keyIndex += 1
                    tokenIndex += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains { $0.contains(key[keyIndex]) } != negated:
                    keyIndex += 1
                    tokenIndex += 1
                    continue
                default:
                    break
                }
            }
            guard starToken >= 0 else { return false }
            starKey += 1
            keyIndex = starKey
            tokenIndex = starToken + 1
        }
        while tokenIndex < tokens.count && tokens[tokenIndex] == .anyRun {
            tokenIndex += 1
        }
        return tokenIndex == tokens.count
    }
}

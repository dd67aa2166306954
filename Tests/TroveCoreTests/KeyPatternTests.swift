import Testing
import TroveCore

@Suite struct KeyPatternTests {
    private func matches(_ pattern: String, _ key: String) throws -> Bool {
        let compiled = try KeyPattern(Array(pattern.utf8))
        return Array(key.utf8).withUnsafeBytes { compiled.matches($0) }
    }

    @Test(arguments: [
        ("user:*", "user:42", true), ("user:*", "user:", true), ("user:*", "users:1", false),
        ("*:42", "user:42", true), ("*:42", "user:421", false), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
        ("???", "abc", true), ("???", "ab", false), ("[abc]x", "bx", true), ("[abc]x", "dx", false),
        ("[a-c]*", "cat", true), ("[!a-c]*", "cat", false), ("[^a-c]*", "dog", true), ("\\*", "*", true),
        ("\\*", "x", false), ("*", "", true), ("", "", true), ("", "a", false), ("**x", "abx", true),
        ("session:[0-9][0-9]:*", "session:07:token", true), ("session:[0-9][0-9]:*", "session:7x:token", false),
    ])
    func shellStylePatterns(pattern: String, key: String, expected: Bool) throws {
        #expect(try matches(pattern, key) == expected)
    }

    @Test func keysMayHoldZeroBytes() throws {
        let pattern = try KeyPattern([0x61, 0x2A] as [UInt8])
        #expect(([0x61, 0x00, 0x62] as [UInt8]).withUnsafeBytes { pattern.matches($0) })
    }

    @Test(arguments: ["[abc", "abc\\", "x["])
    func malformedPatternsAreRejected(pattern: String) {
        #expect(throws: EngineError.self) { try KeyPattern(Array(pattern.utf8)) }
    }
}

import Testing
import Trove

#if canImport(Glibc)
import Glibc
#endif

/// The README's Swift example, kept compiling: `readmeExample` holds its lines, and the
/// test checks that the README still shows exactly these lines.
@Suite struct ReadmeExampleTests {
    // BEGIN README EXAMPLE
    func readmeExample() throws {
        let cache = try Cache(options: CacheOptions(capacityBytes: 64 << 20))
        try cache.put("user:42", "Ada Lovelace", timeToLive: .seconds(60))
        if let name = try cache.getString("user:42") {
            print("user:42 = \(name)")
        }
        // Cache-aside: on a miss the loader runs once, however many threads or tasks miss;
        // a read after 30 s returns the value at once and reloads it in the background.
        let row = try cache.value(forKey: "user:7", timeToLive: .seconds(60), refreshAfter: .seconds(30)) {
            Array("row for user:7".utf8)  // read the database here; nil if there is no row
        }
        print("user:7 = \(String(decoding: row ?? [], as: UTF8.self))")
        // Tags: after a write to user 7, one call drops every entry that depends on it.
        try cache.put("goals:user:7", "[]", timeToLive: .seconds(60), tags: ["user:7"])
        print("invalidated \(try cache.invalidate(tag: "user:7")) entries tagged user:7")
        let stats = try cache.statistics()
        print("hit ratio \(stats.hitRatio), \(stats.items) items, \(stats.memoryBytes) bytes")
    }
    // END README EXAMPLE

    @Test func exampleRuns() throws {
        try readmeExample()
    }

    @Test func readmeShowsThisExample() throws {
        let testFile = try contents(of: #filePath)
        let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let readme = try contents(of: "/" + root + "/README.md")
        let example = lines(between: "    // BEGIN README EXAMPLE", and: "    // END README EXAMPLE", in: testFile)
            .dropFirst().dropLast().map { $0.trimmingPrefix("        ") }
        let readmeBlock = lines(between: "```swift", and: "```", in: readme)
            .filter { $0 != "import Trove" && !$0.isEmpty }
        #expect(!readmeBlock.isEmpty)
        #expect(readmeBlock == example.filter { !$0.isEmpty }.map(String.init))
    }

    private func lines(between start: String, and end: String, in text: String) -> [String] {
        var result: [String] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if !inside {
                inside = line == start
                continue
            }
            if line == end { break }
            result.append(line)
        }
        return result
    }

    private func contents(of path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw ReadError(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    struct ReadError: Error {
        var path: String
    }
}

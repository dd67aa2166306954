import Foundation
import Testing
import TroveTestSupport

/// `trove-bench cold` at a small size, end to end: every phase reports, the disk tier
/// serves what memory cannot hold, and the SIGKILL phase brings back only right values.
@Suite struct ColdCommandTests {
    private static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("trove-bench").path
    }

    @Test func smallRunReportsEveryPhase() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold-command")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "cold", "--path", directory.path + "/disk", "--memory-bytes", "\(4 << 20)", "--disk-bytes", "\(64 << 20)",
            "--keys", "8000", "--seconds", "0.3", "--skip-memory-only",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        var phases: [String: [String: Any]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            phases[try #require(row["phase"] as? String)] = row
        }
        #expect(Set(phases.keys) == ["load", "mixed", "disk-reads", "recovery", "crash"])
        let load = try #require(phases["load"])
        #expect((load["write_amplification"] as? Double ?? 1) < 0.8, "half of each value compresses")
        #expect((phases["disk-reads"]?["disk_reads_per_s"] as? Double ?? 0) > 0)
        #expect((phases["recovery"]?["scan_items"] as? Int ?? 0) > 4000)
        let crash = try #require(phases["crash"])
        #expect((crash["items"] as? Int ?? 0) > 4000)
        #expect((crash["hits"] as? Int ?? 0) > 4000)
        #expect(crash["wrong_values"] as? Int == 0)
    }
}

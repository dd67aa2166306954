import Foundation
import Testing
import TroveCore
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The disk tier's files hold every cached value, so they are the owner's only: created
/// 0600 in a directory created 0700, never opened through a symbolic link, and never in a
/// directory every user may write.
@Suite struct ColdFilePermissionTests {
    private static func mode(of path: String) throws -> mode_t {
        var status = stat()
        try #require(lstat(path, &status) == 0, "lstat(\(path)): errno \(errno)")
        return status.st_mode & 0o7777
    }

    @Test func createdFilesAndTheDirectoryAreTheOwnersOnly() throws {
        let parent = try TemporaryDirectory(prefix: "trove-modes")
        let directory = parent.path + "/cold"
        let engine = try coldEngine(directory)
        for id in 0..<2000 as Range<UInt64> { _ = engine.put(key(id), mixedValue(id, length: 3000)) }
        #expect(engine.flush() == .ok)
        #expect(engine.close() == .ok)
        #expect(try Self.mode(of: directory) == 0o700)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        // The region file, the manifest, the lock and the checkpoint written at close.
        #expect(names.count >= 4, "\(names)")
        for name in names {
            #expect(try Self.mode(of: directory + "/" + name) == 0o600, "\(name)")
        }
    }

    @Test func aDirectoryEveryUserMayWriteIsRefused() throws {
        let parent = try TemporaryDirectory(prefix: "trove-modes")
        let directory = parent.path + "/shared"
        try #require(mkdir(directory, 0o700) == 0)
        try #require(chmod(directory, 0o777) == 0)
        // Refused like a directory in use by another cache: the open fails and says why.
        let error = #expect(throws: EngineError.self) { try coldEngine(directory) }
        #expect(error?.status == .invalidArgument)
        #expect(error?.message.contains("writable by every user (mode 777)") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
    }

    /// A link planted where the manifest goes, pointing at a file of the victim's: the open
    /// fails (and says so) instead of reading or overwriting the file through the link.
    @Test func aSymbolicLinkAmongTheFilesIsNotFollowed() throws {
        let parent = try TemporaryDirectory(prefix: "trove-modes")
        let directory = parent.path + "/cold"
        try #require(mkdir(directory, 0o700) == 0)
        let victim = try parent.makeFile("victim", bytes: Array("precious".utf8))
        try #require(symlink(victim, directory + "/trove-cold.manifest") == 0)
        let engine = try coldEngine(directory)
        defer { _ = engine.close() }
        let cold = try #require(engine.statistics()?.cold)
        #expect(!cold.isHealthy)
        #expect(cold.failure?.message.contains("trove-cold.manifest") == true, "\(String(describing: cold.failure))")
        #expect(FileManager.default.contents(atPath: victim) == Data("precious".utf8))
    }
}

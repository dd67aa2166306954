import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Makes files unwritable even to an open descriptor, as a disk gone bad is: the immutable
/// attribute (`chattr +i`), since the tests run as root on CI, where permission bits stop nothing.
enum FrozenFiles {
    /// Whether this machine can freeze files here (root, `chattr`, a filesystem with the
    /// attribute): probed once by freezing a file held open and writing to it.
    static let areAvailable: Bool = {
        let directory = FileManager.default.temporaryDirectory.path + "/trove-freeze-probe-\(UUID().uuidString)"
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)) != nil
        else { return false }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/probe"
        let descriptor = open(file, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard freeze([file], true) else { return false }
        defer { _ = freeze([file], false) }
        let byte: [UInt8] = [1]
        return pwrite(descriptor, byte, 1, 0) < 0 && errno == EPERM
    }()

    /// Sets (or clears) the immutable attribute of `paths`; whether `chattr` succeeded.
    @discardableResult
    static func freeze(_ paths: [String], _ frozen: Bool) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [frozen ? "+i" : "-i"] + paths
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// `directory` and everything in it.
    static func contents(of directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return [directory] + names.map { directory + "/" + $0 }
    }
}

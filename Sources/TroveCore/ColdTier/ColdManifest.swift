#if canImport(Glibc)
import Glibc
#endif

/// The cold directory's description of itself: format, geometry and epoch, in a small text file.
///
/// ```
/// trove-cold-tier
/// format 1
/// region_size 4194304
/// region_count 256
/// epoch 1
/// checksum 1234567890
/// ```
/// Text so a person can see what a directory holds; the checksum (CRC32C of the lines
/// above it) catches a damaged file. It is replaced atomically: written to a temporary
/// name, synced, renamed over the old one, and the directory synced.
package struct ColdManifest: Equatable {
    package static let fileName = "trove-cold.manifest"
    package static let formatVersion = 1

    package var geometry: ColdTierGeometry
    /// Bumped by `removeAll`: regions written under an older epoch are treated as empty.
    package var epoch: UInt64

    package init(geometry: ColdTierGeometry, epoch: UInt64) {
        self.geometry = geometry
        self.epoch = epoch
    }

    private var body: String {
        "trove-cold-tier\nformat \(ColdManifest.formatVersion)\nregion_size \(geometry.regionSize)\n"
            + "region_count \(geometry.regionCount)\nepoch \(epoch)\n"
    }

    private static func checksum(_ text: String) -> UInt32 {
        var copy = text
        return copy.withUTF8 { CRC32C.checksum(UnsafeRawBufferPointer($0)) }
    }

    /// Writes the manifest into `directory`, replacing any previous one atomically and durably.
    ///
    /// - Throws: `EngineError` with the failing call and path.
    package func write(to directory: String) throws(EngineError) {
        let text = body + "checksum \(ColdManifest.checksum(body))\n"
        do {
            try FileBytes.replace(directory: directory, name: ColdManifest.fileName, with: Array(text.utf8))
        } catch {
            throw EngineError(error)
        }
    }

    /// Reads the manifest in `directory`.
    ///
    /// - Returns: The manifest, or `nil` if the directory has none (a new cold tier).
    /// - Throws: `EngineError(.badFormat)` for a damaged manifest or another format version,
    ///   or an I/O error reading it.
    package static func read(from directory: String) throws(EngineError) -> ColdManifest? {
        let path = directory + "/" + fileName
        let bytes: [UInt8]
        do {
            guard let read = try FileBytes.read(path) else { return nil }
            bytes = read
        } catch {
            throw EngineError(error)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var fields: [String: String] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == "trove-cold-tier", lines.last == "" else {
            throw EngineError(.badFormat, "\(path) is not a Trove cold-tier manifest; use an empty directory")
        }
        lines.removeLast()
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        let checked = lines.dropLast().joined(separator: "\n") + "\n"
        guard let format = fields["format"].flatMap(Int.init), let checksum = fields["checksum"].flatMap(UInt32.init),
            checksum == ColdManifest.checksum(checked)
        else {
            throw EngineError(.badFormat, "\(path) is damaged (its checksum does not match); use another directory")
        }
        guard format == formatVersion else {
            throw EngineError(
                .badFormat,
                "\(path) was written by cold-tier format \(format); this library reads format \(formatVersion)"
            )
        }
        guard let regionSize = fields["region_size"].flatMap(Int.init),
            let regionCount = fields["region_count"].flatMap(Int.init),
            let epoch = fields["epoch"].flatMap(UInt64.init)
        else {
            throw EngineError(.badFormat, "\(path) lacks region_size, region_count or epoch; use another directory")
        }
        let geometry = ColdTierGeometry(regionSize: regionSize, regionCount: regionCount)
        guard geometry.isValid else {
            throw EngineError(.badFormat, "\(path) describes an impossible geometry; use another directory")
        }
        return ColdManifest(geometry: geometry, epoch: epoch)
    }
}

/// Whole small files read and written with plain system calls (manifest, checkpoint), never
/// through a symbolic link, which a user able to write the directory could plant there.
package enum FileBytes {
    /// Permissions for every file the cache creates: the owner's only (0600), since the files
    /// hold every cached value.
    package static let creationMode = mode_t(S_IRUSR | S_IWUSR)

    /// The file's bytes, or `nil` if it does not exist.
    package static func read(_ path: String) throws(SystemError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("open(\(path))", errno: errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { chunk.deallocate() }
        while true {
            let count = try retryingOnInterrupt("read(\(path))") {
                Glibc.read(descriptor, chunk.baseAddress, chunk.count)
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Writes `bytes` to `path` (created or truncated) and syncs it.
    package static func write(_ bytes: [UInt8], to path: String) throws(SystemError) {
        let descriptor = try retryingOnInterrupt("open(\(path))") {
            open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, FileBytes.creationMode)
        }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        var written = 0
        while written < bytes.count {
            // Safe because `buffer` holds `bytes.count` bytes (at least one) and `written` is below that.
            written += try retryingOnInterrupt("write(\(path))") {
                Glibc.write(descriptor, buffer.baseAddress! + written, bytes.count - written)
            }
        }
        _ = try retryingOnInterrupt("fsync(\(path))") { fsync(descriptor) }
    }

    /// Replaces `directory/name` with `bytes` atomically and durably: written to a temporary
    /// name and synced, renamed over the old file, and the directory synced.
    package static func replace(directory: String, name: String, with bytes: [UInt8]) throws(SystemError) {
        let path = directory + "/" + name
        let temporary = path + ".tmp"
        try write(bytes, to: temporary)
        _ = try retryingOnInterrupt("rename(\(temporary))") { rename(temporary, path) }
        try RegionFile.syncDirectory(directory)
    }

    /// Removes `path` if it exists.
    package static func remove(_ path: String) throws(SystemError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw SystemError("unlink(\(path))", errno: errno)
        }
    }
}

/// An exclusive lock on a cold directory for as long as the value lives, so two caches
/// (in one process or several) never write the same files.
package struct DirectoryLock: ~Copyable {
    private let descriptor: Int32

    /// Takes the lock, without waiting.
    ///
    /// - Throws: `EngineError(.invalidArgument)` if another cache holds it, or the I/O error.
    package init(directory: String) throws(EngineError) {
        let path = directory + "/trove-cold.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, FileBytes.creationMode)
        guard descriptor >= 0 else { throw EngineError(SystemError("open(\(path))", errno: errno)) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                throw EngineError(
                    .invalidArgument,
                    "\(directory) is in use by another open cache (in this or another process); close it or use another path"
                )
            }
            throw EngineError(SystemError("flock(\(path))", errno: code))
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}

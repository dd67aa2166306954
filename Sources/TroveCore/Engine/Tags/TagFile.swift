/// The tags of a disk-backed cache, saved in its directory at close and read back at
/// open, so that invalidating a tag after a reopen still removes the entries on disk.
///
/// ```
/// "trove-tags" format 1 (u32), keys (u32)
/// per key: length (u16), bytes, tag count (u8), per tag: length (u16), bytes
/// CRC32C of everything above (u32)
/// ```
/// All little-endian. While tags are in use, a marker file says so; clean closes remove
/// it after saving. A marker found at open without a readable saved file means the
/// process stopped without saving (a crash): the disk tier may then hold tagged entries
/// whose tags are lost, so the engine empties it rather than ever serve one after its
/// tag was invalidated.
enum TagFile {
    static let fileName = "trove-tags"
    static let markerName = "trove-tags.in-use"
    private static let magic = Array("trove-tags".utf8)
    private static let formatVersion: UInt32 = 1

    /// Saves `entries` into `directory`, atomically and durably, then removes the marker.
    ///
    /// - Throws: `EngineError` with the failing call and path (the marker then stays).
    static func save(_ entries: [(key: [UInt8], tags: [[UInt8]])], to directory: String) throws(EngineError) {
        var writer = ByteWriter()
        writer.append(magic)
        writer.append(formatVersion)
        writer.append(UInt32(entries.count))
        for entry in entries {
            writer.append(UInt16(entry.key.count))
            writer.append(entry.key)
            writer.append(UInt8(entry.tags.count))
            for tag in entry.tags {
                writer.append(UInt16(tag.count))
                writer.append(tag)
            }
        }
        var bytes = writer.bytes
        let checksum = bytes.withUnsafeBytes { CRC32C.checksum($0) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes.append(contentsOf: $0) }
        do {
            try FileBytes.replace(directory: directory, name: fileName, with: bytes)
            try FileBytes.remove(directory + "/" + markerName)
        } catch {
            throw EngineError(error)
        }
    }

    /// What `directory` says of its tags at open.
    enum Saved {
        /// No tags were in use.
        case none
        /// The tags saved at the last close.
        case entries([(key: [UInt8], tags: [[UInt8]])])
        /// Tags were in use and were not saved (or the file is damaged): they are lost.
        case lost(String)
    }

    /// Reads the saved tags of `directory`.
    static func read(from directory: String) -> Saved {
        let path = directory + "/" + fileName
        let marked = (try? FileBytes.read(directory + "/" + markerName)) != nil
        let bytes: [UInt8]
        do {
            guard let read = try FileBytes.read(path) else {
                return marked ? .lost("tags were in use and \(path) was not saved (the process stopped early)") : .none
            }
            bytes = read
        } catch {
            return .lost("\(path) could not be read: \(error)")
        }
        guard let entries = decode(bytes) else { return .lost("\(path) is damaged") }
        return .entries(entries)
    }

    /// Marks `directory` as having tags in use (before the first tagged entry reaches it).
    static func markInUse(_ directory: String) throws(EngineError) {
        do {
            try FileBytes.write([], to: directory + "/" + markerName)
            try FileBytes.remove(directory + "/" + fileName)
        } catch {
            throw EngineError(error)
        }
    }

    /// Removes the saved tags and the marker (after the disk tier was emptied of what they described).
    static func clear(_ directory: String) {
        try? FileBytes.remove(directory + "/" + fileName)
        try? FileBytes.remove(directory + "/" + markerName)
    }

    private static func decode(_ bytes: [UInt8]) -> [(key: [UInt8], tags: [[UInt8]])]? {
        guard bytes.count >= magic.count + 12 else { return nil }
        let body = bytes.count - 4
        var reader = ByteReader(bytes)
        let stored: UInt32? = {
            var tail = ByteReader(Array(bytes[body...]))
            return tail.read(UInt32.self)
        }()
        guard stored == bytes[..<body].withUnsafeBytes({ CRC32C.checksum($0) }) else { return nil }
        guard reader.read(count: magic.count) == magic, reader.read(UInt32.self) == formatVersion,
            let count = reader.read(UInt32.self)
        else { return nil }
        var entries: [(key: [UInt8], tags: [[UInt8]])] = []
        for _ in 0..<count {
            guard let keyLength = reader.read(UInt16.self), let key = reader.read(count: Int(keyLength)),
                let tagCount = reader.read(UInt8.self), !key.isEmpty, Int(tagCount) <= TagIndex.maximumTagsPerEntry
            else { return nil }
            var tags: [[UInt8]] = []
            for _ in 0..<tagCount {
                guard let tagLength = reader.read(UInt16.self), let tag = reader.read(count: Int(tagLength)),
                    !tag.isEmpty
                else { return nil }
                tags.append(tag)
            }
            entries.append((key, tags))
        }
        guard reader.offset == body else { return nil }
        return entries
    }
}

import CTroveABI
import TroveCore

/// Reads a caller's `trove_options_t` into engine options, honouring its `size` field.
///
/// A caller compiled against an older, shorter header passes a smaller `size`: only the
/// fields that fit in `size` bytes are read (never the bytes past them, which may not
/// belong to the caller's struct) and the rest keep their defaults. A caller compiled
/// against a newer header passes a larger one, accepted as the kernel's
/// `copy_struct_from_user` accepts it: only if every byte past this version's struct is
/// zero (the newer fields left at their defaults), since a non-zero one asks for something
/// this version cannot do.
enum OptionsDecoding {
    /// `size` and `capacity_bytes`: the least a caller's struct can hold.
    static let minimumSize = 16
    /// The most a `size` can plausibly be: larger is not a struct but garbage, whose bytes
    /// past the caller's struct must not be read.
    static let maximumSize = 4096

    static func decode(_ pointer: UnsafePointer<trove_options_t>) -> Result<EngineOptions, EngineError> {
        let raw = UnsafeRawPointer(pointer)
        let size = raw.load(as: Int.self)
        guard size >= minimumSize, size <= maximumSize else {
            return .failure(
                EngineError(
                    .invalidArgument,
                    "trove_options_t.size is \(size); initialize the options with trove_options_init()"
                )
            )
        }
        let known = MemoryLayout<trove_options_t>.size
        // Safe because the caller's `size` says its struct holds `size` bytes.
        let setByte = size > known ? (known..<size).first { raw.load(fromByteOffset: $0, as: UInt8.self) != 0 } : nil
        if let offset = setByte {
            return .failure(
                EngineError(
                    .invalidArgument,
                    "trove_options_t.size is \(size) and byte \(offset) is set, but this library knows only the "
                        + "first \(known) bytes: a field from a newer trove.h; use that library, or leave it zero"
                )
            )
        }
        func field<Field>(_ path: KeyPath<trove_options_t, Field>) -> Field? {
            guard let offset = MemoryLayout<trove_options_t>.offset(of: path),
                offset + MemoryLayout<Field>.size <= size
            else { return nil }
            // Safe because the caller's `size` says the struct holds at least this field's
            // bytes, and the field's offset is this version's layout of `trove_options_t`.
            return raw.load(fromByteOffset: offset, as: Field.self)
        }
        var options = EngineOptions()
        if let capacity = field(\.capacity_bytes) { options.capacityBytes = capacity }
        if let items = field(\.max_items) { options.maximumItems = items }
        if let stripes = field(\.stripes) { options.stripes = stripes }
        if let name = field(\.policy) ?? nil {
            let policyName = String(cString: name)
            guard let policy = PolicyKind(name: policyName) else {
                return .failure(
                    EngineError(
                        .invalidArgument,
                        "unknown policy \"\(policyName)\"; use \"lru\", \"s3fifo\", \"wtinylfu\" or \"adaptive\""
                    )
                )
            }
            options.policy = policy
        }
        if let path = field(\.path) ?? nil { options.path = String(cString: path) }
        if let disk = field(\.disk_capacity_bytes) { options.diskCapacityBytes = disk }
        if let threshold = field(\.compression_threshold) { options.compressionThreshold = threshold }
        if let level = field(\.compression_level), level != 0 {
            guard (1...19).contains(level) else {
                return .failure(
                    EngineError(.invalidArgument, "compression_level \(level) must be 0 (default) or 1 to 19")
                )
            }
            options.compressionLevel = level
        }
        if let absent = field(\.absent_ttl_ms) { options.absentTimeToLiveMilliseconds = absent }
        return .success(options)
    }

    /// Writes the defaults into a caller's struct.
    static func writeDefaults(_ pointer: UnsafeMutablePointer<trove_options_t>) {
        let defaults = EngineOptions()
        pointer.initialize(
            to: trove_options_t(
                size: MemoryLayout<trove_options_t>.size,
                capacity_bytes: defaults.capacityBytes,
                max_items: defaults.maximumItems,
                stripes: defaults.stripes,
                policy: nil,
                path: nil,
                disk_capacity_bytes: defaults.diskCapacityBytes,
                compression_threshold: defaults.compressionThreshold,
                compression_level: 0,
                reserved0: 0,
                absent_ttl_ms: 0
            )
        )
    }
}

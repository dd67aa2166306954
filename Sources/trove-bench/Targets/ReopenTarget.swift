import CTroveABI
import Trove

/// One cache of the reopen check, opened, filled, read back and closed through the
/// `trove_*` functions or through `Trove.Cache`.
protocol ReopenTarget: AnyObject {
    /// Stores `value` under `key`.
    func put(_ key: [UInt8], _ value: [UInt8]) throws
    /// `key`'s value, or `nil` on a miss.
    func get(_ key: [UInt8]) throws -> [UInt8]?
    /// Closes the cache; it is not used again.
    func close() throws
}

/// A failure of the reopen check: an open, put, get or close refused, or a value read back wrong.
struct ReopenError: Error, CustomStringConvertible {
    let description: String
}

extension EngineOptionGroup.API {
    /// Opens a cache of `capacityBytes` in memory, with a disk tier in `directory` when one is given.
    func openReopenTarget(capacityBytes: Int, directory: String?, diskCapacityBytes: Int) throws -> any ReopenTarget {
        switch self {
        case .c:
            try CReopenTarget(capacityBytes: capacityBytes, directory: directory, diskCapacityBytes: diskCapacityBytes)
        case .swift:
            try SwiftReopenTarget(
                capacityBytes: capacityBytes,
                directory: directory,
                diskCapacityBytes: diskCapacityBytes
            )
        }
    }
}

/// The reopen check's cache through the C ABI.
final class CReopenTarget: ReopenTarget {
    private let handle: OpaquePointer

    init(capacityBytes: Int, directory: String?, diskCapacityBytes: Int) throws {
        var options = trove_options_t()
        trove_options_init(&options)
        options.capacity_bytes = UInt64(capacityBytes)
        options.disk_capacity_bytes = UInt64(diskCapacityBytes)
        var opened: OpaquePointer?
        let status: Int32
        if let directory {
            status = directory.withCString { path in
                options.path = path
                return trove_open(&options, &opened)
            }
        } else {
            status = trove_open(&options, &opened)
        }
        guard status == TROVE_OK, let opened else { throw CReopenTarget.failure("trove_open", status) }
        handle = opened
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        let status = trove_put(handle, key, key.count, value, value.count, 0)
        guard status == TROVE_OK else { throw CReopenTarget.failure("trove_put", status) }
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: 256)
        while true {
            var length = 0
            let status = value.withUnsafeMutableBytes {
                trove_get(handle, key, key.count, $0.baseAddress, $0.count, &length)
            }
            switch Int(status) {
            case TROVE_OK: return Array(value[..<length])
            case TROVE_NOT_FOUND: return nil
            case TROVE_EBUFSIZE: value = [UInt8](repeating: 0, count: length)
            default: throw CReopenTarget.failure("trove_get", status)
            }
        }
    }

    func close() throws {
        let status = trove_close(handle)
        guard status == TROVE_OK else { throw CReopenTarget.failure("trove_close", status) }
    }

    private static func failure(_ function: String, _ status: Int32) -> ReopenError {
        ReopenError(description: "\(function) returned \(status): \(String(cString: trove_last_error()))")
    }
}

/// The reopen check's cache through the Swift API.
final class SwiftReopenTarget: ReopenTarget {
    private let cache: Cache

    init(capacityBytes: Int, directory: String?, diskCapacityBytes: Int) throws {
        var options = CacheOptions(capacityBytes: capacityBytes)
        options.directory = directory
        options.diskCapacityBytes = diskCapacityBytes
        cache = try Cache(options: options)
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try cache.put(key, value)
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        try cache.get(key)
    }

    func close() throws {
        cache.close()
    }
}

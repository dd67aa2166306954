#if canImport(Glibc)
import Glibc
#endif

/// Anonymous memory taken from the OS with `mmap` and returned with `munmap` on deinit.
///
/// Pages are reserved, not committed (`MAP_NORESERVE`): they cost nothing until first
/// written, so a mapping the size of the whole memory budget adds to resident memory
/// only as entries fill it. The engine never unmaps memory that lock-free readers can
/// reach while the engine is open; it uses `discard` to give pages back instead, which
/// keeps the addresses valid (they read as zeros).
package final class MappedMemory {
    /// The first byte; page aligned.
    package let base: UnsafeMutableRawPointer
    /// The mapping's length in bytes, a multiple of the page size.
    package let byteCount: Int

    /// Maps `byteCount` bytes (rounded up to whole pages) of zeroed memory.
    ///
    /// - Throws: `SystemError` from `mmap` (`ENOMEM` when the address space is exhausted).
    package init(byteCount: Int) throws(SystemError) {
        let length = MappedMemory.roundedToPages(max(byteCount, 1))
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let address, address != MAP_FAILED else { throw SystemError("mmap", errno: errno) }
        base = address
        self.byteCount = length
    }

    deinit {
        munmap(base, byteCount)
    }

    /// Returns the pages overlapping `[offset, offset + count)` to the OS; they read as zeros afterwards.
    ///
    /// Only whole pages inside the range are discarded, so bytes of neighbouring data
    /// sharing a page are never lost.
    package func discard(offset: Int, count: Int) {
        let page = MappedMemory.pageSize
        let start = (offset + page - 1) / page * page
        let end = (offset + count) / page * page
        guard end > start else { return }
        madvise(base + start, end - start, MADV_DONTNEED)
    }

    /// Discards every page of the mapping.
    package func discardAll() {
        madvise(base, byteCount, MADV_DONTNEED)
    }

    /// The system page size in bytes.
    package static let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// `count` rounded up to a whole number of pages.
    package static func roundedToPages(_ count: Int) -> Int {
        (count + pageSize - 1) / pageSize * pageSize
    }
}

extension MappedMemory {
    /// Bytes of the mapping resident in RAM now, counted page by page with `mincore`.
    ///
    /// - Complexity: O(pages): one byte of work per 4 KiB mapped; meant for tests and reports.
    package func residentBytes() -> Int {
        let pages = byteCount / MappedMemory.pageSize
        var vector = [UInt8](repeating: 0, count: pages)
        guard mincore(base, byteCount, &vector) == 0 else { return 0 }
        return vector.reduce(0) { $0 + Int($1 & 1) } * MappedMemory.pageSize
    }
}

/// A fixed set of readers, each with its own I/O queue, aligned scratch memory and zstd
/// context, lent to one thread at a time.
///
/// An io_uring queue serves one thread at a time, so concurrent gets each borrow a reader
/// for the duration of their disk reads; with more threads than readers, the extra ones
/// wait for one to come back.
final class ColdReaderPool: @unchecked Sendable {
    /// One reader's resources.
    final class Reader {
        let queue: any IOQueue
        /// Four 4 KiB blocks: enough for most records in one read.
        let scratch: MappedMemory
        /// Scratch for records longer than `scratch`, grown on demand.
        var large: MappedMemory?
        /// Scratch for batched reads, one `scratch`-sized slot per read in flight.
        var batch: MappedMemory?
        var codec: ZstdCodec

        init(depth: Int, queues: IOQueueFactory) throws(EngineError) {
            do {
                queue = try queues.make(depth)
                scratch = try MappedMemory(byteCount: ColdReaderPool.scratchBytes)
            } catch {
                throw EngineError(error)
            }
            do {
                codec = try ZstdCodec()
            } catch {
                throw EngineError(.outOfMemory, "could not create a zstd context: \(error)")
            }
        }
    }

    static let scratchBytes = 4 * 4096
    private let readers: [Reader]
    /// The readers not lent out, by index.
    private let available: ConditionLockedValue<[Int]>

    init(count: Int, depth: Int, queues: IOQueueFactory) throws(EngineError) {
        var readers: [Reader] = []
        for _ in 0..<count {
            readers.append(try Reader(depth: depth, queues: queues))
        }
        self.readers = readers
        available = ConditionLockedValue(Array(readers.indices))
    }

    /// Runs `body` with a reader of its own, waiting for one if all are lent out.
    func withReader<Result>(_ body: (Reader) -> Result) -> Result {
        let index = available.withLockWaiting { $0.popLast() }
        defer {
            available.withLock { indices in
                indices.append(index)
                available.broadcast()
            }
        }
        return body(readers[index])
    }

    /// The backend the readers use (io_uring, or the synchronous fallback and why).
    var backend: IOBackend { readers[0].queue.backend }
}

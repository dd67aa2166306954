/// How a component makes its I/O queues: normally `makeIOQueue` with a backend choice;
/// tests substitute queues that fail on purpose to exercise error handling.
package struct IOQueueFactory: Sendable {
    /// Makes a queue of the given depth.
    package let make: @Sendable (_ depth: Int) throws(SystemError) -> any IOQueue

    package init(_ make: @escaping @Sendable (_ depth: Int) throws(SystemError) -> any IOQueue) {
        self.make = make
    }

    /// Queues from `makeIOQueue` with this backend selection.
    package static func backend(_ selection: IOBackendSelection) -> IOQueueFactory {
        IOQueueFactory { depth throws(SystemError) in try makeIOQueue(depth: depth, backend: selection) }
    }

    /// io_uring where it works, else the synchronous fallback.
    package static let automatic = backend(.automatic)
}

import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Which side of a `fork()` this process is on: the count of forks that made it a child.
///
/// A child has none of its parent's threads (a cache's disk writer, listener and reloads),
/// so a cache opened before the fork would wait on them for ever. Each engine remembers the
/// generation it was opened in, and refuses work when the current one differs.
package enum ForkGeneration {
    private static let generation = Atomic<UInt64>(0)

    /// Installed once, before the first engine opens, so that every later fork counts.
    private static let handler: Void = {
        // The child handler runs in the new process, before `fork` returns there.
        pthread_atfork(nil, nil) { ForkGeneration.generation.add(1, ordering: .relaxed) }
    }()

    /// The current generation; starts counting forks from the first call.
    ///
    /// - Complexity: One relaxed atomic load.
    @inline(__always)
    package static var current: UInt64 {
        generation.load(ordering: .relaxed)
    }

    /// Makes forks from now on count, and returns the current generation.
    package static func register() -> UInt64 {
        _ = handler
        return current
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Threads a test starts and joins: real OS threads, for code that blocks them (loaders
/// waiting for each other), which tasks of the cooperative pool must not do.
///
/// `@unchecked Sendable` so a test can hand it to the code that joins it; `join` must be
/// called from one thread at a time.
package final class TestThreads: @unchecked Sendable {
    private var handles: [pthread_t] = []

    private final class Body: @unchecked Sendable {
        let run: (Int) -> Void
        let index: Int
        init(_ run: @escaping (Int) -> Void, _ index: Int) {
            self.run = run
            self.index = index
        }
    }

    /// Starts `count` threads, the `i`th running `body(i)`.
    package init(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        for index in 0..<count {
            let box = Unmanaged.passRetained(Body(body, index)).toOpaque()
            var handle = pthread_t()
            let status = pthread_create(
                &handle,
                nil,
                { argument in
                    let body = Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue()
                    body.run(body.index)
                    return nil
                },
                box
            )
            precondition(status == 0, "pthread_create failed: \(status)")
            handles.append(handle)
        }
    }

    /// Waits for every thread to return.
    package func join() {
        for handle in handles { pthread_join(handle, nil) }
        handles = []
    }

    /// Runs `body(i)` on `count` threads at once and waits for all of them.
    package static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        TestThreads(count, body).join()
    }
}

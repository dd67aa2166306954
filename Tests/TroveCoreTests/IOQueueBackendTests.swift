import Glibc
import Testing
import TroveTestSupport

@testable import TroveCore

@Suite("IOQueue backend selection, agreement and timeouts")
struct IOQueueBackendTests {
    @Test func backendsGiveTheSameResults() throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 3)
        let contents = generator.bytes(300_000)
        try directory.makeFile("region", bytes: contents)
        let file = try RegionFile(directory: directory.path, name: "region", create: false, direct: false)
        let straddlingEnd = (offset: Int64(299_000), length: 4096)
        let pastEnd = (offset: Int64(310_000), length: 4096)
        let requests =
            (0..<30).map { _ in
                (
                    offset: Int64.random(in: 0...290_000, using: &generator),
                    length: Int.random(in: 1...8192, using: &generator)
                )
            } + [straddlingEnd, pastEnd]

        var results: [[UInt64: IOCompletion]] = []
        var buffers: [[UInt8]] = []
        for backend in queueBackends {
            let queue = try makeIOQueue(depth: 32, backend: backend)
            var slab = [UInt8](repeating: 0, count: 32 * 8192)
            let completions = try slab.withUnsafeMutableBytes { bytes in
                for (index, request) in requests.enumerated() {
                    let slot = UnsafeMutableRawBufferPointer(
                        rebasing: bytes[(index * 8192)..<(index * 8192 + request.length)]
                    )
                    try queue.queueRead(fd: file.descriptor, offset: request.offset, into: slot, tag: UInt64(index))
                }
                try queue.queueRead(
                    fd: -1,
                    offset: 0,
                    into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<1]),
                    tag: 99
                )
                return try queue.drain()
            }
            results.append(completions)
            buffers.append(slab)
        }

        #expect(results[0] == results[1])
        #expect(buffers[0] == buffers[1])
        #expect(results[0][30]?.result == 1000)
        #expect(results[0][31]?.result == 0)
        #expect(results[0][99]?.result == -EBADF)
    }

    @Test func automaticFallsBackWhenSetupFails() throws {
        // io_uring accepts at most 32768 entries, so this depth makes its setup fail with EINVAL, standing in for
        // ENOSYS or EPERM on a machine where io_uring is disabled.
        let queue = try makeIOQueue(depth: 65536, backend: .automatic)
        #expect(queue.backend == .synchronous(fallbackReason: SystemError("io_uring_queue_init", errno: EINVAL)))
        let error = #expect(throws: SystemError.self) { try makeIOQueue(depth: 65536, backend: .ioUring) }
        #expect(error?.call == "io_uring_queue_init")
        #expect(error?.errno == EINVAL)
        #expect(try makeIOQueue(depth: 8).backend == .ioUring)
        #expect(try makeIOQueue(depth: 8, backend: .synchronous).backend == .synchronous(fallbackReason: nil))
    }

    @Test func waitTimesOutThenCompletes() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let queue = try IORing(depth: 4)
        var buffer = [UInt8](repeating: 0, count: 16)

        try buffer.withUnsafeMutableBytes { destination in
            try queue.queueRead(fd: ends[0], offset: 0, into: destination, tag: 1)
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try queue.wait(forCompletions: 1, timeout: .milliseconds(50)) == false)
            #expect(clock.now - start >= .milliseconds(50))
            close(ends[1])
            #expect(try queue.wait(forCompletions: 1, timeout: .seconds(5)))
            var completions: [IOCompletion] = []
            queue.reapCompletions { completions.append($0) }
            #expect(completions == [IOCompletion(tag: 1, result: 0)])
        }
        close(ends[0])
    }
}

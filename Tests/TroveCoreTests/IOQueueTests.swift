import Glibc
import Testing
import TroveTestSupport

@testable import TroveCore

@Suite("IOQueue round trips on io_uring and on the synchronous fallback")
struct IOQueueTests {
    @Test(arguments: queueBackends)
    func writeThenReadBack(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        let file = try RegionFile(directory: directory.path, name: "region", create: true, direct: false)
        let queue = try makeIOQueue(depth: 8, backend: backend)
        var generator = SeededGenerator(seed: 1)
        let written = generator.bytes(4096)
        var read = [UInt8](repeating: 0, count: 4096)

        let completions = try written.withUnsafeBytes { source in
            try read.withUnsafeMutableBytes { destination in
                try queue.queueWrite(fd: file.descriptor, offset: 8192, from: source, tag: 1)
                _ = try queue.drain()
                try queue.queueRead(fd: file.descriptor, offset: 8192, into: destination, tag: 2)
                return try queue.drain()
            }
        }

        #expect(completions == [2: IOCompletion(tag: 2, result: 4096)])
        #expect(read == written)
        #expect(try file.size() == 8192 + 4096)
        #expect(queue.outstanding == 0)
    }

    @Test(arguments: queueBackends)
    func batchOfRandomReads(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 2)
        let contents = generator.bytes(1 << 20)
        try directory.makeFile("region", bytes: contents)
        let file = try RegionFile(directory: directory.path, name: "region", create: false, direct: false)
        let queue = try makeIOQueue(depth: 64, backend: backend)
        let requests = (0..<64).map { _ in
            let length = Int.random(in: 1...4096, using: &generator)
            return (offset: Int.random(in: 0...(contents.count - length), using: &generator), length: length)
        }
        var slots = [UInt8](repeating: 0, count: 64 * 4096)

        let completions = try slots.withUnsafeMutableBytes { slab in
            for (index, request) in requests.enumerated() {
                let slot = UnsafeMutableRawBufferPointer(
                    rebasing: slab[(index * 4096)..<(index * 4096 + request.length)]
                )
                try queue.queueRead(fd: file.descriptor, offset: Int64(request.offset), into: slot, tag: UInt64(index))
            }
            return try queue.drain()
        }

        #expect(completions.count == 64)
        for (index, request) in requests.enumerated() {
            #expect(completions[UInt64(index)]?.result == Int32(request.length))
            let got = slots[(index * 4096)..<(index * 4096 + request.length)]
            #expect(got.elementsEqual(contents[request.offset..<(request.offset + request.length)]))
        }
    }

    @Test(arguments: queueBackends)
    func fsyncAfterWritesInOneSubmission(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        let file = try RegionFile(directory: directory.path, name: "region", create: true, direct: false)
        let queue = try makeIOQueue(depth: 8, backend: backend)
        let bytes = [UInt8](repeating: 0xAB, count: 65536)

        let completions = try bytes.withUnsafeBytes { source in
            try queue.queueWrite(fd: file.descriptor, offset: 0, from: source, tag: 1)
            try queue.queueWrite(fd: file.descriptor, offset: 65536, from: source, tag: 2)
            try queue.queueFsync(fd: file.descriptor, dataOnly: true, afterPrevious: true, tag: 3)
            try queue.queueFsync(fd: file.descriptor, dataOnly: false, afterPrevious: true, tag: 4)
            return try queue.drain()
        }

        #expect(completions[1]?.result == 65536)
        #expect(completions[2]?.result == 65536)
        #expect(completions[3]?.result == 0)
        #expect(completions[4]?.result == 0)
    }

    @Test(arguments: queueBackends)
    func readPastEndIsShort(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        try directory.makeFile("region", bytes: [UInt8](repeating: 7, count: 1000))
        let file = try RegionFile(directory: directory.path, name: "region", create: false, direct: false)
        let queue = try makeIOQueue(depth: 4, backend: backend)
        var buffer = [UInt8](repeating: 0, count: 4096)

        let completions = try buffer.withUnsafeMutableBytes { destination in
            try queue.queueRead(fd: file.descriptor, offset: 0, into: destination, tag: 1)
            _ = try queue.drain()
            try queue.queueRead(fd: file.descriptor, offset: 5000, into: destination, tag: 2)
            return try queue.drain()
        }

        #expect(completions[2]?.byteCount == 0)
        #expect(buffer[0..<1000].allSatisfy { $0 == 7 })
        #expect(buffer[1000...].allSatisfy { $0 == 0 })
    }

    @Test(arguments: queueBackends)
    func firstShortReadReportsBytesRead(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        try directory.makeFile("region", bytes: [UInt8](repeating: 7, count: 1000))
        let file = try RegionFile(directory: directory.path, name: "region", create: false, direct: false)
        let queue = try makeIOQueue(depth: 4, backend: backend)
        var buffer = [UInt8](repeating: 0, count: 4096)

        let completions = try buffer.withUnsafeMutableBytes { destination in
            try queue.queueRead(fd: file.descriptor, offset: 0, into: destination, tag: 1)
            return try queue.drain()
        }

        #expect(completions[1]?.byteCount == 1000)
    }

    @Test(arguments: queueBackends)
    func invalidDescriptorCompletesWithErrno(backend: IOBackendSelection) throws {
        let queue = try makeIOQueue(depth: 4, backend: backend)
        var buffer = [UInt8](repeating: 0, count: 512)

        let completions = try buffer.withUnsafeMutableBytes { destination in
            try queue.queueRead(fd: -1, offset: 0, into: destination, tag: 1)
            try queue.queueWrite(fd: 1_000_000, offset: 0, from: UnsafeRawBufferPointer(destination), tag: 2)
            try queue.queueFsync(fd: -1, dataOnly: true, afterPrevious: false, tag: 3)
            return try queue.drain()
        }

        #expect(completions[1]?.result == -EBADF)
        #expect(completions[2]?.result == -EBADF)
        #expect(completions[3]?.error(operation: "fsync") == SystemError("fsync", errno: EBADF))
    }

    @Test(arguments: queueBackends)
    func invalidRequestsThrowWhenQueued(backend: IOBackendSelection) throws {
        let queue = try makeIOQueue(depth: 4, backend: backend)
        var buffer = [UInt8](repeating: 0, count: 16)

        let negativeOffset = buffer.withUnsafeMutableBytes { destination in
            #expect(throws: SystemError.self) {
                try queue.queueRead(fd: 0, offset: -1, into: destination, tag: 1)
            }
        }
        let waitForNothing = #expect(throws: SystemError.self) { try queue.wait(forCompletions: 1, timeout: nil) }
        #expect(negativeOffset?.errno == EINVAL)
        #expect(waitForNothing?.errno == EINVAL)
        #expect(queue.outstanding == 0)
    }

    @Test(arguments: queueBackends)
    func queueBeyondDepthSubmitsAndBeyondCapacityThrows(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        try directory.makeFile("region", bytes: [UInt8](repeating: 1, count: 4096))
        let file = try RegionFile(directory: directory.path, name: "region", create: false, direct: false)
        let queue = try makeIOQueue(depth: 4, backend: backend)
        #expect(queue.capacity == 8)
        var buffer = [UInt8](repeating: 0, count: 8 * 16)

        try buffer.withUnsafeMutableBytes { slab in
            for index in 0..<8 {
                let slot = UnsafeMutableRawBufferPointer(rebasing: slab[(index * 16)..<(index * 16 + 16)])
                try queue.queueRead(fd: file.descriptor, offset: Int64(index * 16), into: slot, tag: UInt64(index))
            }
            let full = #expect(throws: SystemError.self) {
                try queue.queueFsync(fd: file.descriptor, dataOnly: true, afterPrevious: false, tag: 9)
            }
            #expect(full?.errno == EBUSY)
            let completions = try queue.drain()
            #expect(completions.count == 8)
            #expect(completions.values.allSatisfy { $0.result == 16 })
        }
        #expect(buffer.allSatisfy { $0 == 1 })
    }

    @Test(arguments: queueBackends)
    func completionHandlerMayQueueMore(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        try directory.makeFile("region", bytes: [UInt8](repeating: 3, count: 4096))
        let file = try RegionFile(directory: directory.path, name: "region", create: false, direct: false)
        let queue = try makeIOQueue(depth: 2, backend: backend)
        var buffer = [UInt8](repeating: 0, count: 64)
        var completed = 0

        try buffer.withUnsafeMutableBytes { destination in
            try queue.queueRead(fd: file.descriptor, offset: 0, into: destination, tag: 0)
            while queue.outstanding > 0 {
                try queue.wait(forCompletions: 1)
                queue.reapCompletions { completion in
                    completed += 1
                    if completion.tag < 9 {
                        try? queue.queueRead(fd: file.descriptor, offset: 0, into: destination, tag: completion.tag + 1)
                    }
                }
            }
        }

        #expect(completed == 10)
    }
}

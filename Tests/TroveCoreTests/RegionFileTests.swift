import Glibc
import Testing
import TroveTestSupport

@testable import TroveCore

@Suite("RegionFile and AlignedBuffer")
struct RegionFileTests {
    @Test func createPreallocateAndClose() throws {
        let directory = try TemporaryDirectory()
        let file = try RegionFile(directory: directory.path, name: "regions", create: true, direct: false)
        #expect(try file.size() == 0)
        try file.preallocate(offset: 0, length: 4 << 20)
        #expect(try file.size() == 4 << 20)
        try file.preallocate(offset: 0, length: 1 << 20)
        #expect(try file.size() == 4 << 20)
        #expect(fcntl(file.descriptor, F_GETFD) & FD_CLOEXEC == FD_CLOEXEC)
        try file.close()
        try RegionFile.syncDirectory(directory.path)

        let reopened = try RegionFile(directory: directory.path + "/", name: "regions", create: false, direct: false)
        #expect(try reopened.size() == 4 << 20)
    }

    @Test func openFailuresName() throws {
        let directory = try TemporaryDirectory()
        let missing = #expect(throws: SystemError.self) {
            _ = try RegionFile(directory: directory.path, name: "missing", create: false, direct: false)
        }
        #expect(missing?.errno == ENOENT)
        #expect(missing?.call.contains("missing") == true)
        let slash = #expect(throws: SystemError.self) {
            _ = try RegionFile(directory: directory.path, name: "a/b", create: true, direct: false)
        }
        #expect(slash?.errno == EINVAL)
    }

    @Test func preallocationFailureIsReported() throws {
        let directory = try TemporaryDirectory()
        let file = try RegionFile(directory: directory.path, name: "regions", create: true, direct: false)
        let error = #expect(throws: SystemError.self) { try file.preallocate(offset: 0, length: -1) }
        #expect(error?.errno == EINVAL)
        #expect(error?.call.hasPrefix("fallocate") == true)
        #expect(SystemError("fallocate", errno: ENOSPC).status == .noSpace)
    }

    @Test(arguments: queueBackends)
    func directReadAndWrite(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory()
        let file = try RegionFile(directory: directory.path, name: "regions", create: true, direct: true)
        let isDirect = file.isDirect
        #expect(isDirect)
        try file.preallocate(offset: 0, length: 1 << 20)
        let queue = try makeIOQueue(depth: 4, backend: backend)
        var source = try AlignedBuffer(count: 8192)
        var destination = try AlignedBuffer(count: 8192)
        var misaligned = try AlignedBuffer(count: 8192)
        source.withUnsafeMutableBytes { bytes in
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31) }
        }

        let written = try source.withUnsafeBytes { bytes in
            try queue.queueWrite(fd: file.descriptor, offset: 4096, from: bytes, tag: 1)
            return try queue.drain()
        }
        let read = try destination.withUnsafeMutableBytes { bytes in
            try queue.queueRead(fd: file.descriptor, offset: 4096, into: bytes, tag: 2)
            return try queue.drain()
        }
        // Direct transfers of written blocks must be block-aligned in address and offset.
        let refused = try misaligned.withUnsafeMutableBytes { bytes in
            try queue.queueRead(fd: file.descriptor, offset: 4096, into: .init(rebasing: bytes[1..<4097]), tag: 3)
            try queue.queueRead(fd: file.descriptor, offset: 4097, into: .init(rebasing: bytes[0..<4096]), tag: 4)
            return try queue.drain()
        }

        #expect(written[1]?.result == 8192)
        #expect(read[2]?.result == 8192)
        #expect(refused[3]?.result == -EINVAL)
        #expect(refused[4]?.result == -EINVAL)
        let same = source.withUnsafeBytes { expected in
            destination.withUnsafeBytes { actual in expected.elementsEqual(actual) }
        }
        #expect(same)
    }

    @Test func alignedBufferIsAlignedAndZeroed() throws {
        for count in [1, 4096, 12_345, 4 << 20] {
            var buffer = try AlignedBuffer(count: count)
            #expect(buffer.count == count)
            buffer.withUnsafeMutableBytes { bytes in
                #expect(Int(bitPattern: bytes.baseAddress) % AlignedBuffer.alignment == 0)
                #expect(bytes.allSatisfy { $0 == 0 })
            }
        }
        let empty = #expect(throws: SystemError.self) { _ = try AlignedBuffer(count: 0) }
        #expect(empty?.errno == EINVAL)
    }
}

import CZstd

/// The decompressed bytes of a zstd file, decoded as they are read, so a trace never has to fit in memory whole.
///
/// Accepts one or more concatenated frames (as `zstd` writes them). Owns its file and its decompression stream and
/// frees both on deinit. Uses zstd's recommended buffer sizes: about 128 KiB of input plus the stream's window.
final class ZstdByteSource: TraceByteSource {
    private let file: FileByteSource
    private let stream: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private var inputBuffer: ZSTD_inBuffer
    /// libzstd's hint from the last call: 0 when a frame has just ended, so the data may stop here.
    private var frameHint = 1
    private var sawInput = false
    private var fileEnded = false

    var path: String { file.path }

    /// Opens `path` and prepares a decompression stream.
    ///
    /// - Throws: `TraceError.cannotOpen` when the file cannot be opened or libzstd cannot allocate its stream.
    init(path: String) throws(TraceError) {
        file = try FileByteSource(path: path)
        guard let stream = ZSTD_createDStream() else {
            throw .cannotOpen(path: path, reason: "libzstd could not allocate a decompression stream")
        }
        self.stream = stream
        ZSTD_initDStream(stream)
        input = .allocate(byteCount: ZSTD_DStreamInSize(), alignment: 16)
        inputBuffer = ZSTD_inBuffer(src: UnsafeRawPointer(input.baseAddress), size: 0, pos: 0)
    }

    deinit {
        ZSTD_freeDStream(stream)
        input.deallocate()
    }

    /// Decompresses the next bytes into `buffer`.
    ///
    /// - Returns: The bytes written, 0 once every frame has been decoded and the file has ended.
    /// - Throws: `TraceError.corruptCompressedData` (with the compressed offset) when libzstd rejects the data,
    ///   `TraceError.truncatedCompressedData` when the file ends inside a frame or holds none, or a read error.
    /// - Complexity: O(bytes produced); reads the file in zstd's recommended input size.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceError) -> Int {
        var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        while true {
            if inputBuffer.pos == inputBuffer.size && !fileEnded {
                let count = try file.read(into: input)
                if count == 0 {
                    fileEnded = true
                } else {
                    sawInput = true
                    inputBuffer.size = count
                    inputBuffer.pos = 0
                }
            }
            if fileEnded && inputBuffer.pos == inputBuffer.size {
                guard sawInput else { throw .truncatedCompressedData(path: path, offset: file.offset) }
                if frameHint == 0 { return 0 }
                // The last call may have filled its output with more of the frame still held in zstd's window.
                frameHint = try decompress(into: &output)
                if output.pos > 0 || frameHint == 0 { return output.pos }
                throw .truncatedCompressedData(path: path, offset: file.offset)
            }
            frameHint = try decompress(into: &output)
            if output.pos > 0 { return output.pos }
        }
    }

    private func decompress(into output: inout ZSTD_outBuffer) throws(TraceError) -> Int {
        let result = ZSTD_decompressStream(stream, &output, &inputBuffer)
        if ZSTD_isError(result) != 0 {
            let unread = UInt64(inputBuffer.size - inputBuffer.pos)
            throw .corruptCompressedData(
                path: path,
                offset: file.offset - unread,
                reason: String(cString: ZSTD_getErrorName(result))
            )
        }
        return result
    }
}

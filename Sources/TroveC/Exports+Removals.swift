import CTroveABI
import TroveCore

@_cdecl("trove_set_removal_listener")
public func trove_set_removal_listener(
    _ handle: OpaquePointer?,
    _ listener: trove_removal_fn?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    withEngine(handle, "trove_set_removal_listener") { engine in
        guard let listener else { return report(engine.setRemovalListener(nil), "trove_set_removal_listener") }
        // The address, which is Sendable; the caller keeps what it points to alive (see trove.h).
        let context = UInt(bitPattern: userData)
        let status = engine.setRemovalListener { key, cause in
            listener(UnsafeMutableRawPointer(bitPattern: context), key.baseAddress, key.count, cause.rawValue)
        }
        return report(status, "trove_set_removal_listener")
    }
}

#include "CTroveChecksum.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

// The crc32 instruction has a latency of three cycles but a throughput of one per cycle, so one
// dependent chain runs at a third of the instruction's speed. Long inputs are cut into groups of
// three lanes checksummed side by side; the lanes are then joined by "shifting" a lane's CRC
// over the bytes that follow it, which is a linear map of the 32-bit CRC and so a lookup in
// four 256-entry tables built once from the instruction itself.
enum { lane_bytes = 256 };

static uint32_t shift_tables[4][256];

__attribute__((target("sse4.2"))) static uint32_t crc32c_serial(uint64_t state, const unsigned char *bytes,
                                                                size_t length) {
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        state = _mm_crc32_u64(state, word);
        bytes += 8;
        length -= 8;
    }
    uint32_t tail = (uint32_t)state;
    while (length > 0) {
        tail = _mm_crc32_u8(tail, *bytes);
        bytes++;
        length--;
    }
    return tail;
}

/// The CRC register after running `crc` over `lane_bytes` zero bytes.
__attribute__((target("sse4.2"))) static uint32_t crc32c_shift_slow(uint32_t crc) {
    uint64_t state = crc;
    for (int word = 0; word < lane_bytes / 8; word++) {
        state = _mm_crc32_u64(state, 0);
    }
    return (uint32_t)state;
}

static inline uint32_t crc32c_shift(uint32_t crc) {
    return shift_tables[0][crc & 0xff] ^ shift_tables[1][(crc >> 8) & 0xff] ^ shift_tables[2][(crc >> 16) & 0xff] ^
           shift_tables[3][crc >> 24];
}

__attribute__((constructor)) static void crc32c_build_shift_tables(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("sse4.2")) {
        return;
    }
    for (int table = 0; table < 4; table++) {
        uint32_t bits[8];
        for (int bit = 0; bit < 8; bit++) {
            bits[bit] = crc32c_shift_slow((uint32_t)1 << (table * 8 + bit));
        }
        for (int byte = 0; byte < 256; byte++) {
            uint32_t shifted = 0;
            for (int bit = 0; bit < 8; bit++) {
                if (byte & (1 << bit)) {
                    shifted ^= bits[bit];
                }
            }
            shift_tables[table][byte] = shifted;
        }
    }
}

int ctrove_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2"))) uint32_t ctrove_crc32c_hardware_update(uint32_t crc, const void *data,
                                                                         size_t length) {
    const unsigned char *bytes = data;
    uint32_t state = crc;
    while (length >= 3 * lane_bytes) {
        uint64_t first = state, second = 0, third = 0;
        for (size_t offset = 0; offset < lane_bytes; offset += 8) {
            uint64_t a, b, c;
            memcpy(&a, bytes + offset, 8);
            memcpy(&b, bytes + lane_bytes + offset, 8);
            memcpy(&c, bytes + 2 * lane_bytes + offset, 8);
            first = _mm_crc32_u64(first, a);
            second = _mm_crc32_u64(second, b);
            third = _mm_crc32_u64(third, c);
        }
        state = crc32c_shift(crc32c_shift((uint32_t)first) ^ (uint32_t)second) ^ (uint32_t)third;
        bytes += 3 * lane_bytes;
        length -= 3 * lane_bytes;
    }
    return crc32c_serial(state, bytes, length);
}
#else
int ctrove_crc32c_hardware_available(void) {
    return 0;
}

uint32_t ctrove_crc32c_hardware_update(uint32_t crc, const void *data, size_t length) {
    (void)data;
    (void)length;
    return crc;
}
#endif

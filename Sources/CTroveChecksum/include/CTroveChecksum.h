/*
 * CRC32C with the SSE4.2 crc32 instruction. Swift cannot call the intrinsic without
 * compiling the whole module for SSE4.2; here one function carries the target
 * attribute and the caller checks the CPU at run time.
 */
#ifndef CTROVE_CHECKSUM_H
#define CTROVE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* 1 if this CPU has the SSE4.2 crc32 instruction (x86-64 only), else 0. */
int ctrove_crc32c_hardware_available(void);

/* Folds length bytes into a running, pre-inverted CRC32C. Call only if available. */
uint32_t ctrove_crc32c_hardware_update(uint32_t crc, const void *data, size_t length);

#endif

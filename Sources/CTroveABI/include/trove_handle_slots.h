/*
 * Internal to libtrove (not part of trove.h): static storage for the C ABI's handle
 * table. Kept in C static memory so that every trove_* call reaches it directly;
 * a Swift global would cost a lazy-initialization check on each call.
 */
#ifndef TROVE_HANDLE_SLOTS_H
#define TROVE_HANDLE_SLOTS_H

#include <stdint.h>

/* Open handles at most. Each slot is two words: generation << 1 | open, then the engine. */
#define TROVE_HANDLE_SLOT_COUNT 4096

__attribute__((visibility("hidden"))) extern uint64_t trove_handle_slot_words[2 * TROVE_HANDLE_SLOT_COUNT];

static inline uint64_t *trove_handle_slots(void) {
    return trove_handle_slot_words;
}

#endif

#include "trove_handle_slots.h"

/* 64-byte aligned so a slot pair never straddles a cache line. */
__attribute__((visibility("hidden"), aligned(64))) uint64_t trove_handle_slot_words[2 * TROVE_HANDLE_SLOT_COUNT];

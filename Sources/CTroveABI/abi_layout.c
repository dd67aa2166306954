/*
 * Compile-time checks of the C ABI's layout on 64-bit Linux. The Swift side reads these
 * structs through this module, so a field moved in trove.h must fail the build here
 * rather than silently shift the meaning of a field in programs built earlier.
 */
#include <stddef.h>
#include "trove.h"

_Static_assert(offsetof(trove_options_t, size) == 0, "size must stay the first field");
_Static_assert(offsetof(trove_options_t, capacity_bytes) == 8, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, max_items) == 16, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, stripes) == 24, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, policy) == 32, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, path) == 40, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, disk_capacity_bytes) == 48, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, compression_threshold) == 56, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, compression_level) == 60, "trove_options_t layout changed");
_Static_assert(offsetof(trove_options_t, absent_ttl_ms) == 72, "trove_options_t layout changed");
_Static_assert(sizeof(trove_options_t) == 80, "trove_options_t layout changed");

_Static_assert(offsetof(trove_stats_t, hits) == 0, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, capacity_bytes) == 88, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, stripes) == 96, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, segment_size) == 100, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, disk_state) == 104, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, disk_hits) == 112, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, disk_capacity_bytes) == 224, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, predictions_checked) == 232, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, predictions_reused) == 248, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, loads) == 256, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, load_time_ns) == 288, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, removals_dropped) == 304, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, refresh_failures) == 320, "trove_stats_t layout changed");
_Static_assert(offsetof(trove_stats_t, tagged_entries) == 344, "trove_stats_t layout changed");
_Static_assert(sizeof(trove_stats_t) == 352, "trove_stats_t layout changed");

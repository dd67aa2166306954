/*
 * The C ABI test: every function of include/trove.h, its error codes, NULL and
 * oversized inputs, a too-small buffer, closed and stale handles, an older (shorter)
 * options struct, concurrent use from several threads, and a fork.
 *
 * Built by scripts/test.sh with: gcc -Wall -Wextra -Werror -std=c11 -pthread
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trove_check.h"

static trove_t *open_default(uint64_t capacity) {
    trove_options_t opts;
    trove_options_init(&opts);
    opts.capacity_bytes = capacity;
    return open_checked(&opts);
}

static void test_version_and_strings(void) {
    uint32_t v = trove_version();
    CHECK(v == ((TROVE_VERSION_MAJOR << 16) | (TROVE_VERSION_MINOR << 8) | TROVE_VERSION_PATCH));
    const int codes[] = {TROVE_OK, TROVE_NOT_FOUND, TROVE_EINVAL, TROVE_ETOOBIG, TROVE_EBUFSIZE,
                         TROVE_ECLOSED, TROVE_ENOMEM, TROVE_EIO, TROVE_ENOSPC, TROVE_EFORMAT, TROVE_ELOADER};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = trove_strerror(codes[i]);
        CHECK(s != NULL && strncmp(s, "TROVE_", 6) == 0);
    }
    CHECK(strstr(trove_strerror(TROVE_ENOMEM), "TROVE_ENOMEM") != NULL);
    CHECK(trove_strerror(12345) != NULL);
    CHECK(trove_last_error() != NULL);
}

static void test_options(void) {
    trove_options_init(NULL); /* must not crash */
    trove_options_t opts;
    memset(&opts, 0xAB, sizeof opts);
    trove_options_init(&opts);
    CHECK(opts.size == sizeof(trove_options_t));
    CHECK(opts.capacity_bytes >= (1u << 20));
    CHECK(opts.policy == NULL && opts.path == NULL && opts.max_items == 0 && opts.stripes == 0);

    trove_t *t = (trove_t *)0x1;
    CHECK_STATUS(trove_open(&opts, NULL), TROVE_EINVAL);
    opts.capacity_bytes = 1000; /* below the 1 MiB minimum */
    CHECK_STATUS(trove_open(&opts, &t), TROVE_EINVAL);
    CHECK(t == NULL);
    CHECK(strstr(trove_last_error(), "capacity_bytes") != NULL);
    trove_options_init(&opts);
    opts.policy = "no-such-policy";
    CHECK_STATUS(trove_open(&opts, &t), TROVE_EINVAL);
    CHECK(strstr(trove_last_error(), "no-such-policy") != NULL);
    trove_options_init(&opts);
    opts.stripes = 3;
    CHECK_STATUS(trove_open(&opts, &t), TROVE_EINVAL);
    trove_options_init(&opts);
    opts.size = 3; /* not initialized with trove_options_init */
    CHECK_STATUS(trove_open(&opts, &t), TROVE_EINVAL);
    opts.size = (size_t)1 << 30; /* garbage: not read past the struct */
    CHECK_STATUS(trove_open(&opts, &t), TROVE_EINVAL);
    CHECK(strstr(trove_last_error(), "size") != NULL);

    /* A struct from a newer header: accepted while the fields this library lacks are zero. */
    struct {
        trove_options_t known;
        uint64_t newer_field;
    } newer;
    memset(&newer, 0, sizeof newer);
    trove_options_init(&newer.known);
    newer.known.size = sizeof newer;
    CHECK_STATUS(trove_open(&newer.known, &t), TROVE_OK);
    CHECK_STATUS(trove_close(t), TROVE_OK);
    newer.newer_field = 1;
    CHECK_STATUS(trove_open(&newer.known, &t), TROVE_EINVAL);
    CHECK(strstr(trove_last_error(), "newer") != NULL);

    /* NULL options: all defaults. */
    CHECK_STATUS(trove_open(NULL, &t), TROVE_OK);
    CHECK_STATUS(trove_close(t), TROVE_OK);

    /* Every policy name opens. */
    const char *policies[] = {"lru", "s3fifo", "wtinylfu", "adaptive"};
    for (size_t i = 0; i < 4; i++) {
        trove_options_init(&opts);
        opts.policy = policies[i];
        CHECK_STATUS(trove_open(&opts, &t), TROVE_OK);
        CHECK_STATUS(trove_put(t, "k", 1, "v", 1, 0), TROVE_OK);
        CHECK_STATUS(trove_close(t), TROVE_OK);
    }

    /* A program built against an older header passes a shorter struct: only size and capacity. */
    struct { size_t size; uint64_t capacity_bytes; } old = {16, 4u << 20};
    CHECK_STATUS(trove_open((const trove_options_t *)&old, &t), TROVE_OK);
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.capacity_bytes == (4u << 20));
    CHECK_STATUS(trove_close(t), TROVE_OK);
}

static void test_round_trip(void) {
    trove_t *t = open_default(8u << 20);
    char buf[256];
    size_t len = 999;
    CHECK_STATUS(trove_get(t, "missing", 7, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_put(t, "hello", 5, "world", 5, 0), TROVE_OK);
    CHECK_STATUS(trove_get(t, "hello", 5, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 5 && memcmp(buf, "world", 5) == 0);
    CHECK_STATUS(trove_contains(t, "hello", 5), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "nope", 4), TROVE_NOT_FOUND);

    /* Overwrite with the same and with a different length. */
    CHECK_STATUS(trove_put(t, "hello", 5, "WORLD", 5, 0), TROVE_OK);
    CHECK_STATUS(trove_get(t, "hello", 5, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 5 && memcmp(buf, "WORLD", 5) == 0);
    CHECK_STATUS(trove_put(t, "hello", 5, "a longer value", 14, 0), TROVE_OK);
    CHECK_STATUS(trove_get(t, "hello", 5, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 14 && memcmp(buf, "a longer value", 14) == 0);

    /* Too small a buffer: the needed length, nothing copied. */
    memset(buf, 'x', sizeof buf);
    CHECK_STATUS(trove_get(t, "hello", 5, buf, 4, &len), TROVE_EBUFSIZE);
    CHECK(len == 14 && buf[0] == 'x');
    CHECK_STATUS(trove_get(t, "hello", 5, NULL, 0, &len), TROVE_EBUFSIZE);
    CHECK(len == 14);

    /* Empty values are values. */
    CHECK_STATUS(trove_put(t, "empty", 5, NULL, 0, 0), TROVE_OK);
    CHECK_STATUS(trove_get(t, "empty", 5, NULL, 0, &len), TROVE_OK);
    CHECK(len == 0);

    /* Binary keys with embedded zeros are distinct keys. */
    CHECK_STATUS(trove_put(t, "a\0b", 3, "1", 1, 0), TROVE_OK);
    CHECK_STATUS(trove_put(t, "a\0c", 3, "2", 1, 0), TROVE_OK);
    CHECK_STATUS(trove_get(t, "a\0b", 3, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 1 && buf[0] == '1');

    CHECK_STATUS(trove_delete(t, "hello", 5), TROVE_OK);
    CHECK_STATUS(trove_delete(t, "hello", 5), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_get(t, "hello", 5, buf, sizeof buf, &len), TROVE_NOT_FOUND);

    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.puts == 6 && stats.deletes == 1 && stats.items == 3);
    CHECK(stats.hits >= 5 && stats.misses >= 2);
    CHECK(stats.memory_bytes <= stats.capacity_bytes && stats.segment_size >= 65536);

    /* A shorter stats struct from an older header gets its prefix only. */
    uint64_t prefix[3] = {0, 0, 0xDEAD};
    CHECK_STATUS(trove_stats(t, (trove_stats_t *)prefix, 2 * sizeof(uint64_t)), TROVE_OK);
    CHECK(prefix[0] == stats.hits && prefix[2] == 0xDEAD);

    CHECK_STATUS(trove_clear(t), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "empty", 5), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_flush(t), TROVE_OK);
    CHECK_STATUS(trove_close(t), TROVE_OK);
}

static void test_bad_input(void) {
    trove_t *t = open_default(4u << 20);
    char buf[16];
    size_t len = 0;
    static char big_key[1025];
    memset(big_key, 'k', sizeof big_key);

    CHECK_STATUS(trove_put(NULL, "k", 1, "v", 1, 0), TROVE_EINVAL);
    CHECK_STATUS(trove_put(t, NULL, 1, "v", 1, 0), TROVE_EINVAL);
    CHECK_STATUS(trove_put(t, "k", 0, "v", 1, 0), TROVE_EINVAL);
    CHECK_STATUS(trove_put(t, "k", 1, NULL, 5, 0), TROVE_EINVAL);
    CHECK_STATUS(trove_put(t, big_key, 1025, "v", 1, 0), TROVE_ETOOBIG);
    CHECK(strstr(trove_last_error(), "trove_put") != NULL);
    CHECK_STATUS(trove_put(t, big_key, 1024, "v", 1, 0), TROVE_OK);
    CHECK_STATUS(trove_put(t, "k", 1, "v", (size_t)-1, 0), TROVE_ETOOBIG);

    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    size_t too_big = stats.segment_size;
    char *huge = malloc(too_big);
    CHECK(huge != NULL);
    memset(huge, 'v', too_big);
    CHECK_STATUS(trove_put(t, "k", 1, huge, too_big, 0), TROVE_ETOOBIG);
    CHECK_STATUS(trove_put(t, "k", 1, huge, too_big - 64, 0), TROVE_OK);
    free(huge);

    CHECK_STATUS(trove_get(NULL, "k", 1, buf, sizeof buf, &len), TROVE_EINVAL);
    CHECK_STATUS(trove_get(t, NULL, 1, buf, sizeof buf, &len), TROVE_EINVAL);
    CHECK_STATUS(trove_get(t, "k", 1, NULL, 5, &len), TROVE_EINVAL);
    CHECK_STATUS(trove_get(t, "k", 1, buf, sizeof buf, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_get(t, big_key, 1025, buf, sizeof buf, &len), TROVE_ETOOBIG);
    CHECK_STATUS(trove_delete(t, NULL, 3), TROVE_EINVAL);
    CHECK_STATUS(trove_delete(t, "k", 0), TROVE_EINVAL);
    CHECK_STATUS(trove_contains(t, NULL, 2), TROVE_EINVAL);
    CHECK_STATUS(trove_contains(NULL, "k", 1), TROVE_EINVAL);
    CHECK_STATUS(trove_stats(t, NULL, sizeof stats), TROVE_EINVAL);
    CHECK_STATUS(trove_stats(NULL, &stats, sizeof stats), TROVE_EINVAL);
    CHECK_STATUS(trove_clear(NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_flush(NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_close(NULL), TROVE_EINVAL);

    /* None of that lost the entry stored before. */
    CHECK_STATUS(trove_get(t, big_key, 1024, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 1 && buf[0] == 'v');
    CHECK_STATUS(trove_close(t), TROVE_OK);
}

static void test_closed_and_stale_handles(void) {
    trove_t *t = open_default(2u << 20);
    CHECK_STATUS(trove_put(t, "k", 1, "v", 1, 0), TROVE_OK);
    CHECK_STATUS(trove_close(t), TROVE_OK);
    char buf[8];
    size_t len;
    trove_stats_t stats;
    CHECK_STATUS(trove_close(t), TROVE_ECLOSED);
    CHECK_STATUS(trove_put(t, "k", 1, "v", 1, 0), TROVE_ECLOSED);
    CHECK_STATUS(trove_get(t, "k", 1, buf, sizeof buf, &len), TROVE_ECLOSED);
    CHECK_STATUS(trove_delete(t, "k", 1), TROVE_ECLOSED);
    CHECK_STATUS(trove_contains(t, "k", 1), TROVE_ECLOSED);
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_ECLOSED);
    CHECK_STATUS(trove_clear(t), TROVE_ECLOSED);
    CHECK_STATUS(trove_flush(t), TROVE_ECLOSED);
    CHECK(strstr(trove_last_error(), "closed") != NULL);

    /* A new cache never answers to the old handle. */
    trove_t *u = open_default(2u << 20);
    CHECK(u != t);
    CHECK_STATUS(trove_put(u, "k", 1, "new", 3, 0), TROVE_OK);
    CHECK_STATUS(trove_get(t, "k", 1, buf, sizeof buf, &len), TROVE_ECLOSED);
    /* A made-up handle is refused, not dereferenced. */
    CHECK_STATUS(trove_get((trove_t *)(uintptr_t)0xDEADBEEF0ull, "k", 1, buf, sizeof buf, &len), TROVE_ECLOSED);
    CHECK_STATUS(trove_close(u), TROVE_OK);
}

static void test_ttl(void) {
    trove_t *t = open_default(2u << 20);
    trove_stats_t stats;
    CHECK_STATUS(trove_put(t, "short", 5, "v", 1, 30000), TROVE_OK);
    CHECK_STATUS(trove_put(t, "long", 4, "v", 1, 3600000), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "short", 5), TROVE_OK);
    /* The test clock, not sleeps. Moved 29 s, "short" is still there unless a whole second of
     * real time passed since its put; moved 30 s, it is past its TTL whatever the real clock did. */
    CHECK_STATUS(trove_test_advance_clock_ms(29000), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "short", 5), TROVE_OK);
    CHECK_STATUS(trove_test_advance_clock_ms(1000), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "short", 5), TROVE_NOT_FOUND);
    char buf[4];
    size_t len = 0;
    CHECK_STATUS(trove_get(t, "short", 5, buf, sizeof buf, &len), TROVE_NOT_FOUND); /* and removes it */
    CHECK_STATUS(trove_contains(t, "long", 4), TROVE_OK);
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.expirations == 1 && stats.items == 1);
    /* An entry put after the move expires by the moved clock too. */
    CHECK_STATUS(trove_put(t, "later", 5, "v", 1, 1000), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "later", 5), TROVE_OK);
    CHECK_STATUS(trove_test_advance_clock_ms(1000), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "later", 5), TROVE_NOT_FOUND);
    /* Over a year at once is refused, and moves nothing. */
    CHECK_STATUS(trove_test_advance_clock_ms(366ull * 24 * 3600 * 1000), TROVE_EINVAL);
    CHECK(strstr(trove_last_error(), "trove_test_advance_clock_ms") != NULL);
    CHECK_STATUS(trove_contains(t, "long", 4), TROVE_OK);
    CHECK_STATUS(trove_close(t), TROVE_OK);
}

static void test_eviction_keeps_budget(void) {
    trove_t *t = open_default(2u << 20);
    char key[32], value[500];
    memset(value, 'x', sizeof value);
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(key, sizeof key, "key-%d", i);
        CHECK_STATUS(trove_put(t, key, (size_t)n, value, sizeof value, 0), TROVE_OK);
    }
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.memory_bytes <= stats.capacity_bytes);
    CHECK(stats.evictions > 0 && stats.items > 1000);
    CHECK_STATUS(trove_close(t), TROVE_OK);
}

static void test_adaptive_policy_reports_predictions(void) {
    trove_options_t opts;
    trove_options_init(&opts);
    opts.capacity_bytes = 8u << 20;
    opts.max_items = 1000;
    opts.stripes = 1;
    opts.policy = "adaptive";
    trove_t *t = NULL;
    CHECK_STATUS(trove_open(&opts, &t), TROVE_OK);
    char key[32], buf[8];
    size_t len = 0;
    for (int i = 0; i < 100000; i++) {
        /* Every other request goes to a set of 500 keys, the rest to keys seen once. */
        int n = snprintf(key, sizeof key, "key-%d", i % 2 ? i % 500 : i);
        if (trove_get(t, key, (size_t)n, buf, sizeof buf, &len) == TROVE_NOT_FOUND) {
            CHECK_STATUS(trove_put(t, key, (size_t)n, "v", 1, 0), TROVE_OK);
        }
    }
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.predictions_checked > 1000);
    CHECK(stats.predictions_correct <= stats.predictions_checked);
    CHECK(stats.predictions_reused <= stats.predictions_checked);
    CHECK((double)stats.predictions_correct / (double)stats.predictions_checked > 0.8);
    CHECK_STATUS(trove_close(t), TROVE_OK);
}

static void test_batch_and_invalidation(void) {
    trove_t *t = open_default(4u << 20);
    char key[32];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(key, sizeof key, "user:%d", i);
        CHECK_STATUS(trove_put(t, key, (size_t)n, key, (size_t)n, 0), TROVE_OK);
    }
    const void *keys[4] = {"user:1", "user:99", "absent", "user:5"};
    size_t key_lens[4] = {6, 7, 6, 6};
    char b0[16], b1[16], b2[16], b3[2];
    void *bufs[4] = {b0, b1, b2, b3};
    size_t caps[4] = {sizeof b0, sizeof b1, sizeof b2, sizeof b3};
    size_t lens[4] = {9, 9, 9, 9};
    int statuses[4];
    CHECK_STATUS(trove_get_many(t, 4, keys, key_lens, bufs, caps, lens, statuses), TROVE_OK);
    CHECK(statuses[0] == TROVE_OK && lens[0] == 6 && memcmp(b0, "user:1", 6) == 0);
    CHECK(statuses[1] == TROVE_OK && lens[1] == 7 && memcmp(b1, "user:99", 7) == 0);
    CHECK(statuses[2] == TROVE_NOT_FOUND);
    CHECK(statuses[3] == TROVE_EBUFSIZE && lens[3] == 6);
    CHECK_STATUS(trove_get_many(t, 0, NULL, NULL, NULL, NULL, NULL, NULL), TROVE_OK);
    CHECK_STATUS(trove_get_many(t, 4, keys, NULL, bufs, caps, lens, statuses), TROVE_EINVAL);
    const void *bad_keys[2] = {NULL, "user:2"};
    size_t bad_lens[2] = {3, 6};
    CHECK_STATUS(trove_get_many(t, 2, bad_keys, bad_lens, bufs, caps, lens, statuses), TROVE_OK);
    CHECK(statuses[0] == TROVE_EINVAL && statuses[1] == TROVE_OK);

    uint64_t removed = 0;
    CHECK_STATUS(trove_invalidate_prefix(t, "user:1", 6, &removed), TROVE_OK);
    CHECK(removed == 11); /* user:1 and user:10 ... user:19 */
    CHECK_STATUS(trove_contains(t, "user:15", 7), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_contains(t, "user:2", 6), TROVE_OK);
    CHECK_STATUS(trove_invalidate_glob(t, "user:[2-3]?", &removed), TROVE_OK);
    CHECK(removed == 20);
    CHECK_STATUS(trove_invalidate_glob(t, "user:[2-3", &removed), TROVE_EINVAL);
    CHECK_STATUS(trove_invalidate_glob(t, NULL, &removed), TROVE_EINVAL);
    CHECK_STATUS(trove_invalidate_prefix(t, NULL, 2, &removed), TROVE_EINVAL);
    CHECK_STATUS(trove_invalidate_prefix(t, "", 0, NULL), TROVE_OK);
    CHECK_STATUS(trove_contains(t, "user:2", 6), TROVE_NOT_FOUND);

    size_t text_len = 0;
    CHECK_STATUS(trove_metrics_text(t, NULL, 0, &text_len), TROVE_EBUFSIZE);
    CHECK(text_len > 100);
    char *text = malloc(text_len + 1);
    CHECK_STATUS(trove_metrics_text(t, text, text_len + 1, &text_len), TROVE_OK);
    CHECK(strlen(text) == text_len && strstr(text, "trove_items 0\n") != NULL);
    free(text);
    CHECK_STATUS(trove_metrics_text(t, NULL, 0, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_close(t), TROVE_OK);
    CHECK_STATUS(trove_get_many(t, 4, keys, key_lens, bufs, caps, lens, statuses), TROVE_ECLOSED);
    CHECK_STATUS(trove_invalidate_prefix(t, "u", 1, &removed), TROVE_ECLOSED);
}

/* trove_put_many and trove_delete_many: a status per entry, as the single calls return them. */
static void test_bulk_writes(void) {
    trove_t *t = open_default(4u << 20);
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    char big[1025];
    memset(big, 'k', sizeof big);
    char *too_big_value = calloc(stats.segment_size, 1);
    CHECK(too_big_value != NULL);
    const void *keys[8] = {"a", "b", "", big, NULL, "c", "a", "d"};
    size_t key_lens[8] = {1, 1, 0, sizeof big, 3, 1, 1, 1};
    const void *values[8] = {"1", "2", "x", "x", "x", too_big_value, "3", NULL};
    size_t value_lens[8] = {1, 1, 1, 1, 1, stats.segment_size, 1, 0};
    int statuses[8];
    CHECK_STATUS(trove_put_many(t, 8, keys, key_lens, values, value_lens, 0, statuses), TROVE_OK);
    CHECK(statuses[0] == TROVE_OK && statuses[1] == TROVE_OK && statuses[6] == TROVE_OK && statuses[7] == TROVE_OK);
    CHECK(statuses[2] == TROVE_EINVAL && statuses[3] == TROVE_ETOOBIG && statuses[4] == TROVE_EINVAL);
    CHECK(statuses[5] == TROVE_ETOOBIG);
    free(too_big_value);
    char buf[16];
    size_t len = 0;
    CHECK_STATUS(trove_get(t, "a", 1, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 1 && buf[0] == '3'); /* the later of the two writes of "a" */
    CHECK_STATUS(trove_get(t, "d", 1, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 0);
    CHECK_STATUS(trove_contains(t, "c", 1), TROVE_NOT_FOUND);

    /* A NULL value with a length, and a length no buffer can have, as trove_put rejects them. */
    const void *odd_values[2] = {NULL, "v"};
    size_t odd_value_lens[2] = {4, SIZE_MAX};
    const void *odd_keys[2] = {"e", "f"};
    size_t odd_key_lens[2] = {1, 1};
    CHECK_STATUS(trove_put_many(t, 2, odd_keys, odd_key_lens, odd_values, odd_value_lens, 0, statuses), TROVE_OK);
    CHECK(statuses[0] == TROVE_EINVAL && statuses[1] == TROVE_ETOOBIG);
    CHECK_STATUS(trove_contains(t, "e", 1), TROVE_NOT_FOUND);

    const void *delete_keys[5] = {"a", "absent", "b", "a", NULL};
    size_t delete_lens[5] = {1, 6, 1, 1, 1};
    CHECK_STATUS(trove_delete_many(t, 5, delete_keys, delete_lens, statuses), TROVE_OK);
    CHECK(statuses[0] == TROVE_OK && statuses[1] == TROVE_NOT_FOUND && statuses[2] == TROVE_OK);
    CHECK(statuses[3] == TROVE_NOT_FOUND && statuses[4] == TROVE_EINVAL);
    CHECK_STATUS(trove_contains(t, "b", 1), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.puts == 4 && stats.deletes == 2 && stats.items == 1);

    /* Call-level errors: NULL arrays with entries, and a closed handle; count 0 is fine. */
    CHECK_STATUS(trove_put_many(t, 0, NULL, NULL, NULL, NULL, 0, NULL), TROVE_OK);
    CHECK_STATUS(trove_delete_many(t, 0, NULL, NULL, NULL), TROVE_OK);
    CHECK_STATUS(trove_put_many(t, 2, keys, key_lens, NULL, value_lens, 0, statuses), TROVE_EINVAL);
    CHECK(strstr(trove_last_error(), "trove_put_many") != NULL);
    CHECK_STATUS(trove_put_many(t, 2, keys, key_lens, values, value_lens, 0, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_delete_many(t, 2, NULL, key_lens, statuses), TROVE_EINVAL);
    CHECK_STATUS(trove_delete_many(t, 2, keys, key_lens, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_put_many(NULL, 2, keys, key_lens, values, value_lens, 0, statuses), TROVE_EINVAL);
    CHECK_STATUS(trove_close(t), TROVE_OK);
    CHECK_STATUS(trove_put_many(t, 2, keys, key_lens, values, value_lens, 0, statuses), TROVE_ECLOSED);
    CHECK_STATUS(trove_delete_many(t, 2, keys, key_lens, statuses), TROVE_ECLOSED);
}

static trove_t *open_disk(const char *dir, uint64_t disk) {
    trove_options_t opts;
    trove_options_init(&opts);
    opts.capacity_bytes = 1u << 20;
    opts.path = dir;
    opts.disk_capacity_bytes = disk;
    trove_t *t = NULL;
    CHECK_STATUS(trove_open(&opts, &t), TROVE_OK);
    return t;
}

static void test_disk_tier(void) {
    char dir[] = "/tmp/trove-abi-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char key[32], value[3000], buf[4096];
    size_t len;
    trove_t *t = open_disk(dir, 32u << 20);
    CHECK_STATUS(trove_disk_error(t, buf, sizeof buf), TROVE_OK);
    CHECK(buf[0] == 0);
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(key, sizeof key, "disk-%d", i);
        memset(value, 'a' + i % 26, sizeof value);
        CHECK_STATUS(trove_put(t, key, (size_t)n, value, sizeof value, 0), TROVE_OK);
    }
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.disk_state == 1 && stats.disk_error == TROVE_OK);
    CHECK(stats.disk_demotions > 1000 && stats.disk_items > 1000);
    CHECK(stats.disk_capacity_bytes == (32u << 20));
    CHECK_STATUS(trove_get(t, "disk-3", 6, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == sizeof value && buf[0] == 'a' + 3 && buf[2999] == 'a' + 3);
    CHECK_STATUS(trove_flush(t), TROVE_OK);
    CHECK_STATUS(trove_close(t), TROVE_OK);

    /* Reopened, every entry is there again. */
    t = open_disk(dir, 32u << 20);
    int found = 0;
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(key, sizeof key, "disk-%d", i);
        if (trove_get(t, key, (size_t)n, buf, sizeof buf, &len) == TROVE_OK && len == sizeof value &&
            buf[0] == 'a' + i % 26)
            found++;
    }
    CHECK(found == 2000);
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.disk_recovered_items == 2000 && stats.disk_hits > 1000);

    /* Another process or handle cannot open the same directory. */
    trove_options_t opts;
    trove_options_init(&opts);
    opts.path = dir;
    opts.disk_capacity_bytes = 32u << 20;
    trove_t *second = NULL;
    CHECK_STATUS(trove_open(&opts, &second), TROVE_EINVAL);
    CHECK(strstr(trove_last_error(), "in use") != NULL);
    CHECK_STATUS(trove_close(t), TROVE_OK);

    /* Another geometry is refused, not misread. */
    opts.disk_capacity_bytes = 64u << 20;
    CHECK_STATUS(trove_open(&opts, &second), TROVE_EFORMAT);
    CHECK(strstr(trove_last_error(), "disk_capacity_bytes") != NULL);
    opts.disk_capacity_bytes = 32u << 20;
    opts.compression_level = 42;
    CHECK_STATUS(trove_open(&opts, &second), TROVE_EINVAL);

    /* A directory that cannot be used leaves a working memory-only cache that says why. */
    char blocked[64];
    snprintf(blocked, sizeof blocked, "%s/trove-cold.manifest/sub", dir);
    trove_t *degraded = open_disk(blocked, 32u << 20);
    CHECK_STATUS(trove_put(degraded, "k", 1, "v", 1, 0), TROVE_OK);
    CHECK_STATUS(trove_get(degraded, "k", 1, buf, sizeof buf, &len), TROVE_OK);
    CHECK_STATUS(trove_disk_error(degraded, buf, sizeof buf), TROVE_EIO);
    CHECK(strstr(buf, "mkdir") != NULL);
    CHECK_STATUS(trove_disk_error(degraded, NULL, 0), TROVE_EIO);
    CHECK_STATUS(trove_stats(degraded, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.disk_state == 2 && stats.disk_error == TROVE_EIO);
    CHECK_STATUS(trove_close(degraded), TROVE_OK);
    CHECK_STATUS(trove_disk_error(NULL, NULL, 0), TROVE_EINVAL);

    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    CHECK(system(command) == 0);
}

enum { HAMMER_KEYS = 2000, HAMMER_THREADS = 4 };

struct worker {
    trove_t *t;
    int id;
    int bad;            /* a failed call, or a value that is not one some worker put for the key */
    int lost;           /* a miss on a key this worker had put */
    long hits;
    unsigned char put[HAMMER_KEYS]; /* the keys this worker has put */
};

/* Whether buf[0..len) is "value-of-K-from-J" for some worker J. */
static int is_value_of(unsigned k, const char *buf, size_t len) {
    for (int j = 0; j < HAMMER_THREADS; j++) {
        char expected[64];
        int m = snprintf(expected, sizeof expected, "value-of-%u-from-%d", k, j);
        if (len == (size_t)m && memcmp(buf, expected, len) == 0) return 1;
    }
    return 0;
}

/*
 * Nothing ever leaves this cache: no deletes, no TTL, and 2000 live entries of about 40 bytes
 * (~100 KB) in a 4 MiB budget, where reclaiming a segment of dead copies packs the few live
 * entries instead of evicting them (test_threads checks evictions == 0 afterwards). So once a
 * worker has put a key, every later get of it by that worker must hit, with a whole value.
 */
static void *hammer(void *arg) {
    struct worker *w = arg;
    char key[32], value[64], buf[64];
    unsigned state = (unsigned)w->id * 2654435761u + 1;
    for (int i = 0; i < 100000; i++) {
        state = state * 1103515245u + 12345u;
        unsigned k = (state >> 8) % HAMMER_KEYS;
        int n = snprintf(key, sizeof key, "k%u", k);
        if ((state >> 28) < 3) {
            int m = snprintf(value, sizeof value, "value-of-%u-from-%d", k, w->id);
            if (trove_put(w->t, key, (size_t)n, value, (size_t)m, 0) != TROVE_OK) w->bad++;
            w->put[k] = 1;
        } else {
            size_t len = 0;
            int rc = trove_get(w->t, key, (size_t)n, buf, sizeof buf, &len);
            if (rc == TROVE_OK) {
                w->hits++;
                if (!is_value_of(k, buf, len)) w->bad++;
            } else if (rc == TROVE_NOT_FOUND) {
                if (w->put[k]) w->lost++;
            } else {
                w->bad++;
            }
        }
    }
    return NULL;
}

static int tagging_loader(void *user_data, const void *key, size_t key_len, trove_load_t *load) {
    (void)user_data;
    (void)key;
    (void)key_len;
    const void *tags[] = {"user:7", "goals:user:7"};
    const size_t lens[] = {6, 12};
    CHECK_STATUS(trove_load_set_tags(load, 9, tags, lens), TROVE_EINVAL);
    CHECK_STATUS(trove_load_set_tags(load, 2, tags, lens), TROVE_OK);
    return trove_load_set(load, "loaded", 6, 0, 0);
}

/* Tags: put, load and invalidate in both tiers, bad input, and a close and reopen. */
static void test_tags(void) {
    char dir[] = "/tmp/trove-abi-tags-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    trove_t *t = open_disk(dir, 32u << 20);
    const void *three[] = {"user:7", "goals:user:7", "dashboard:user:7"};
    const size_t three_lens[] = {6, 12, 16};
    char key[32], value[2000], buf[2048];
    size_t len;
    memset(value, 'v', sizeof value);
    /* 1,000 entries, every tenth tagged, flooding the 1 MiB memory budget onto disk. */
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof key, "goal:%d", i);
        CHECK_STATUS(trove_put_tagged(t, key, (size_t)n, value, sizeof value, 0, i % 10 == 0 ? 3 : 0, three, three_lens),
                     TROVE_OK);
    }
    CHECK_STATUS(trove_get_or_load(t, "loaded:7", 8, tagging_loader, NULL, buf, sizeof buf, &len), TROVE_OK);
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.tags == 3 && stats.tagged_entries == 101 && stats.disk_demotions > 0);

    const void *bad[] = {"ok", NULL};
    const size_t bad_lens[] = {2, 3};
    CHECK_STATUS(trove_put_tagged(t, "k", 1, "v", 1, 0, 2, bad, bad_lens), TROVE_EINVAL);
    CHECK_STATUS(trove_put_tagged(t, "k", 1, "v", 1, 0, 1, NULL, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_put_tagged(t, "k", 1, "v", 1, 0, 9, three, three_lens), TROVE_EINVAL);
    CHECK_STATUS(trove_get(t, "k", 1, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_put_tagged(t, "k", 1, "v", 1, 0, 0, NULL, NULL), TROVE_OK);
    CHECK_STATUS(trove_invalidate_tag(t, NULL, 3, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_invalidate_tag(t, "x", 0, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_invalidate_tag(NULL, "x", 1, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_load_set_tags(NULL, 0, NULL, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_close(t), TROVE_OK);

    /* Reopened: the tags are known again, and an invalidation reaches the entries on disk. */
    t = open_disk(dir, 32u << 20);
    uint64_t removed = 0;
    CHECK_STATUS(trove_invalidate_tag(t, "dashboard:user:7", 16, &removed), TROVE_OK);
    CHECK(removed == 100);
    CHECK_STATUS(trove_invalidate_tag(t, "goals:user:7", 12, &removed), TROVE_OK);
    CHECK(removed == 1); /* the loaded entry, which carried it without "dashboard:user:7" */
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof key, "goal:%d", i);
        CHECK_STATUS(trove_get(t, key, (size_t)n, buf, sizeof buf, &len), i % 10 == 0 ? TROVE_NOT_FOUND : TROVE_OK);
    }
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.tags == 0 && stats.tagged_entries == 0 && stats.tag_invalidations == 2);
    CHECK_STATUS(trove_close(t), TROVE_OK);
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    CHECK(system(command) == 0);
}

static void test_threads(void) {
    trove_t *t = open_default(4u << 20);
    pthread_t threads[HAMMER_THREADS];
    static struct worker workers[HAMMER_THREADS];
    for (int i = 0; i < HAMMER_THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].t = t;
        workers[i].id = i;
        CHECK(pthread_create(&threads[i], NULL, hammer, &workers[i]) == 0);
    }
    uint64_t distinct = 0;
    for (int i = 0; i < HAMMER_THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].bad == 0);
        CHECK(workers[i].lost == 0);
        /* About 13/16 of 100,000 operations are gets, nearly all after the worker's own put of the key. */
        CHECK(workers[i].hits > 50000);
    }
    for (unsigned k = 0; k < HAMMER_KEYS; k++) {
        int put = 0;
        for (int i = 0; i < HAMMER_THREADS; i++) put |= workers[i].put[k];
        distinct += (uint64_t)put;
    }
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.evictions == 0);
    CHECK(stats.items == distinct);
    /* Afterwards every key put by anyone is there, whole, and no other key is. */
    char key[32], buf[64];
    size_t len = 0;
    int wrong = 0;
    for (unsigned k = 0; k < HAMMER_KEYS; k++) {
        int n = snprintf(key, sizeof key, "k%u", k);
        int rc = trove_get(t, key, (size_t)n, buf, sizeof buf, &len);
        int put = 0;
        for (int i = 0; i < HAMMER_THREADS; i++) put |= workers[i].put[k];
        if (put ? rc != TROVE_OK || !is_value_of(k, buf, len) : rc != TROVE_NOT_FOUND) wrong++;
    }
    CHECK(wrong == 0);
    CHECK_STATUS(trove_close(t), TROVE_OK);
}

/*
 * A child forked after a cache (with a disk tier, so with a writer thread) opened: the
 * cache answers TROVE_ECLOSED saying why, closing it returns at once, and the child opens
 * and uses a cache of its own. An alarm turns a hang into a failure.
 */
static void test_fork(void) {
    char dir[] = "/tmp/trove-abi-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    trove_t *t = open_disk(dir, 16u << 20);
    CHECK_STATUS(trove_put(t, "k", 1, "v", 1, 0), TROVE_OK);
    fflush(stdout);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        alarm(30);
        char buf[16];
        size_t len = 0;
        int ok = trove_get(t, "k", 1, buf, sizeof buf, &len) == TROVE_ECLOSED;
        ok = ok && strstr(trove_last_error(), "fork()") != NULL;
        ok = ok && trove_put(t, "k", 1, "w", 1, 0) == TROVE_ECLOSED;
        ok = ok && trove_close(t) == TROVE_OK;
        trove_t *own = NULL;
        ok = ok && trove_open(NULL, &own) == TROVE_OK;
        ok = ok && trove_put(own, "c", 1, "1", 1, 0) == TROVE_OK;
        ok = ok && trove_get(own, "c", 1, buf, sizeof buf, &len) == TROVE_OK && len == 1 && buf[0] == '1';
        ok = ok && trove_close(own) == TROVE_OK;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The parent's cache is untouched. */
    char buf[16];
    size_t len = 0;
    CHECK_STATUS(trove_get(t, "k", 1, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 1 && buf[0] == 'v');
    CHECK_STATUS(trove_close(t), TROVE_OK);
    char command[64];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    CHECK(system(command) == 0);
}

int main(void) {
    test_version_and_strings();
    test_options();
    test_round_trip();
    test_bad_input();
    test_closed_and_stale_handles();
    test_ttl();
    test_eviction_keeps_budget();
    test_adaptive_policy_reports_predictions();
    test_batch_and_invalidation();
    test_bulk_writes();
    test_disk_tier();
    test_tags();
    test_threads();
    test_fork();
    return check_summary("trove C ABI test");
}

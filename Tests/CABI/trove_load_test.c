/*
 * The C ABI's read-through loading: trove_get_or_load and trove_load_set. A 64-thread
 * stampede runs the loader once; a failing loader reaches every waiter and caches
 * nothing; a loader that sets nothing is a miss (remembered with absent_ttl_ms); a loader
 * asking for its own key is refused; trove_load_set refuses pointers that are not loads
 * in progress; a put racing a load wins; refresh-ahead reloads once in the background;
 * statistics count it all.
 *
 * Built by scripts/test.sh with: gcc -Wall -Wextra -Werror -std=c11 -pthread
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trove_check.h"

static trove_t *open_cache(uint64_t absent_ttl_ms) {
    trove_options_t opts;
    trove_options_init(&opts);
    opts.capacity_bytes = 8u << 20;
    opts.absent_ttl_ms = absent_ttl_ms;
    return open_checked(&opts);
}

static uint64_t waiters(trove_t *t) {
    trove_stats_t stats;
    if (trove_stats(t, &stats, sizeof stats) != TROVE_OK) return 0;
    return stats.load_waiters;
}

/* What the loaders below share with their test. */
struct loader_state {
    trove_t *cache;
    atomic_int calls;
    uint64_t wait_for_waiters; /* hold the load until this many callers wait for it */
    int fail;                  /* return this instead of 0 */
    int set_nothing;
    int recursive_status;      /* what asking for the same key from inside the loader returned */
    atomic_int release;        /* for loaders that wait to be released */
    int wait_for_release;
};

static int loader(void *user_data, const void *key, size_t key_len, trove_load_t *load) {
    struct loader_state *state = user_data;
    atomic_fetch_add(&state->calls, 1);
    for (int i = 0; i < 30000 && waiters(state->cache) < state->wait_for_waiters; i++) usleep(1000);
    while (state->wait_for_release && !atomic_load(&state->release)) usleep(100);
    if (state->fail) return state->fail;
    if (state->set_nothing) return 0;
    char value[64];
    int length = snprintf(value, sizeof value, "loaded:%.*s", (int)key_len, (const char *)key);
    return trove_load_set(load, value, (size_t)length, 0, 0) == TROVE_OK ? 0 : 99;
}

/* A thread's call of trove_get_or_load and what it got back. */
struct load_caller {
    trove_t *cache;
    trove_loader_fn loader; /* `loader` when NULL */
    void *user_data;        /* `state` when NULL */
    struct loader_state *state;
    const char *key;
    int status;
    char value[64];
    size_t length;
};

static void *load_thread(void *argument) {
    struct load_caller *c = argument;
    trove_loader_fn function = c->loader != NULL ? c->loader : loader;
    void *user_data = c->user_data != NULL ? c->user_data : c->state;
    c->status = trove_get_or_load(c->cache, c->key, strlen(c->key), function, user_data, c->value, sizeof c->value,
                                  &c->length);
    return NULL;
}

static void run_stampede(trove_t *t, struct loader_state *state, struct load_caller *callers, int count) {
    pthread_t threads[64];
    for (int i = 0; i < count; i++) {
        callers[i] = (struct load_caller){.cache = t, .state = state, .key = "hot"};
        CHECK(pthread_create(&threads[i], NULL, load_thread, &callers[i]) == 0);
    }
    for (int i = 0; i < count; i++) pthread_join(threads[i], NULL);
}

static void test_stampede_loads_once(void) {
    trove_t *t = open_cache(0);
    struct loader_state state = {.cache = t, .wait_for_waiters = 63};
    struct load_caller callers[64];
    run_stampede(t, &state, callers, 64);
    CHECK(atomic_load(&state.calls) == 1);
    for (int i = 0; i < 64; i++) {
        CHECK_STATUS(callers[i].status, TROVE_OK);
        CHECK(callers[i].length == 10 && memcmp(callers[i].value, "loaded:hot", 10) == 0);
    }
    char buf[64];
    size_t len = 0;
    CHECK_STATUS(trove_get(t, "hot", 3, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 10);
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.loads == 1 && stats.load_waiters == 63 && stats.load_failures == 0);
    trove_close(t);
}

static void test_failing_loader_reaches_every_waiter(void) {
    trove_t *t = open_cache(0);
    struct loader_state state = {.cache = t, .wait_for_waiters = 63, .fail = 7};
    struct load_caller callers[64];
    run_stampede(t, &state, callers, 64);
    CHECK(atomic_load(&state.calls) == 1);
    for (int i = 0; i < 64; i++) CHECK_STATUS(callers[i].status, TROVE_ELOADER);
    char buf[64];
    size_t len = 0;
    CHECK_STATUS(trove_get(t, "hot", 3, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    /* Not cached: the next call loads again (and says why it failed). */
    state.wait_for_waiters = 0;
    CHECK_STATUS(trove_get_or_load(t, "hot", 3, loader, &state, buf, sizeof buf, &len), TROVE_ELOADER);
    CHECK(strstr(trove_last_error(), "returned 7") != NULL);
    state.fail = 0;
    CHECK_STATUS(trove_get_or_load(t, "hot", 3, loader, &state, buf, sizeof buf, &len), TROVE_OK);
    CHECK(atomic_load(&state.calls) == 3);
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.loads == 3 && stats.load_failures == 2);
    trove_close(t);
}

static void test_absent_keys(void) {
    char buf[64];
    size_t len = 0;
    trove_t *t = open_cache(0);
    struct loader_state state = {.cache = t, .set_nothing = 1};
    CHECK_STATUS(trove_get_or_load(t, "none", 4, loader, &state, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_get_or_load(t, "none", 4, loader, &state, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    CHECK(atomic_load(&state.calls) == 2);
    trove_close(t);

    t = open_cache(60000);
    state = (struct loader_state){.cache = t, .set_nothing = 1};
    CHECK_STATUS(trove_get_or_load(t, "none", 4, loader, &state, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    CHECK_STATUS(trove_get_or_load(t, "none", 4, loader, &state, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    CHECK(atomic_load(&state.calls) == 1);
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.load_absent_hits == 1);
    /* A write forgets the absence. */
    CHECK_STATUS(trove_put(t, "none", 4, "x", 1, 0), TROVE_OK);
    CHECK_STATUS(trove_delete(t, "none", 4), TROVE_OK);
    CHECK_STATUS(trove_get_or_load(t, "none", 4, loader, &state, buf, sizeof buf, &len), TROVE_NOT_FOUND);
    CHECK(atomic_load(&state.calls) == 2);
    trove_close(t);
}

static int recursive_loader(void *user_data, const void *key, size_t key_len, trove_load_t *load) {
    struct loader_state *state = user_data;
    char buf[64];
    size_t len = 0;
    state->recursive_status = trove_get_or_load(state->cache, key, key_len, loader, state, buf, sizeof buf, &len);
    /* Other keys load normally from inside a loader. */
    CHECK_STATUS(trove_get_or_load(state->cache, "other", 5, loader, state, buf, sizeof buf, &len), TROVE_OK);
    return trove_load_set(load, buf, len, 0, 0);
}

static trove_load_t *kept_load;

static int keeping_loader(void *user_data, const void *key, size_t key_len, trove_load_t *load) {
    (void)user_data;
    (void)key;
    (void)key_len;
    kept_load = load;
    CHECK_STATUS(trove_load_set(load, NULL, 3, 0, 0), TROVE_EINVAL);
    CHECK_STATUS(trove_load_set(load, "v", 1, 5, 5), TROVE_EINVAL); /* refresh_ms must be shorter than ttl_ms */
    CHECK_STATUS(trove_load_set(load, "first", 5, 0, 0), TROVE_OK);
    CHECK_STATUS(trove_load_set(load, "second", 6, 0, 0), TROVE_OK);
    return 0;
}

/* Tries a value as large as a whole segment, which cannot fit with its key and header. */
static int oversized_loader(void *user_data, const void *key, size_t key_len, trove_load_t *load) {
    (void)key;
    (void)key_len;
    size_t segment = *(const size_t *)user_data;
    char *value = calloc(1, segment);
    if (value == NULL) return 1;
    CHECK_STATUS(trove_load_set(load, value, segment, 0, 0), TROVE_ETOOBIG);
    CHECK_STATUS(trove_load_set(load, value, segment / 2, 0, 0), TROVE_OK);
    free(value);
    return 0;
}

static void test_misuse(void) {
    trove_t *t = open_cache(0);
    char buf[64];
    size_t len = 0;
    struct loader_state state = {.cache = t};
    CHECK_STATUS(trove_get_or_load(t, "k", 1, NULL, &state, buf, sizeof buf, &len), TROVE_EINVAL);
    CHECK_STATUS(trove_get_or_load(t, "k", 1, loader, &state, buf, sizeof buf, NULL), TROVE_EINVAL);
    CHECK_STATUS(trove_get_or_load(t, NULL, 1, loader, &state, buf, sizeof buf, &len), TROVE_EINVAL);
    CHECK_STATUS(trove_get_or_load(t, "k", 1, loader, &state, NULL, 8, &len), TROVE_EINVAL);
    CHECK_STATUS(trove_get_or_load(NULL, "k", 1, loader, &state, buf, sizeof buf, &len), TROVE_EINVAL);
    CHECK(atomic_load(&state.calls) == 0);

    /* The second value set wins; after the loader returns, its load is refused. */
    CHECK_STATUS(trove_get_or_load(t, "kept", 4, keeping_loader, NULL, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 6 && memcmp(buf, "second", 6) == 0);
    CHECK_STATUS(trove_load_set(kept_load, "late", 4, 0, 0), TROVE_EINVAL);
    CHECK_STATUS(trove_load_set(NULL, "x", 1, 0, 0), TROVE_EINVAL);
    CHECK_STATUS(trove_load_set((trove_load_t *)buf, "x", 1, 0, 0), TROVE_EINVAL);

    /* A too-small buffer: the length needed, and the value cached for the retry. */
    state = (struct loader_state){.cache = t};
    CHECK_STATUS(trove_get_or_load(t, "small", 5, loader, &state, buf, 2, &len), TROVE_EBUFSIZE);
    CHECK(len == 12);
    CHECK_STATUS(trove_get_or_load(t, "small", 5, loader, &state, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 12 && atomic_load(&state.calls) == 1);

    /* A value that cannot fit a segment is refused by trove_load_set; a smaller one is cached. */
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    size_t segment = stats.segment_size;
    char *large = malloc(segment);
    CHECK(large != NULL);
    CHECK_STATUS(trove_get_or_load(t, "large", 5, oversized_loader, &segment, large, segment, &len), TROVE_OK);
    CHECK(len == segment / 2);
    CHECK_STATUS(trove_get(t, "large", 5, large, segment, &len), TROVE_OK);
    free(large);

    /* Asking for its own key from inside its loader is refused, not a deadlock. */
    state = (struct loader_state){.cache = t};
    CHECK_STATUS(trove_get_or_load(t, "self", 4, recursive_loader, &state, buf, sizeof buf, &len), TROVE_OK);
    CHECK_STATUS(state.recursive_status, TROVE_EINVAL);
    CHECK(len == 12 && memcmp(buf, "loaded:other", 12) == 0);

    trove_close(t);
    CHECK_STATUS(trove_get_or_load(t, "k", 1, loader, &state, buf, sizeof buf, &len), TROVE_ECLOSED);
}

static void test_put_racing_a_load_wins(void) {
    trove_t *t = open_cache(0);
    struct loader_state state = {.cache = t, .wait_for_release = 1};
    struct load_caller r = {.cache = t, .state = &state, .key = "race"};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, load_thread, &r) == 0);
    for (int i = 0; i < 30000 && atomic_load(&state.calls) == 0; i++) usleep(1000);
    CHECK_STATUS(trove_put(t, "race", 4, "put", 3, 0), TROVE_OK);
    atomic_store(&state.release, 1);
    pthread_join(thread, NULL);
    CHECK_STATUS(r.status, TROVE_OK);
    CHECK(r.length == 11 && memcmp(r.value, "loaded:race", 11) == 0);
    char buf[64];
    size_t len = 0;
    CHECK_STATUS(trove_get(t, "race", 4, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 3 && memcmp(buf, "put", 3) == 0);
    trove_close(t);
}

/* A loader for refresh-ahead: version n of the value on its n-th call, held while `held`. */
struct refresh_source {
    atomic_int calls;
    atomic_int held;
    int refused_status; /* what trove_load_set said to a refresh_ms not shorter than ttl_ms */
};

static int refresh_loader(void *user_data, const void *key, size_t key_len, trove_load_t *load) {
    (void)key;
    (void)key_len;
    struct refresh_source *source = user_data;
    int call = atomic_fetch_add(&source->calls, 1) + 1;
    while (atomic_load(&source->held)) usleep(1000);
    source->refused_status = trove_load_set(load, "x", 1, 5000, 5000);
    char value[16];
    int length = snprintf(value, sizeof value, "v%d", call);
    return trove_load_set(load, value, (size_t)length, 40000, 10000) == TROVE_OK ? 0 : 99;
}

/* After refresh_ms, 32 readers get the cached value at once and start one background reload. */
static void test_refresh_ahead(void) {
    trove_t *t = open_cache(0);
    struct refresh_source source = {.refused_status = TROVE_OK};
    char buf[16];
    size_t len = 0;
    CHECK_STATUS(trove_get_or_load(t, "k", 1, refresh_loader, &source, buf, sizeof buf, &len), TROVE_OK);
    CHECK(len == 2 && memcmp(buf, "v1", 2) == 0);
    CHECK_STATUS(source.refused_status, TROVE_EINVAL);
    CHECK_STATUS(trove_test_advance_clock_ms(11000), TROVE_OK);
    atomic_store(&source.held, 1);
    struct load_caller readers[32];
    pthread_t threads[32];
    for (int i = 0; i < 32; i++) {
        readers[i] = (struct load_caller){.cache = t, .loader = refresh_loader, .user_data = &source, .key = "k"};
        CHECK(pthread_create(&threads[i], NULL, load_thread, &readers[i]) == 0);
    }
    /* The reload is still held: every reader returned without waiting for it. */
    for (int i = 0; i < 32; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < 32; i++) {
        CHECK_STATUS(readers[i].status, TROVE_OK);
        CHECK(readers[i].length == 2 && memcmp(readers[i].value, "v1", 2) == 0);
    }
    for (int i = 0; i < 30000 && atomic_load(&source.calls) < 2; i++) usleep(1000);
    CHECK(atomic_load(&source.calls) == 2);
    atomic_store(&source.held, 0);
    for (int i = 0; i < 30000; i++) {
        if (trove_get(t, "k", 1, buf, sizeof buf, &len) == TROVE_OK && len == 2 && memcmp(buf, "v2", 2) == 0) break;
        usleep(1000);
    }
    CHECK(len == 2 && memcmp(buf, "v2", 2) == 0);
    trove_stats_t stats;
    CHECK_STATUS(trove_stats(t, &stats, sizeof stats), TROVE_OK);
    CHECK(stats.refreshes == 1 && stats.refresh_failures == 0 && stats.loads == 2);
    CHECK(atomic_load(&source.calls) == 2);
    trove_close(t);
}

int main(void) {
    test_stampede_loads_once();
    test_failing_loader_reaches_every_waiter();
    test_absent_keys();
    test_misuse();
    test_put_racing_a_load_wins();
    test_refresh_ahead();
    return check_summary("trove_load_test");
}

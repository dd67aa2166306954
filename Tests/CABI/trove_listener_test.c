/*
 * The C ABI's removal listener: each cause arrives with its key, off the caller's thread,
 * in order; trove_close delivers what is queued; NULL removes the listener.
 *
 * Built by scripts/test.sh with: gcc -Wall -Wextra -Werror -std=c11 -pthread
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "trove_check.h"

struct heard {
    pthread_mutex_t lock;
    int count;
    char keys[64][16];
    int causes[64];
    int on_caller_thread;
    pthread_t caller;
};

static void listener(void *user_data, const void *key, size_t key_len, int cause) {
    struct heard *heard = user_data;
    pthread_mutex_lock(&heard->lock);
    if (pthread_equal(pthread_self(), heard->caller)) heard->on_caller_thread++;
    if (heard->count < 64 && key_len < 16) {
        memcpy(heard->keys[heard->count], key, key_len);
        heard->keys[heard->count][key_len] = 0;
        heard->causes[heard->count] = cause;
        heard->count++;
    }
    pthread_mutex_unlock(&heard->lock);
}

int main(void) {
    struct heard heard = {.lock = PTHREAD_MUTEX_INITIALIZER, .caller = pthread_self()};
    trove_t *t = NULL;
    t = open_checked(NULL);
    CHECK(trove_set_removal_listener(NULL, listener, &heard) == TROVE_EINVAL);
    CHECK(trove_set_removal_listener(t, listener, &heard) == TROVE_OK);
    CHECK(trove_put(t, "a", 1, "1", 1, 0) == TROVE_OK);
    CHECK(trove_put(t, "a", 1, "2", 1, 0) == TROVE_OK);
    CHECK(trove_delete(t, "a", 1) == TROVE_OK);
    CHECK(trove_put(t, "p:1", 3, "x", 1, 0) == TROVE_OK);
    CHECK(trove_invalidate_prefix(t, "p:", 2, NULL) == TROVE_OK);
    CHECK(trove_close(t) == TROVE_OK); /* delivers what is queued */
    CHECK(heard.count == 3);
    CHECK(strcmp(heard.keys[0], "a") == 0 && heard.causes[0] == TROVE_REMOVED_REPLACED);
    CHECK(strcmp(heard.keys[1], "a") == 0 && heard.causes[1] == TROVE_REMOVED_DELETED);
    CHECK(strcmp(heard.keys[2], "p:1") == 0 && heard.causes[2] == TROVE_REMOVED_INVALIDATED);
    CHECK(heard.on_caller_thread == 0);
    CHECK(trove_set_removal_listener(t, listener, &heard) == TROVE_ECLOSED);

    /* NULL removes it: nothing more is heard. */
    heard.count = 0;
    t = open_checked(NULL);
    CHECK(trove_set_removal_listener(t, listener, &heard) == TROVE_OK);
    CHECK(trove_set_removal_listener(t, NULL, NULL) == TROVE_OK);
    CHECK(trove_put(t, "b", 1, "1", 1, 0) == TROVE_OK);
    CHECK(trove_delete(t, "b", 1) == TROVE_OK);
    trove_stats_t stats;
    CHECK(trove_stats(t, &stats, sizeof stats) == TROVE_OK);
    CHECK(stats.removals_dropped == 0);
    CHECK(trove_close(t) == TROVE_OK);
    CHECK(heard.count == 0);

    return check_summary("trove_listener_test");
}

/*
 * What the C ABI test programs share: checks that count failures and go on (so one run
 * reports every broken check, not just the first), and the summary that sets the exit
 * status. Each program includes it once, from its single translation unit.
 */
#ifndef TROVE_CHECK_H
#define TROVE_CHECK_H

#include <stdio.h>

#include "trove.h"

static int failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

/* Names the status a call returned, not just that it was wrong. */
#define CHECK_STATUS(expr, want)                                                           \
    do {                                                                                   \
        int got_ = (expr);                                                                 \
        if (got_ != (want)) {                                                              \
            fprintf(stderr, "%s:%d: %s returned %d (%s), wanted %d\n", __FILE__, __LINE__, \
                    #expr, got_, trove_strerror(got_), (want));                            \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* Opens a cache with `opts`, counting a failure (and returning NULL) if it cannot. */
static inline trove_t *open_checked(const trove_options_t *opts) {
    trove_t *t = NULL;
    CHECK_STATUS(trove_open(opts, &t), TROVE_OK);
    CHECK(t != NULL);
    return t;
}

/* The program's exit status: 0 when every check passed, 1 (with the count) otherwise. */
static inline int check_summary(const char *program) {
    if (failures > 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", program, failures);
        return 1;
    }
    printf("%s: all checks passed\n", program);
    return 0;
}

#endif

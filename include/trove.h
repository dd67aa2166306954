/*
 * trove.h - the C interface of Trove, an embedded key-value cache engine.
 *
 * Link with -ltrove (libtrove.so). C11; usable from C++.
 *
 * Conventions
 *   - Every function returns an int status: TROVE_OK (0) on success, TROVE_NOT_FOUND (1)
 *     for a miss, a negative TROVE_E* code on error. trove_strerror() names a code;
 *     trove_last_error() explains the calling thread's last error in a sentence.
 *   - Keys are 1 to 1024 bytes. A value must fit, with its key and a header of at most
 *     14 bytes, in one arena segment (trove_stats_t.segment_size; 1 MiB once
 *     capacity_bytes reaches 512 MiB, at least 64 KiB).
 *   - Values are copied in on put and copied out into the caller's buffer on get; no
 *     pointer into the cache ever escapes.
 *   - Every function is safe to call from any thread, concurrently. NULL pointers, bad
 *     lengths and closed handles return an error code; they never crash the process.
 *   - After trove_close() returns, calls with that handle return TROVE_ECLOSED.
 *     trove_close() waits for calls already running on the handle to finish.
 */
#ifndef TROVE_H
#define TROVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TROVE_VERSION_MAJOR 0
#define TROVE_VERSION_MINOR 1
#define TROVE_VERSION_PATCH 0

/* An open cache. Opaque: obtained from trove_open(), released by trove_close(). */
typedef struct trove trove_t;

/*
 * Options for trove_open(). Always initialize with trove_options_init(), then set the
 * fields you need: the library reads only the first `size` bytes, so a program built
 * against an older header keeps working with a newer library. A larger `size` (a program
 * built against a newer header) is accepted only if every byte past this library's struct
 * is zero, as the kernel's copy_struct_from_user accepts it; otherwise, and for a size
 * below 16 or above 4096, trove_open returns TROVE_EINVAL.
 */
typedef struct trove_options {
    size_t size;                     /* sizeof(trove_options_t), set by trove_options_init */
    uint64_t capacity_bytes;         /* hot-tier memory budget; >= 1 MiB; default 64 MiB */
    uint64_t max_items;              /* 0 = no limit by count; else also evict past this many entries */
    uint32_t stripes;                /* lock stripes, 0 = default (8 per core), else a power of two <= 1024 */
    const char *policy;              /* NULL = default ("s3fifo"); "lru", "s3fifo", "wtinylfu", "adaptive" */
    const char *path;                /* NULL = memory only; else the cold-tier directory,
                                        created 0700 if missing; its files are created 0600
                                        and never opened through a symlink; a directory
                                        writable by every user is refused (TROVE_EINVAL) */
    uint64_t disk_capacity_bytes;    /* cold-tier budget; default 1 GiB */
    uint32_t compression_threshold;  /* values >= this many bytes are compressed on disk; 0 = off; default 1024 */
    int32_t compression_level;       /* zstd level 1..19 for the disk tier; 0 = default (1, the fastest) */
    uint32_t reserved0;              /* padding; leave 0 */
    uint64_t absent_ttl_ms;          /* trove_get_or_load remembers a key its loader found absent this
                                        long (negative caching); 0 = not at all (default) */
} trove_options_t;

/* Status codes. */
enum {
    TROVE_OK = 0,
    TROVE_NOT_FOUND = 1,
    /* errors are negative: */
    TROVE_EINVAL = -1,   /* a NULL pointer, a zero or out-of-range length, an unknown option */
    TROVE_ETOOBIG = -2,  /* key longer than 1024 bytes, or value too large for a segment */
    TROVE_EBUFSIZE = -3, /* the value did not fit the buffer; *value_len holds the size needed */
    TROVE_ECLOSED = -4,  /* the handle was closed */
    TROVE_ENOMEM = -5,   /* no memory could be found or freed for the entry */
    TROVE_EIO = -6,      /* the disk tier failed; the cache keeps serving from memory */
    TROVE_ENOSPC = -7,   /* the disk or the disk budget is full */
    TROVE_EFORMAT = -8,  /* the directory holds another format or geometry, or is corrupted */
    TROVE_ELOADER = -9   /* the loader failed; nothing was cached (trove_get_or_load) */
};

/*
 * Counters and gauges, from trove_stats(). Fields are only ever appended: pass
 * sizeof(trove_stats_t) as out_size and the library fills what both sides know.
 */
typedef struct trove_stats {
    uint64_t hits;           /* gets that found a value */
    uint64_t misses;         /* gets that found nothing (absent, expired) */
    uint64_t puts;           /* successful puts */
    uint64_t deletes;        /* deletes that removed an entry */
    uint64_t evictions;      /* entries the policy removed to make room */
    uint64_t expirations;    /* entries removed because their TTL passed */
    uint64_t reinsertions;   /* entries the policy kept by moving them */
    uint64_t items;          /* entries in memory now */
    uint64_t payload_bytes;  /* key + value bytes of those entries */
    uint64_t memory_bytes;   /* budget in use: arena segments and index tables */
    uint64_t index_bytes;    /* of memory_bytes, index tables and policy metadata */
    uint64_t capacity_bytes; /* the hot-tier budget */
    uint32_t stripes;        /* lock stripes in use */
    uint32_t segment_size;   /* bytes per arena segment: the largest entry */
    /* The disk tier (all zero for a memory-only cache). */
    uint32_t disk_state;             /* 0 = no disk tier, 1 = serving, 2 = out of service (see trove_disk_error) */
    int32_t disk_error;              /* the status that took it out of service, else TROVE_OK */
    uint64_t disk_hits;              /* gets answered from disk */
    uint64_t disk_misses;            /* gets that missed in memory and on disk */
    uint64_t disk_items;             /* entries indexed on disk */
    uint64_t disk_index_bytes;       /* DRAM used by the disk index */
    uint64_t disk_bytes_written;     /* bytes written to disk */
    uint64_t disk_demoted_bytes;     /* key + value bytes sent to disk (write amplification = written / demoted) */
    uint64_t disk_demotions;         /* entries written to disk */
    uint64_t disk_dropped_demotions; /* entries not written because the disk was behind */
    uint64_t disk_checksum_failures; /* records that failed their checksum (answered as misses) */
    uint64_t disk_read_errors;       /* reads that failed with an I/O error */
    uint64_t disk_regions_evicted;   /* regions reclaimed to make room */
    uint64_t disk_promotions;        /* entries copied back into memory after a disk hit */
    uint64_t disk_recovered_items;   /* entries found when the directory was opened */
    uint64_t disk_recovery_ms;       /* time to rebuild the index at open */
    uint64_t disk_capacity_bytes;    /* the disk budget */
    /* The learned policy's reuse predictions (all zero for policies without a model). */
    uint64_t predictions_checked;    /* predictions whose outcome the cache has since observed */
    uint64_t predictions_correct;    /* of those, the ones that were right (accuracy = correct / checked) */
    uint64_t predictions_reused;     /* of those, the entries that were in fact requested again */
    /* Read-through loading (trove_get_or_load). */
    uint64_t loads;                  /* loader calls */
    uint64_t load_failures;          /* of those, the ones that failed (nothing cached) */
    uint64_t load_waiters;           /* misses that waited for another caller's load instead of loading */
    uint64_t load_absent_hits;       /* misses answered from remembered absent keys (absent_ttl_ms) */
    uint64_t load_time_ns;           /* time spent in loaders, in all (the metrics text has a histogram) */
    /* The removal listener (trove_set_removal_listener). */
    uint64_t removals_delivered;     /* notifications the listener received */
    uint64_t removals_dropped;       /* notifications dropped because 4096 were already waiting */
    /* Refresh-ahead (trove_load_set with refresh_ms). */
    uint64_t refreshes;              /* background reloads run (counted in loads too) */
    uint64_t refresh_failures;       /* of those, the ones that failed (the cached value stays until its TTL) */
    /* Tags (trove_put_tagged). */
    uint64_t tag_invalidations;      /* trove_invalidate_tag calls */
    uint64_t tags;                   /* tags carried by at least one entry now */
    uint64_t tagged_entries;         /* entries carrying at least one tag now */
} trove_stats_t;

/* Fills *opts with defaults and sets opts->size. Does nothing if opts is NULL. */
void trove_options_init(trove_options_t *opts);

/*
 * Opens a cache. On success stores the handle in *out and returns TROVE_OK; on error
 * stores NULL and returns TROVE_EINVAL (bad option: see trove_last_error()),
 * TROVE_ENOMEM, TROVE_EIO or TROVE_EFORMAT. opts may be NULL for all defaults.
 *
 * After fork(), the child has none of the cache's threads: in the child, every call on a
 * cache opened before the fork returns TROVE_ECLOSED (saying so), and trove_close of it
 * returns TROVE_OK at once, freeing nothing there; the child opens caches of its own (a
 * fork while another thread opens or closes a cache is not supported).
 */
int trove_open(const trove_options_t *opts, trove_t **out);

/*
 * Closes the cache: memory is written back to the disk tier (if any), then the cache's
 * memory, files, io_uring rings and thread are given back before this returns. Returns
 * TROVE_OK, TROVE_ECLOSED if already closed, or the disk tier's failure (TROVE_EIO, ...).
 */
int trove_close(trove_t *t);

/*
 * Inserts or overwrites key with value, expiring after ttl_ms milliseconds (0 = never).
 * value may be NULL only if value_len is 0. May evict other entries.
 */
int trove_put(trove_t *t, const void *key, size_t key_len,
              const void *value, size_t value_len, uint64_t ttl_ms);

/*
 * Copies key's value into buf (buf_cap bytes). Returns TROVE_OK with *value_len set to
 * the value's length; TROVE_NOT_FOUND; or TROVE_EBUFSIZE with *value_len set to the
 * length needed (nothing copied). buf may be NULL if buf_cap is 0. value_len must not be NULL.
 */
int trove_get(trove_t *t, const void *key, size_t key_len,
              void *buf, size_t buf_cap, size_t *value_len);

/* Removes key. Returns TROVE_OK if it was present, TROVE_NOT_FOUND if not. */
int trove_delete(trove_t *t, const void *key, size_t key_len);

/* TROVE_OK if key is cached and unexpired, else TROVE_NOT_FOUND. Not counted as a hit or miss. */
int trove_contains(trove_t *t, const void *key, size_t key_len);

/* Removes every entry and returns the memory to the OS. */
int trove_clear(trove_t *t);

/* Copies up to out_size bytes of the current statistics into *out. */
int trove_stats(trove_t *t, trove_stats_t *out, size_t out_size);

/*
 * Gets count keys at once: for each i, copies keys[i]'s value into bufs[i] (buf_caps[i]
 * bytes) and sets statuses[i] and value_lens[i] exactly as trove_get would. Returns
 * TROVE_OK when the call itself was valid (look at statuses[] for each key), else an
 * error. With a disk tier, the disk reads of the whole batch are submitted together.
 */
int trove_get_many(trove_t *t, size_t count, const void *const *keys, const size_t *key_lens,
                   void *const *bufs, const size_t *buf_caps, size_t *value_lens, int *statuses);

/*
 * Puts count entries at once, each expiring after ttl_ms (0 = until evicted): for each i,
 * stores values[i] (value_lens[i] bytes) under keys[i] and sets statuses[i] exactly as
 * trove_put would for that entry alone (TROVE_OK, TROVE_ETOOBIG, TROVE_EINVAL, TROVE_ENOMEM,
 * ...); a bad entry does not stop the others. Entries are written in order, so of a key
 * given twice the later value stays. Returns TROVE_OK when the call itself was valid (look
 * at statuses[] for each entry); TROVE_EINVAL for a NULL array with count > 0 (count 0 does
 * nothing and returns TROVE_OK); TROVE_ECLOSED for a closed handle.
 * Cost: the entries are grouped by lock stripe (O(n + stripes)) and each stripe's lock is taken
 * once, so a batch of 100 costs much less than 100 trove_put calls; no allocation up to 32
 * entries, at most two for a larger batch.
 */
int trove_put_many(trove_t *t, size_t count, const void *const *keys, const size_t *key_lens,
                   const void *const *values, const size_t *value_lens, uint64_t ttl_ms,
                   int *statuses);

/*
 * Deletes count keys at once: for each i, removes keys[i] from memory and disk and sets
 * statuses[i] exactly as trove_delete would (TROVE_OK if it was present, TROVE_NOT_FOUND
 * if not, TROVE_EINVAL or TROVE_ETOOBIG for a bad key). Returns as trove_put_many does, and
 * costs what it costs: one lock per stripe; no allocation up to 64 keys, at most two for more.
 */
int trove_delete_many(trove_t *t, size_t count, const void *const *keys,
                      const size_t *key_lens, int *statuses);

/*
 * Removes every entry whose key starts with prefix (every entry if prefix_len is 0) and
 * stores how many in *removed (which may be NULL). Scans the whole index: O(entries).
 */
int trove_invalidate_prefix(trove_t *t, const void *prefix, size_t prefix_len, uint64_t *removed);

/*
 * Removes every entry whose key matches a shell-style pattern over its bytes: '*' any
 * run, '?' one byte, '[a-z]' / '[!a-z]' byte sets, '\' escapes. Stores how many in
 * *removed (may be NULL). TROVE_EINVAL for a malformed pattern. O(entries).
 */
int trove_invalidate_glob(trove_t *t, const char *pattern, uint64_t *removed);

/*
 * Tags: cascading invalidation without a scan.
 *
 * trove_put_tagged is trove_put with the entry carrying tag_count tags (at most 8, each 1
 * to 1024 bytes; tags and tag_lens may be NULL when tag_count is 0), replacing any it
 * carried; a plain trove_put of the key drops them. trove_invalidate_tag removes every
 * entry carrying tag, from memory and disk, and stores how many in *removed (may be
 * NULL): time proportional to those entries, however large the cache. A load that began
 * before it (trove_get_or_load) of such an entry, or whose value carries the tag
 * (trove_load_set_tags), caches nothing. Tags survive trove_close and a reopen of the
 * same path; a process that stops without trove_close loses them, and the next open then
 * empties the disk tier rather than keep entries whose tags it no longer knows.
 * Memory, outside capacity_bytes (trove-bench tags): about 240 bytes per tagged entry with
 * a 16-byte key and two tags, and about 150 bytes per distinct tag. An entry evicted or
 * expired stays listed under its tags until rewritten, invalidated, or swept (when the
 * tagged keys have doubled since the last sweep).
 * Returns what trove_put returns; TROVE_EINVAL for more than 8 tags, an empty or NULL
 * tag, or a tag over 1024 bytes (nothing is written).
 */
int trove_put_tagged(trove_t *t, const void *key, size_t key_len,
                     const void *value, size_t value_len, uint64_t ttl_ms,
                     size_t tag_count, const void *const *tags, const size_t *tag_lens);

/* See trove_put_tagged. TROVE_EINVAL for an empty, NULL or over-1024-byte tag. */
int trove_invalidate_tag(trove_t *t, const void *tag, size_t tag_len, uint64_t *removed);

/*
 * Writes the statistics in the Prometheus text format (NUL-terminated) into buf and the
 * text's length (without the NUL) into *text_len; TROVE_EBUFSIZE if buf_cap is not more
 * than that length (buf may be NULL with buf_cap 0 to ask for the length).
 */
int trove_metrics_text(trove_t *t, char *buf, size_t buf_cap, size_t *text_len);

/* Makes everything written so far durable (the disk tier); a memory-only cache returns TROVE_OK. */
int trove_flush(trove_t *t);

/*
 * The disk tier's health: TROVE_OK if it is serving (or there is none), else the status
 * that took it out of service (TROVE_ENOSPC, TROVE_EIO, ...) with a sentence saying why
 * written to buf (NUL-terminated, truncated to buf_cap; buf may be NULL). While out of
 * service the cache keeps serving from memory.
 */
int trove_disk_error(trove_t *t, char *buf, size_t buf_cap);

/* A static, human-readable name for a status code ("TROVE_ENOMEM: out of memory ..."). Never NULL. */
const char *trove_strerror(int code);

/*
 * The calling thread's last error, as a sentence saying what went wrong and what to do,
 * or "" if none. Valid until the thread's next trove call that fails.
 */
const char *trove_last_error(void);

/*
 * Read-through loading (cache-aside without stampedes).
 *
 * trove_get_or_load answers from the cache like trove_get; on a miss it calls
 * loader(user_data, key, key_len, load), which looks the value up (in a database, say) and
 * hands it back with trove_load_set before returning 0. Concurrent misses of one key, from
 * any threads, call the loader once: the other callers wait (blocking, without spinning)
 * and get its result. The value is cached with the TTL given to trove_load_set, unless the
 * key was put, deleted or invalidated (trove_invalidate_prefix/_glob, trove_clear) after
 * the load began: then the write wins and the loaded value is returned but not cached.
 *
 * Returns TROVE_OK with the value in buf (cached or just loaded); TROVE_NOT_FOUND if the
 * loader returned 0 without setting a value (nothing is cached, unless absent_ttl_ms
 * remembers the key as absent); TROVE_ELOADER if the loader returned non-zero: every
 * waiter gets it, nothing is cached, and the next call loads again; TROVE_EBUFSIZE with
 * *value_len set to the length needed (a loaded value is cached all the same, so a retry
 * with a larger buffer hits); TROVE_EINVAL for a NULL loader or value_len, or when waiting
 * could never end: a loader asking for its own key (directly, on its thread), or a wait
 * that would close a cycle of loaders waiting for each other across threads.
 * A loader may call any trove function, including trove_get_or_load of other keys.
 * Cost: a hit costs what trove_get costs; a miss adds one lookup under a lock.
 */
typedef struct trove_load trove_load_t; /* handed to a loader, valid during the call only */
typedef int (*trove_loader_fn)(void *user_data, const void *key, size_t key_len,
                               trove_load_t *load); /* 0 = ok (set a value or not), else failed */

/*
 * Sets the value a loader found, to be cached for ttl_ms milliseconds (0 = until evicted).
 * refresh_ms > 0 asks for refresh-ahead: once refresh_ms have passed, the first
 * trove_get_or_load that hits the value returns it at once and starts one background
 * reload through its own loader and user_data, called later from a thread of the
 * library's own (so both must stay valid until trove_close); every other reader keeps
 * getting the cached value, a trove_get never reloads. A reload that sets a value replaces
 * it (with the reload's ttl_ms and refresh_ms); one that fails keeps it until its TTL and
 * is tried again refresh_ms later (trove_stats_t.refresh_failures); one that sets nothing
 * removes it. A put, delete or invalidation of the key cancels the refresh. refresh_ms
 * must be shorter than a non-zero ttl_ms (else TROVE_EINVAL). trove_close waits for a
 * reload in progress.
 * Callable only while the loader that received `load` runs (from any thread); a later
 * call, or a pointer that is not such a load, returns TROVE_EINVAL. Calling it twice keeps
 * the second value. Returns TROVE_OK; TROVE_EINVAL for a NULL load or a NULL value with a
 * non-zero length; TROVE_ETOOBIG for a value larger than an arena segment can hold
 * (trove_stats_t.segment_size): nothing is set, and the loader may set another value.
 */
int trove_load_set(trove_load_t *load, const void *value, size_t value_len,
                   uint64_t ttl_ms, uint64_t refresh_ms);

int trove_get_or_load(trove_t *t, const void *key, size_t key_len,
                      trove_loader_fn loader, void *user_data,
                      void *buf, size_t buf_cap, size_t *value_len);

/*
 * Sets the tags the value a loader sets with trove_load_set carries (see
 * trove_put_tagged); like trove_load_set, callable only while the loader runs, and the
 * second call replaces the first. The value is not cached if one of its tags is
 * invalidated while the loader runs. Returns TROVE_OK, or TROVE_EINVAL for a load that
 * is not running, more than 8 tags, or an empty, NULL or over-1024-byte tag.
 */
int trove_load_set_tags(trove_load_t *load, size_t tag_count, const void *const *tags, const size_t *tag_lens);

/*
 * The removal listener: told the key of every entry that leaves the cache, and why.
 *
 * listener(user_data, key, key_len, cause) runs on a thread of the library's own, never
 * with a cache lock held, so it may call trove functions (a trove_close of this cache from
 * inside it deadlocks). key is valid during the call only. Notifications arrive one at a
 * time, in the order the cache queued them, at most once; when 4096 are waiting, more
 * are dropped (counted in trove_stats_t.removals_dropped): a put or an eviction never
 * waits for the listener. trove_close delivers what is queued before it returns.
 * For TROVE_REMOVED_DROPPED_FROM_DISK the disk tier reads each region back before it evicts
 * it, while a listener is set (as many bytes read from disk as written); while its writer
 * is behind, it skips that and counts the region's notifications in removals_dropped.
 */
enum {
    TROVE_REMOVED_EVICTED = 1,        /* the policy made room (and it did not go to disk) */
    TROVE_REMOVED_EXPIRED,            /* its TTL passed */
    TROVE_REMOVED_DELETED,            /* trove_delete or trove_delete_many */
    TROVE_REMOVED_REPLACED,           /* a put overwrote it */
    TROVE_REMOVED_INVALIDATED,        /* trove_invalidate_prefix / _glob, trove_clear */
    TROVE_REMOVED_DEMOTED,            /* moved from memory to the disk tier */
    TROVE_REMOVED_DROPPED_FROM_DISK   /* its region was evicted from the disk tier */
};
typedef void (*trove_removal_fn)(void *user_data, const void *key, size_t key_len, int cause);

/*
 * Sets the removal listener (replacing any), or removes it when listener is NULL (queued
 * notifications are then dropped). Returns TROVE_OK, TROVE_ENOMEM if the delivery thread
 * cannot start, or TROVE_EINVAL / TROVE_ECLOSED for a bad handle.
 */
int trove_set_removal_listener(trove_t *t, trove_removal_fn listener, void *user_data);

/* The library's version: major << 16 | minor << 8 | patch. */
uint32_t trove_version(void);

/*
 * TEST ONLY: moves the clock that TTLs are checked against forward by `milliseconds`, for
 * every cache in the process, so a test sees an entry expire without sleeping (entries put
 * after the call expire by the moved clock too). Never call it outside tests: it shortens
 * every TTL in the process and cannot be undone. Safe from any thread. Returns TROVE_OK, or
 * TROVE_EINVAL if `milliseconds` is over a year or the clock would be over ten years ahead.
 */
int trove_test_advance_clock_ms(uint64_t milliseconds);

#ifdef __cplusplus
}
#endif

#endif /* TROVE_H */

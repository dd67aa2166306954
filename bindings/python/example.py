"""Trove from Python: run with `python bindings/python/example.py` after installing the package."""

import trove

with trove.Cache(capacity_bytes=64 << 20) as cache:  # 64 MiB for entries and index
    cache.put("user:42", b"Ada Lovelace", ttl=60)  # expires after 60 s
    cache["user:43"] = b"Grace Hopper"
    print("user:42 =", cache.get("user:42").decode())
    print(cache.get_many(["user:42", "user:43", "user:44"]))
    print(cache.invalidate_prefix("user:"), "entries invalidated")

    def load_user(key: bytes) -> bytes | None:  # on a miss: from the database, say; None if absent
        return b"Katherine Johnson" if key == b"user:44" else None

    print(cache.get_or_load("user:44", load_user, ttl=60))  # loaded once, however many threads miss it

    @trove.cached(cache, ttl=300)
    def slow_square(n: int) -> int:
        return n * n

    print(slow_square(12), slow_square(12))  # the second call is served from the cache
    stats = cache.stats()
    print(f"hit ratio {stats.hit_ratio:.2f}, {stats.items} items, {stats.memory_bytes} bytes in use")

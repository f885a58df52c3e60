"""The journal on disk: layout, atomic writes, reading entry files, the lock and the cache."""

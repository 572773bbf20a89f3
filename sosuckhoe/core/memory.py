"""What a long-lived process does once it has loaded what it keeps."""

import gc

# Allocations between two collections of the youngest generation (Python's default: 700),
# then how many of those between two of the next, and of the oldest. A chunk of an import or
# a batch of doses allocates hundreds of thousands of objects that their references free as
# soon as the chunk is done; collected every 700 allocations, the survivors of the moment were
# walked again and again: 11 % of an import's Python with the defaults, none with these.
COLLECTION_THRESHOLDS = (50_000, 10, 10)


def loaded_frozen() -> None:
    """Move every object alive now out of the collector's sight, and let it run less often.
    What a worker, a job or a command has loaded (code, settings, URLconf, reference caches)
    outlives the work: frozen, the collector stops walking it on each full collection that the
    many objects of a batch of doses or of an import's chunk set off (a tenth of their time,
    measured). Collected first, so that no garbage is frozen for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTION_THRESHOLDS)

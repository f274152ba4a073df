"""Garbage collection around long, allocation-heavy steps (used by reports/rendering.py; the
web worker's own policy is in pianozona/runtime.py)."""

import gc
from contextlib import contextmanager

# Full collections after this many collections of the middle generation: in practice never
# during a request or a report's layout (some 70 million allocations).
FULL_COLLECTION_THRESHOLD = 10_000


@contextmanager
def one_full_collection_at_the_end():
    """No full collection inside the block, one when it ends. For a long, allocation-heavy
    step that holds most of what it allocates until it ends, such as WeasyPrint laying out
    a report: with CPython's defaults the Consuntivo 2018's 67 pages triggered 6-7 full
    collections, each walking everything alive in the process and the layout so far (2.9 s
    of 13.1 s, timed with gc.callbacks on a loaded machine); without them the PDF step took
    5 % less than WeasyPrint alone on the same HTML (issue 22). The one collection at the
    end walks only what is left."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)
        gc.collect()

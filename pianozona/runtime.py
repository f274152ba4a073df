"""How a web worker process is set up once Django is loaded (pianozona/wsgi.py, and the bench's
scale workers, which measure what gunicorn serves).

``freeze_startup_objects``: the objects alive after start-up (modules, classes, models, the
URLconf with every view, form and template tag it imports: about 170,000 objects) are moved
out of the garbage collector's sight with ``gc.freeze()``. Otherwise every full collection,
which allocation-heavy pages trigger (the quarterly page allocates some 100,000 objects),
walks them all again: measured on the quarterly page at 60 ambiti, 18 ms of CPU per request
spent collecting and a p95 of 227 ms CPU; frozen, 6.7 ms and 101 ms (issue 22). They are
never garbage: freezing them frees nothing less.

``full_collections_between_requests``: even frozen, a full collection that starts in the
middle of a request walks everything that request holds alive (the quarterly page's forms
and context): 30-40 ms, in about one request in twenty, which is exactly the p95 (measured
at 60 ambiti, 200 requests back to back: p95 90 ms with CPython's defaults, 66 ms with full
collections moved after the response; p50 52 and 54 ms). The young generations still run
during a request (a long import or export keeps collecting its cycles); the full one runs
when the response has been sent (Django's ``request_finished``, fired when gunicorn closes
the response), where nobody waits for it.

What a worker loads on its first requests (compiled templates, modules imported lazily, the
REST framework's cached fields) lives as long as the worker, and every full collection walked
it again: 10-14 ms per request (measured at 60 ambiti, quarterly page, budget-lines list,
cruscotto). After the 10th, 100th and 1000th request the survivors of the collection are
frozen too: 2-4 ms, p50 of the quarterly page 76 -> 63 ms. Only objects alive at those
three moments are frozen; one of them that later became cyclic garbage would stay (freezing
affects only the cycle collector: reference counting still frees everything else).
"""

import gc

from core.garbage_collection import FULL_COLLECTION_THRESHOLD


def freeze_startup_objects():
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import every view now, before the freeze
    gc.collect()
    gc.freeze()


# After these requests the objects surviving the full collection are frozen as well.
FREEZE_AFTER_REQUESTS = (10, 100, 1000)
_served = {"requests": 0}


def _collect(**_kwargs):
    gc.collect()
    _served["requests"] += 1
    if _served["requests"] in FREEZE_AFTER_REQUESTS:
        gc.freeze()


def full_collections_between_requests():
    from django.core.signals import request_finished

    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_THRESHOLD)
    request_finished.connect(_collect, dispatch_uid="pianozona.runtime.full_collection")


def setup_web_worker():
    """Everything a web worker does once, after Django's setup and before its first request."""
    freeze_startup_objects()
    full_collections_between_requests()

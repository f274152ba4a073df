"""How a web worker process is set up once Django is loaded (pianozona/wsgi.py).

``freeze_startup_objects``: the objects alive after start-up (modules, classes, models, the
URLconf with every view, form and template tag it imports: about 170,000 objects) are moved
out of the garbage collector's sight with ``gc.freeze()``. Otherwise every full collection,
which allocation-heavy pages trigger (the quarterly page allocates some 100,000 objects),
walks them all again: measured on the quarterly page at 60 ambiti, 18 ms of CPU per request
spent collecting and a p95 of 227 ms CPU; frozen, 6.7 ms and 101 ms (issue 22). They are
never garbage: freezing them frees nothing less.
"""

import gc


def freeze_startup_objects():
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import every view now, before the freeze
    gc.collect()
    gc.freeze()

"""The web worker's start-up (pianozona/wsgi.py): the objects of start-up are frozen out of the
garbage collector's full collections, and full collections run after a response rather than
in the middle of a request (pianozona/runtime.py, issue 22)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _in_a_new_process(code):
    """Run ``code`` in a fresh interpreter, as a web worker starts (a test process has its
    garbage collector already touched by the suite)."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "pianozona.settings"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, check=True, timeout=120)


def test_the_wsgi_worker_freezes_its_start_up_objects_with_every_view_imported():
    code = ("import gc, sys; import pianozona.wsgi; "
            "print(gc.get_freeze_count(), 'indicators.views' in sys.modules, "
            "'budget.views' in sys.modules)")
    done = _in_a_new_process(code)
    frozen, indicators_views, budget_views = done.stdout.split()
    assert int(frozen) > 50_000
    assert indicators_views == budget_views == "True"


def test_the_wsgi_worker_runs_full_collections_after_the_response_not_during_it():
    code = (
        "import gc; import pianozona.wsgi\n"
        "from django.core.signals import request_finished\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' "
        "and seen.append(info['generation']))\n"
        "junk = [[] for _ in range(300_000)]\n"  # allocations as a heavy page makes
        "during = list(seen); seen.clear()\n"
        "request_finished.send(sender=None)\n"
        "print(gc.get_threshold()[2], 2 in during, seen)\n")
    done = _in_a_new_process(code)
    threshold, full_during, after = done.stdout.split(maxsplit=2)
    assert int(threshold) == 10_000
    assert full_during == "False"  # young collections only while the page is built
    # One full collection once the response is closed (a young one may start beside it).
    assert after.strip().strip("[]").split(", ").count("2") == 1


def test_what_the_first_requests_load_is_frozen_after_the_tenth():
    code = (
        "import gc; import pianozona.wsgi\n"
        "from django.core.signals import request_finished\n"
        "start = gc.get_freeze_count(); cache = []\n"
        "counts = []\n"
        "for _ in range(10):\n"
        "    cache.append({'template': [object() for _ in range(1000)]})\n"  # loaded lazily
        "    request_finished.send(sender=None)\n"
        "    counts.append(gc.get_freeze_count() - start)\n"
        "print(counts[8], counts[9])\n")
    done = _in_a_new_process(code)
    ninth, tenth = (int(n) for n in done.stdout.split())
    assert ninth == 0  # nothing more frozen during the first nine requests
    assert tenth >= 10  # the cache's dicts and lists (object() is not tracked), frozen

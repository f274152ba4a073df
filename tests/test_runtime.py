"""The web worker's start-up (pianozona/wsgi.py): the objects of start-up are frozen out of the
garbage collector's full collections, and full collections run after a response rather than
in the middle of a request (pianozona/runtime.py, issue 22)."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

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


def test_the_pdf_step_runs_no_full_collection_until_it_ends():
    """reports/rendering.render lays out the PDF inside core.garbage_collection's
    one_full_collection_at_the_end: with
    CPython's defaults the Consuntivo's layout triggered 6-7 full collections (some 20 % of
    its time); here none while the layout allocates, one at the end, and the process's own
    thresholds back afterwards."""
    code = (
        "import gc\n"
        "from core.garbage_collection import one_full_collection_at_the_end\n"
        "before = gc.get_threshold()\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' "
        "and seen.append(info['generation']))\n"
        "with one_full_collection_at_the_end():\n"
        "    layout = [[[] for _ in range(10)] for _ in range(100_000)]\n"  # held, as boxes
        "    during = list(seen)\n"
        "print(2 in during, seen[len(during):].count(2), gc.get_threshold() == before)\n")
    assert _in_a_new_process(code).stdout.split() == ["False", "1", "True"]
    # the same allocations without it: full collections during the layout
    code_default = code.replace("with one_full_collection_at_the_end():", "if True:")
    assert _in_a_new_process(code_default).stdout.split()[0] == "True"


def test_render_lays_out_the_pdf_without_full_collections(monkeypatch):
    import gc

    from reports import rendering

    thresholds = []

    def html_to_pdf(html, *, variant):
        thresholds.append(gc.get_threshold()[2])
        return b"%PDF", 1

    monkeypatch.setattr(rendering, "html_to_pdf", html_to_pdf)
    monkeypatch.setattr(rendering, "render_html", lambda data: "<html></html>")
    before = gc.get_threshold()
    rendering.render("consuntivo", None, data=SimpleNamespace(data_version="v"))
    assert thresholds == [10_000]
    assert gc.get_threshold() == before

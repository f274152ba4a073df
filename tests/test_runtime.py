"""The web worker's start-up (pianozona/wsgi.py): the objects of start-up are frozen out of the
garbage collector's full collections (pianozona/runtime.py, issue 22)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wsgi_worker_freezes_its_start_up_objects_with_every_view_imported():
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "pianozona.settings"}
    code = ("import gc, sys; import pianozona.wsgi; "
            "print(gc.get_freeze_count(), 'indicators.views' in sys.modules, "
            "'budget.views' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, check=True, timeout=120)
    frozen, indicators_views, budget_views = done.stdout.split()
    assert int(frozen) > 50_000
    assert indicators_views == budget_views == "True"

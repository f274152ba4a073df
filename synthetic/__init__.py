"""Synthetic national-scale data: ambiti SYN-0001… shaped like the seed documents.

``generate(ambiti=600, years=10, seed=1)`` writes about what a whole country's instance
holds; ``delete_synthetic()`` removes it again without touching the seeds' ambiti.
"""

import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from core import freeze

from .build import AmbitoBuilder, code_of
from .shape import SYNTHETIC_PREFIX, MissingSeeds, measure, summary
from .version import GENERATOR_VERSION
from .writer import Ids, reset_sequences, write

BATCH = 20  # ambiti per transaction: bounded memory, and a failure loses at most one batch

__all__ = ["GENERATOR_VERSION", "SYNTHETIC_PREFIX", "MissingSeeds", "code_of",
           "delete_synthetic", "generate", "synthetic_models"]


def synthetic_models():
    """The tables the generator fills, parents first."""
    from budget.models import BudgetLine, FundingAllocation, FundingChannel, Surplus
    from governance.models import (
        Ambito,
        Body,
        Deliberation,
        Municipality,
        Organisation,
        PopulationFigure,
    )
    from indicators.models import Indicator, Measurement, Milestone
    from objectives.models import Action, Area, Objective, OperatingPlan, Referent, ZonePlan

    return [Ambito, Organisation, Municipality, PopulationFigure, Body, Deliberation,
            FundingChannel, ZonePlan, Area, OperatingPlan, Objective, Action, Referent,
            BudgetLine, Indicator, Measurement, Milestone, FundingAllocation, Surplus]


@dataclass
class Result:
    counts: dict = field(default_factory=dict)  # model label -> rows written
    seconds: float = 0.0
    shape: dict = field(default_factory=dict)


def generate(*, ambiti, years, seed, start_year=2016, first=1, density=1.0, progress=None):
    """Write ``ambiti`` synthetic ambiti (SYN-<first>…) with ``years`` operating plans each."""
    from governance.models import Ambito

    started = time.perf_counter()
    codes = [code_of(i) for i in range(first, first + ambiti)]
    taken = list(Ambito.objects.filter(slug__in=codes).values_list("slug", flat=True)[:3])
    if taken:
        raise ValueError(f"Ambiti sintetici già presenti ({', '.join(taken)}…): "
                         "usa --replace per rigenerarli.")
    shape = measure()
    ids = Ids()
    result = Result(shape=summary(shape))
    order = synthetic_models()
    for batch_start in range(first, first + ambiti, BATCH):
        batch = range(batch_start, min(batch_start + BATCH, first + ambiti))
        rows = {}
        for index in batch:
            AmbitoBuilder(shape=shape, rows=rows, ids=ids, seed=seed, index=index, years=years,
                          start_year=start_year, density=density).build()
        # Whole plans in every state, written as generated.
        with transaction.atomic(), freeze.allow(freeze.LOADING):
            for model in order:
                write(model, rows.get(model, []))
        for model in order:
            label = model._meta.label
            result.counts[label] = result.counts.get(label, 0) + len(rows.get(model, []))
        if progress:
            progress(batch[-1] - first + 1, ambiti)
    reset_sequences(order)
    result.seconds = time.perf_counter() - started
    return result


def delete_synthetic():
    """Remove every synthetic ambito and what hangs on it (one DELETE per table)."""
    from budget.models import Variation
    from governance.models import Ambito, Membership
    from indicators.models import EvaluationCriterion

    synthetic = Ambito.objects.filter(slug__startswith=SYNTHETIC_PREFIX)
    ids = list(synthetic.values_list("pk", flat=True))
    if not ids:
        return 0
    # Children first; users' memberships and anything added by hand on top go too.
    models = [Variation, EvaluationCriterion, Membership, *reversed(synthetic_models()[1:])]
    with transaction.atomic():
        Ambito.objects.filter(pk__in=ids).update(ente_capofila=None)
        for model in models:
            queryset = model.objects.filter(**{f"{model.scope_ambito}__in": ids})
            queryset._raw_delete(connection.alias)
        Ambito.objects.filter(pk__in=ids)._raw_delete(connection.alias)
    return len(ids)

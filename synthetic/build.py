"""Rows of one synthetic ambito, drawn from the seeds' shape with its own random stream.

Each ambito draws from ``Random(f"{seed}:{index}")``: the same seed always gives the same
rows, and ambito SYN-0007 is the same whether 10 or 600 ambiti are generated.
"""

import random
from datetime import date

from .shape import SYNTHETIC_PREFIX

# Italy has about 7,900 Comuni in about 600 ambiti: 13 on average (the two seed ambiti,
# 47 and 48, are among the largest of Lombardy).
MUNICIPALITIES = (5, 21)


def code_of(index):
    return f"{SYNTHETIC_PREFIX}{index:04d}"


def money(cents):
    return f"{cents // 100}.{cents % 100:02d}"


def plan_states(rng, years):
    """Closed years, then the last one or two still open: the mix a real instance holds."""
    states = ["chiuso"] * len(years)
    states[-1] = "approvato" if rng.random() < 0.75 else "bozza"
    if len(years) > 1 and rng.random() < 0.15:
        states[-2] = "approvato"  # consuntivo of last year not yet approved
    return states


class AmbitoBuilder:
    """Appends the rows of one ambito to ``rows`` (model -> list of dicts), ids from ``ids``."""

    def __init__(self, *, shape, rows, ids, seed, index, years, start_year, density):
        self.shape, self.rows, self.ids = shape, rows, ids
        # Not for secrets: a reproducible stream is the point.
        self.rng = random.Random(f"{seed}:{index}")  # noqa: S311
        self.code = code_of(index)
        self.years = list(range(start_year, start_year + years))
        self.density = density
        self.ratios = [r for *_x, r in shape.lines if r is not None] or [1.0]

    def add(self, model, **row):
        row["id"] = self.ids.next(model)
        self.rows.setdefault(model, []).append(row)
        return row["id"]

    def build(self):
        from budget.models import FundingChannel
        from governance.models import Ambito, Body, Municipality, Organisation, PopulationFigure

        rng, code = self.rng, self.code
        ambito = self.ids.next(Ambito)
        capofila = self.ids.next(Organisation)
        municipalities = rng.randint(*MUNICIPALITIES)
        self.rows.setdefault(Ambito, []).append({
            "id": ambito, "slug": code, "name": f"Ambito sintetico {code}",
            "region": "Regione sintetica", "ente_capofila_id": capofila,
            "declared_municipality_count": municipalities,
        })
        self.ambito = ambito
        self.rows.setdefault(Organisation, []).append({
            "id": capofila, "ambito_id": ambito, "name": f"Comune capofila {code}",
            "short_name": code, "kind": "capofila",
        })
        self.organisations = [capofila] + [
            self.add(Organisation, ambito_id=ambito, name=f"{label} {code}", kind=kind)
            for label, kind in (("Azienda consortile", "ente_gestore"), ("ATS", "ats"),
                                ("ASST", "asst"), ("Cooperativa sociale", "terzo_settore"))
        ]
        for k in range(1, municipalities + 1):
            municipality = self.add(
                Municipality, ambito_id=ambito, name=f"Comune {code}-{k:02d}", position=k,
                size_class=rng.choice(self.shape.size_classes) if self.shape.size_classes else "",
            )
            if self.shape.population:
                self.add(PopulationFigure, municipality_id=municipality, year=self.years[0],
                         value=int(rng.choice(self.shape.population) * rng.uniform(0.6, 1.4)))
        self.assembly = self.add(Body, ambito_id=ambito, name="Assemblea dei Sindaci",
                                 kind="assemblea_sindaci", position=1)
        self.add(Body, ambito_id=ambito, name="Ufficio di Piano", kind="ufficio_piano",
                 position=2)
        self.channels = {
            c_code: (self.add(FundingChannel, ambito_id=ambito, code=c_code, name=name,
                              kind=kind, restricted=restricted), name, restricted)
            for c_code, name, kind, restricted in self.shape.channels
        }
        self.acts = 0
        states = plan_states(rng, self.years)
        surplus_cents = 0
        for start in range(0, len(self.years), 3):
            zone_years = self.years[start:start + 3]
            zone_plan, areas = self.zone_plan(zone_years[0])
            for year, state in zip(zone_years, states[start:start + 3], strict=True):
                surplus_cents = self.operating_plan(zone_plan, areas, year, state, surplus_cents)

    def deliberation(self, year, approves, subject):
        from governance.models import Deliberation

        self.acts += 1
        return self.add(Deliberation, ambito_id=self.ambito, body_id=self.assembly,
                        number=f"{self.acts}/{year}", date=date(year, 3, 1 + self.acts % 27),
                        subject=subject, approves=approves)

    def zone_plan(self, start):
        from objectives.models import Area, ZonePlan

        end = start + 2
        act = self.deliberation(start - 1 if start > 2000 else start, "zone_plan",
                                f"Approvazione del Piano di Zona {start}-{end}")
        zone_plan = self.add(
            ZonePlan, ambito_id=self.ambito, title=f"Piano di Zona {start}-{end} – {self.code}",
            start_year=start, end_year=end, nominal_start_year=start, nominal_end_year=end,
            approved_on=date(start - 1, 12, 15), approval_id=act,
        )
        names = sorted(set(self.shape.areas))
        chosen = self.rng.sample(names, min(len(names), self.rng.randint(3, 8))) if names else []
        areas = [self.add(Area, zone_plan_id=zone_plan, code=str(k), name=name, position=k)
                 for k, name in enumerate(chosen, 1)]
        return zone_plan, areas

    def operating_plan(self, zone_plan, areas, year, state, previous_surplus):
        from indicators.periods import QUARTERS
        from objectives.models import OperatingPlan

        rng = self.rng
        approval = closing = None
        if state != "bozza":
            approval = self.deliberation(year, "operating_plan",
                                         f"Approvazione del Piano Operativo {year}")
        if state == "chiuso":
            closing = self.deliberation(year, "consuntivo", f"Approvazione del consuntivo {year}")
        plan = self.add(
            OperatingPlan, zone_plan_id=zone_plan, year=year, state=state, action_numbering="plan",
            title=f"Piano Operativo {year} – {self.code}", approval_id=approval,
            closing_id=closing,
        )
        # Quarters with rilevazioni: all of a year whose plan is out of draft and past, the
        # first two of the year being worked on, none of a draft.
        if state == "bozza":
            quarters = ()
        elif year == self.years[-1]:
            quarters = (1, 2)
        else:
            quarters = QUARTERS
        shape = self.shape
        objectives = int(round(rng.choice(shape.objectives_per_plan) * rng.uniform(0.8, 1.2)))
        action_number = 0
        by_channel, by_channel_actual = {}, {}
        surplus = []
        for number in range(1, max(objectives, 1) + 1):
            objective = self.objective(plan, areas, number)
            for _ in range(rng.choice(shape.actions_per_objective)):
                action_number += 1
                action, preventivo, consuntivo, channel = self.action(
                    objective, action_number, closed=state == "chiuso",
                    by_channel=by_channel, by_channel_actual=by_channel_actual,
                )
                if (state == "chiuso" and preventivo > consuntivo
                        and rng.random() < shape.surplus_per_action):
                    surplus.append((objective, action, channel, preventivo - consuntivo))
            self.indicators(objective, year, quarters)
            self.milestones(objective, year, closed=state == "chiuso")
            self.referents(objective)
        self.allocations(zone_plan, plan, year, "preventivo", by_channel, previous_surplus)
        if state == "chiuso":
            self.allocations(zone_plan, plan, year, "consuntivo", by_channel_actual,
                             previous_surplus)
        return self.surplus(plan, surplus)

    def objective(self, plan, areas, number):
        from objectives.models import Objective

        title, short_title, timing = self.rng.choice(self.shape.objectives)
        return self.add(
            Objective, plan_id=plan, number=number, code=f"OB{number}", title=title,
            short_title=short_title, timing=timing,
            area_id=self.rng.choice(areas) if areas and self.rng.random() < 0.5 else None,
        )

    def action(self, objective, number, *, closed, by_channel, by_channel_actual):
        from budget.models import BudgetLine
        from objectives.models import Action

        rng, shape = self.rng, self.shape
        action = self.add(Action, objective_id=objective, number=number,
                          title=rng.choice(shape.action_titles))
        lines = int(round(rng.choice(shape.lines_per_action) * self.density))
        total_p = total_c = 0
        channels = {}
        for position in range(1, lines + 1):
            item, note, channel_code, cents, ratio = rng.choice(shape.lines)
            preventivo = int(cents * rng.lognormvariate(0, 0.25))
            consuntivo = None
            if closed:
                consuntivo = int(preventivo * (ratio if ratio is not None
                                               else rng.choice(self.ratios)))
                total_c += consuntivo
            total_p += preventivo
            channel = self.channels[channel_code][0] if channel_code else None
            channels[channel] = channels.get(channel, 0) + preventivo
            by_channel[channel] = by_channel.get(channel, 0) + preventivo
            if closed:
                by_channel_actual[channel] = by_channel_actual.get(channel, 0) + consuntivo
            self.add(BudgetLine, action_id=action, item=item, note=note, channel_id=channel,
                     preventivo=money(preventivo),
                     consuntivo=None if consuntivo is None else money(consuntivo),
                     position=position)
        main_channel = max(channels, key=lambda c: (channels[c], c or 0)) if channels else None
        return action, total_p, total_c, main_channel

    def indicators(self, objective, year, quarters):
        from indicators.models import Indicator, Measurement
        from indicators.periods import is_due, quarter_end

        rng, shape = self.rng, self.shape
        pooled = [v for values in shape.values_by_kind.values() for v in values]
        for position in range(1, rng.choice(shape.indicators_per_objective) + 1):
            name, kind, target, periodicity, table_label = rng.choice(shape.indicators)
            indicator = self.add(Indicator, objective_id=objective, name=name, kind=kind,
                                 target=target, periodicity=periodicity,
                                 table_label=table_label, position=position)
            for quarter in quarters:
                period_end = quarter_end(year, quarter)
                if not is_due(periodicity, period_end) or rng.random() > shape.quarter_measured:
                    continue
                state = rng.choice(shape.measurement_states)
                value = None
                if state == "value":
                    value = f"{rng.choice(shape.values_by_kind.get(kind) or pooled):.4f}"
                self.add(Measurement, indicator_id=indicator, period_end=period_end,
                         state=state, value=value)

    def milestones(self, objective, year, *, closed):
        from indicators.models import Milestone, Periodicity

        rng, shape = self.rng, self.shape
        outcomes = shape.milestone_outcomes or ["si"]
        for position in range(1, rng.choice(shape.milestones_per_objective) + 1):
            title, due, periodicity = rng.choice(shape.milestones)
            self.add(
                Milestone, objective_id=objective, title=title, position=position,
                due_date=date(year, *due) if due else None,
                periodicity="" if due else (periodicity or Periodicity.HALF_YEARLY),
                achieved=rng.choice(outcomes) if closed else "",
            )

    def referents(self, objective):
        from objectives.models import Referent

        for position in range(1, self.rng.choice(self.shape.referents_per_objective) + 1):
            name, label = self.rng.choice(self.shape.referents)
            self.add(Referent, objective_id=objective, name=name, organisation_label=label,
                     organisation_id=self.rng.choice(self.organisations), position=position)

    def allocations(self, zone_plan, plan, year, stage, by_channel, surplus_cents):
        from budget.models import FundingAllocation

        position = 0
        if surplus_cents:
            position += 1
            self.add(FundingAllocation, ambito_id=self.ambito, zone_plan_id=zone_plan,
                     operating_plan_id=plan, year=year, stage=stage, kind="avanzo",
                     label=f"Avanzo {year - 1}", restricted=True, amount=money(surplus_cents),
                     position=position)
        names = {cid: (name, restricted) for cid, name, restricted in self.channels.values()}
        for channel in sorted(by_channel, key=lambda c: c or 0):
            position += 1
            name, restricted = names.get(channel, ("Risorse proprie e altre entrate", False))
            # Entrate cover the year's lines (an approved plan needs no scopertura).
            amount = int(by_channel[channel] * self.rng.uniform(1.0, 1.08))
            self.add(FundingAllocation, ambito_id=self.ambito, zone_plan_id=zone_plan,
                     operating_plan_id=plan, year=year, stage=stage, kind="entrata",
                     channel_id=channel, label=name, restricted=restricted,
                     amount=money(amount), position=position)

    def surplus(self, plan, rows):
        from budget.models import Surplus

        total = 0
        for position, (objective, action, channel, cents) in enumerate(rows, 1):
            total += cents
            self.add(Surplus, plan_id=plan, objective_id=objective, action_id=action,
                     description=f"Avanzo azione {position}", channel_id=channel,
                     restricted=self.rng.random() < self.shape.surplus_restricted,
                     amount=money(cents), position=position)
        return total

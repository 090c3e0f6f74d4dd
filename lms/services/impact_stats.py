"""Training impact: did completing a unit move a KPI? Pure statistics, standard library only.

Method (difference-in-differences, DiD, over agents):
- A KPI over a window is a ratio of sums (Σ numerator / Σ denominator over its days), never a
  mean of daily ratios.
- Trained agent i, completed on c: before = [c-N, c-1], after = [c+1, c+N] (N = window_days;
  the completion day is left out). Used only if both windows have >= min_denominator
  contacts/responses; its change d_i = after - before.
- Controls of i: agents not trained by c+N, hired before c-N, in i's tenure band at c (whole
  months since hire, bands cut at tenure_bands_months), with both windows, on the same calendar
  dates, over min_denominator. Agent i's DiD = d_i - mean of its controls' changes; i is dropped
  without a control. Effect = mean DiD over the treated agents used.
- CI at `confidence`: percentile bootstrap over agents. Each resample draws the treated agents
  and, independently, the control agents with replacement; a drawn control counts with its
  multiplicity in every counterfactual mean it belongs to; a treated agent none of whose
  controls was drawn is skipped in that resample. Seeded random.Random: deterministic.
- Pre-trend (placebo) check: period k = 1..pre_periods runs the same DiD, for the treated agents
  of the real estimate, on earlier windows around the pseudo-date e = c - k(N+1):
  before = [e-N, e-1], after = [e+1, e+N]. Period 1's "after" is the real "before" window and
  period k's "before" is period k+1's "after": consecutive N-day windows, each skipping one
  pseudo-completion day as the real comparison does. Controls are, as for the real estimate,
  agents not trained by c+N (so never the treated agent or its same-day peers), hired before
  e-N, in i's tenure band at e, with both placebo windows over min_denominator. Each placebo CI
  is at the Bonferroni level 1 - (1-confidence)/pre_periods; the check passes when every
  computable placebo CI covers 0, and is None with fewer than pre_periods//2 computable ones.
- Not enough data: fewer than min_n treated or min_n control agents used.
Speed: every agent's window sums are precomputed once (prefix sums); designs and bootstrap
resamples then work on per-agent changes only.
"""
from __future__ import annotations

import calendar
import math
import random
import struct
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate, islice
from operator import itemgetter, sub

NO_VALUE = math.nan  # a window below min_denominator; a cohort without a control in a resample
MIN_PACKED_VALUE_BITS = 24  # fixed-point precision of a control's change in the bootstrap


@dataclass(frozen=True)
class AgentSeries:
    agent_id: int
    hire_date: date
    trained_on: date | None  # the day the agent completed the unit; None: not trained (yet)
    days: dict[date, tuple[float, float]]  # per day: (numerator, denominator) of the KPI


@dataclass(frozen=True)
class ImpactSettings:
    window_days: int = 28  # N days before vs N days after completion (completion day excluded)
    pre_periods: int = 4  # placebo periods checked before the pre window (>= 4)
    min_denominator: int = 20  # an agent's window with fewer contacts/responses is not used
    min_n: int = 10  # fewer treated (or fewer control) agents: not enough data
    tenure_bands_months: tuple[int, ...] = (3, 12)  # band edges, tenure at the completion date
    bootstrap: int = 1000
    seed: int = 2026
    confidence: float = 0.95

    def __post_init__(self):
        if self.window_days < 1 or self.pre_periods < 4 or self.bootstrap < 1 or self.min_n < 1:
            raise ValueError("window_days, bootstrap and min_n must be >= 1, pre_periods >= 4")
        if not 0 < self.confidence < 1:
            raise ValueError("confidence must be between 0 and 1")
        edges = self.tenure_bands_months
        if any(m <= 0 for m in edges) or list(edges) != sorted(set(edges)):
            raise ValueError("tenure_bands_months must be increasing positive month counts")


@dataclass
class ImpactResult:
    enough_data: bool
    reason: str | None  # why not enough data (English, short), else None
    effect: float | None  # DiD estimate in KPI units (fraction for rates, seconds for AHT)
    ci_low: float | None
    ci_high: float | None
    n_treated: int
    n_control: int
    pre_trend_ok: bool | None  # None when not computable
    placebo: list[dict]  # per period k: period, effect, ci_low, ci_high, n_treated, n_control
    treated_before: float | None  # ratio-of-sums KPI of the treated agents used
    treated_after: float | None
    control_before: float | None  # their controls over the same windows (see _group_values)
    control_after: float | None
    method: str


def ratio_of_sums(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ numerator / Σ denominator: a 2-contact day weighs 2, not as much as a 98-contact day."""
    numerator = denominator = 0.0
    for num, den in pairs:
        numerator += num
        denominator += den
    return numerator / denominator if denominator else None


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clipped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def tenure_band(hire_date: date, on: date, edges: tuple[int, ...]) -> int:
    """0 for tenure below edges[0] whole months, 1 up to edges[1], ..., len(edges) beyond."""
    return sum(hire_date <= months_before(on, m) for m in edges)


class _Windows:
    """Every agent's N-day numerator and denominator sums, indexed by the window's first day.

    Computed once from prefix sums, so any window of any agent is an O(1) look-up. rate[j][s]
    is the window's KPI, NaN below min_denominator: a change involving it is NaN.
    """

    def __init__(self, series: list[AgentSeries], settings: ImpactSettings, first: int, last: int):
        self.origin, self.days = first, settings.window_days
        self.num, self.den, self.rate = [], [], []
        for agent in series:
            num, den = self._rolling(agent.days, last - first + 1)
            self.num.append(num)
            self.den.append(den)
            self.rate.append(array("d", (n / d if d >= settings.min_denominator else NO_VALUE
                                         for n, d in zip(num, den))))

    def _rolling(self, days: dict[date, tuple[float, float]], length: int) -> tuple[array, array]:
        num, den = [0.0] * length, [0.0] * length
        for day, (x, y) in days.items():
            index = day.toordinal() - self.origin
            num[index] += x
            den[index] += y
        n = self.days
        sums = []
        for daily in (num, den):
            prefix = [0.0, *accumulate(daily)]
            sums.append(array("d", map(sub, prefix[n:], prefix)))
        return sums[0], sums[1]

    def change(self, agent: int, event: int) -> float:
        """KPI after minus before the event day (both N-day windows); NaN if either is short."""
        rate = self.rate[agent]
        return rate[event + 1 - self.origin] - rate[event - self.days - self.origin]

    def pooled(self, agents: list[int], start: int) -> tuple[float, float]:
        """Numerator and denominator summed over the agents' windows starting that day."""
        window = itemgetter(start - self.origin)
        return (sum(map(window, map(self.num.__getitem__, agents))),
                sum(map(window, map(self.den.__getitem__, agents))))


@dataclass
class _Design:
    """Treated agents matched to controls for one placement of the windows (real or placebo)."""
    treated: list[int] = field(default_factory=list)  # agent index per treated agent used
    treated_changes: list[float] = field(default_factory=list)
    treated_cohort: list[int] = field(default_factory=list)  # index into cohorts
    cohort_events: list[int] = field(default_factory=list)  # event day (ordinal) per cohort
    cohort_bands: list[int] = field(default_factory=list)  # tenure band per cohort
    cohorts: list[list[tuple[int, float]]] = field(default_factory=list)  # (control, change)
    controls: list[int] = field(default_factory=list)  # agent index per control position


class _Matcher:
    """Builds designs: finds the controls of each (event day, tenure band, completion day)."""

    def __init__(self, series: list[AgentSeries], windows: _Windows, settings: ImpactSettings):
        self.series, self.windows, self.settings = series, windows, settings
        self.by_hire = sorted(range(len(series)), key=lambda j: (series[j].hire_date, series[j].agent_id))
        self.hires = [series[j].hire_date.toordinal() for j in self.by_hire]
        self.trained = [a.trained_on.toordinal() if a.trained_on else math.inf for a in series]
        self.completers = sorted((i for i, a in enumerate(series) if a.trained_on),
                                 key=lambda i: series[i].agent_id)
        self._cache: dict[tuple[int, int, int], list[tuple[int, float]]] = {}

    def design(self, treated: list[int], shift: int = 0) -> _Design:
        """The treated agents (those with data) compared around the day `shift` days before their
        completion (0: the completion day itself, else a placebo), each with its controls."""
        design, cohort_of = _Design(), {}
        for i in treated:
            completed = self.series[i].trained_on.toordinal()
            event = completed - shift
            change = self.windows.change(i, event)
            if change != change:  # NaN: a window below min_denominator
                continue
            key = (event, self._band(self.series[i].hire_date, event), completed)
            if key not in cohort_of:
                controls = self._controls(*key)
                if not controls:
                    continue
                cohort_of[key] = len(design.cohorts)
                design.cohorts.append(controls)
                design.cohort_events.append(event)
                design.cohort_bands.append(key[1])
            design.treated.append(i)
            design.treated_changes.append(change)
            design.treated_cohort.append(cohort_of[key])
        return _renumber_controls(design, self.series)

    def _band(self, hire_date: date, event: int) -> int:
        return tenure_band(hire_date, date.fromordinal(event), self.settings.tenure_bands_months)

    def _controls(self, event: int, band: int, completed: int) -> list[tuple[int, float]]:
        """Agents in the band at the event day, hired before its before window, not trained by the
        end of the real after window (completed + N), with both windows around the event."""
        key = (event, band, completed)
        if key not in self._cache:
            n = self.settings.window_days
            low, high = self._band_positions(event, band)
            high = min(high, bisect_left(self.hires, event - n))
            found = []
            for j in self.by_hire[low:high]:
                if self.trained[j] > completed + n:
                    change = self.windows.change(j, event)
                    if change == change:
                        found.append((j, change))
            self._cache[key] = found
        return self._cache[key]

    def _band_positions(self, event: int, band: int) -> tuple[int, int]:
        """Positions in hire order of the agents in the tenure band at the event day.

        Longer tenure = earlier hire, so "tenure >= m months" is a prefix of the hire order.
        """
        on, edges = date.fromordinal(event), self.settings.tenure_bands_months
        at_least = [bisect_right(self.hires, months_before(on, m).toordinal()) for m in edges]
        bounds = [len(self.hires), *at_least, 0]  # bounds[b] = agents with band >= b
        return bounds[band + 1], bounds[band]


def _renumber_controls(design: _Design, series: list[AgentSeries]) -> _Design:
    """Controls used at least once get positions 0..n-1 (by agent id), the bootstrap's pool."""
    used = sorted({j for cohort in design.cohorts for j, _ in cohort}, key=lambda j: series[j].agent_id)
    position = {j: p for p, j in enumerate(used)}
    design.controls = used
    design.cohorts = [[(position[j], change) for j, change in cohort] for cohort in design.cohorts]
    return design


def _did(design: _Design, treated: Sequence[int], counterfactuals: list[float]) -> float | None:
    """Mean over the given treated agents of change minus counterfactual, skipping those whose
    counterfactual is NaN (no control drawn); None if none is left."""
    differences = map(sub, map(design.treated_changes.__getitem__, treated),
                      map(counterfactuals.__getitem__, map(design.treated_cohort.__getitem__, treated)))
    usable = [d for d in differences if d == d]
    return sum(usable) / len(usable) if usable else None


def _point_estimate(design: _Design) -> float:
    counterfactuals = [sum(c for _, c in cohort) / len(cohort) for cohort in design.cohorts]
    return _did(design, range(len(design.treated)), counterfactuals)


class _PackedCohorts:
    """Mean change of each cohort's drawn controls, for any resample, without a Python loop over
    cohorts x controls: the bootstrap's hot path (2,000 agents x 1,000 resamples x 5 designs).

    Standard-library vectorisation: a control's changes in the cohorts are packed into one big
    integer, a 64-bit slot per cohort holding (change - low) * scale << c | 1 where it is one of
    the cohort's controls, else 0. Adding the integers of the drawn controls (CPython does it in
    C) gives in every slot the sum of their fixed-point changes and, in the low c bits, how many
    were drawn; a slot never carries into the next because at most 2**c - 1 controls are drawn.
    """

    def __init__(self, cohorts: list[list[tuple[int, float]]], n_controls: int):
        changes = [change for cohort in cohorts for _, change in cohort]
        self.low = min(changes)
        self.count_bits = n_controls.bit_length()
        value_bits = 64 - 2 * self.count_bits  # a sum of n_controls values still fits the slot
        if value_bits < MIN_PACKED_VALUE_BITS:
            raise ValueError(f"too many control agents for the bootstrap ({n_controls})")
        self.scale = (2 ** value_bits - 1) / ((max(changes) - self.low) or 1.0)
        layout = struct.Struct(f"<{len(cohorts)}Q")
        self.unpack, self.size = layout.unpack, layout.size
        members = sorted({j for cohort in cohorts for j, _ in cohort})
        position = {j: p for p, j in enumerate(members)}
        columns = []  # per cohort, its slot of every member
        for cohort in cohorts:
            column = [0] * len(members)
            for j, change in cohort:
                column[position[j]] = round((change - self.low) * self.scale) << self.count_bits | 1
            columns.append(column)
        self.packed = {j: int.from_bytes(layout.pack(*slots), "little")
                       for j, slots in zip(members, zip(*columns))}

    def means(self, drawn: list[int]) -> list[float]:
        """Per cohort: mean change of its drawn controls (with multiplicity); NaN: none drawn."""
        total = sum(map(self.packed.__getitem__, filter(self.packed.__contains__, drawn)))
        slots = self.unpack(total.to_bytes(self.size, "little"))
        mask = (1 << self.count_bits) - 1
        return [(slot >> self.count_bits) / self.scale / (slot & mask) + self.low if slot & mask
                else NO_VALUE for slot in slots]


def _draw(rng: random.Random, n: int) -> list[int]:
    """n draws from range(n) with replacement: the numbers rng.choices(range(n), k=n) gives,
    floor(random() * n), computed in C-level iterators (this runs ~10 million times)."""
    return list(map(int, map(float(n).__mul__, islice(iter(rng.random, None), n))))


def _bootstrap(design: _Design, resamples: int, rng: random.Random) -> list[float]:
    """DiD estimates of resamples that drew treated and control agents with replacement."""
    # A cohort's controls are all in its tenure band: packing each band apart skips the zeros.
    bands: dict[int, list[int]] = {}
    for g, band in enumerate(design.cohort_bands):
        bands.setdefault(band, []).append(g)
    n_treated, n_controls = len(design.treated), len(design.controls)
    packs = [(members, _PackedCohorts([design.cohorts[g] for g in members], n_controls))
             for members in bands.values()]
    estimates = []
    for _ in range(resamples):
        drawn_treated = _draw(rng, n_treated)
        drawn_controls = _draw(rng, n_controls)
        counterfactuals = [NO_VALUE] * len(design.cohorts)
        for members, packed in packs:
            for g, mean in zip(members, packed.means(drawn_controls)):
                counterfactuals[g] = mean
        estimate = _did(design, drawn_treated, counterfactuals)
        if estimate is not None:
            estimates.append(estimate)
    return estimates


def _percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _interval(design: _Design, settings: ImpactSettings, level: float,
              seed: int) -> tuple[float | None, float | None]:
    estimates = sorted(_bootstrap(design, settings.bootstrap, random.Random(seed)))
    if not estimates:
        return None, None
    tail = (1 - level) / 2
    return _percentile(estimates, tail), _percentile(estimates, 1 - tail)


def _shortfall(design: _Design, min_n: int) -> str | None:
    """Why the design is too small to estimate, or None."""
    short = [f"{group} agents ({n}, need {min_n})"
             for group, n in (("treated", len(design.treated)), ("control", len(design.controls)))
             if n < min_n]
    return "too few " + " and ".join(short) if short else None


def _group_values(design: _Design, windows: _Windows) -> tuple[float | None, ...]:
    """Ratio-of-sums KPI before and after: the treated agents, then their controls.

    Each treated agent's controls are pooled with weight 1/(its number of controls), so the
    control side weighs every treated agent's comparison group like one agent, as the DiD does.
    """
    treated_by_cohort: list[list[int]] = [[] for _ in design.cohorts]
    for i, cohort in zip(design.treated, design.treated_cohort):
        treated_by_cohort[cohort].append(i)
    sums: dict[tuple[str, str], list[tuple[float, float]]] = {
        (group, window): [] for group in ("treated", "control") for window in ("before", "after")}
    for event, cohort, treated in zip(design.cohort_events, design.cohorts, treated_by_cohort):
        controls = [design.controls[position] for position, _ in cohort]
        weight = len(treated) / len(controls)
        for window, start in (("before", event - windows.days), ("after", event + 1)):
            sums["treated", window].append(windows.pooled(treated, start))
            num, den = windows.pooled(controls, start)
            sums["control", window].append((weight * num, weight * den))
    return tuple(ratio_of_sums(pairs) for pairs in sums.values())


def _placebo_level(settings: ImpactSettings) -> float:
    """Bonferroni: the placebo periods together keep the main interval's error rate."""
    return 1 - (1 - settings.confidence) / settings.pre_periods


def _placebos(matcher: _Matcher, treated: list[int], settings: ImpactSettings) -> list[dict]:
    """The placebo periods of the treated agents of the real estimate."""
    level = _placebo_level(settings)
    placebos = []
    for k in range(1, settings.pre_periods + 1):
        design = matcher.design(treated, shift=k * (settings.window_days + 1))
        effect = low = high = None
        if _shortfall(design, settings.min_n) is None:
            effect = _point_estimate(design)
            low, high = _interval(design, settings, level, settings.seed + k)
        placebos.append({"period": k, "effect": effect, "ci_low": low, "ci_high": high,
                         "n_treated": len(design.treated), "n_control": len(design.controls)})
    return placebos


def _pre_trend_ok(placebos: list[dict], pre_periods: int) -> bool | None:
    computable = [p for p in placebos if p["ci_low"] is not None]
    if len(computable) < pre_periods // 2:
        return None
    return all(p["ci_low"] <= 0 <= p["ci_high"] for p in computable)


def _method(settings: ImpactSettings) -> str:
    edges = settings.tenure_bands_months
    if edges:
        labels = [f"<{edges[0]}", *(f"{a}-{b}" for a, b in zip(edges, edges[1:])), f">={edges[-1]}"]
        did = f"difference-in-differences within tenure bands ({', '.join(labels)} months)"
    else:
        did = "difference-in-differences (no tenure bands)"
    return (f"{did}; {settings.window_days} days before vs after; "
            f"{settings.confidence * 100:g}% bootstrap CI over agents "
            f"({settings.bootstrap} resamples, seed {settings.seed}); "
            f"pre-trend check on {settings.pre_periods} earlier periods "
            f"({_placebo_level(settings) * 100:g}% CIs)")


def _day_range(series: list[AgentSeries], settings: ImpactSettings) -> tuple[int, int]:
    """First and last day (ordinals) any window or any data can touch."""
    n, completions = settings.window_days, [a.trained_on for a in series if a.trained_on]
    earliest = min(completions) - timedelta(days=settings.pre_periods * (n + 1) + n)
    latest = max(completions) + timedelta(days=n)
    days = [day for a in series for day in a.days]
    return min([earliest, *days]).toordinal(), max([latest, *days]).toordinal()


def estimate(series: list[AgentSeries], settings: ImpactSettings = ImpactSettings()) -> ImpactResult:
    """The training impact of the unit on the KPI whose daily components `series` hold."""
    not_enough = dict(effect=None, ci_low=None, ci_high=None, pre_trend_ok=None, placebo=[],
                      treated_before=None, treated_after=None, control_before=None,
                      control_after=None, method=_method(settings))
    if not any(a.trained_on for a in series):
        return ImpactResult(enough_data=False, reason=_shortfall(_Design(), settings.min_n),
                            n_treated=0, n_control=0, **not_enough)
    windows = _Windows(series, settings, *_day_range(series, settings))
    matcher = _Matcher(series, windows, settings)
    design = matcher.design(matcher.completers)
    counts = dict(n_treated=len(design.treated), n_control=len(design.controls))
    reason = _shortfall(design, settings.min_n)
    if reason:
        return ImpactResult(enough_data=False, reason=reason, **counts, **not_enough)
    low, high = _interval(design, settings, settings.confidence, settings.seed)
    placebos = _placebos(matcher, design.treated, settings)
    treated_before, treated_after, control_before, control_after = _group_values(design, windows)
    return ImpactResult(
        enough_data=True, reason=None, effect=_point_estimate(design), ci_low=low, ci_high=high,
        **counts, pre_trend_ok=_pre_trend_ok(placebos, settings.pre_periods), placebo=placebos,
        treated_before=treated_before, treated_after=treated_after,
        control_before=control_before, control_after=control_after, method=_method(settings))

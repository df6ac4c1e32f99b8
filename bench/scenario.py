"""Scenario replay: do alerts come early for escalations, and rarely elsewhere?

Generates 120 days of news (``monitor.demo.scenario``, text authored for the project)
for quiet countries, countries in chronic conflict and escalation arcs that build over
weeks to a peak; runs the real pipeline (language, countries, classifier, stories,
levels, alerts) on a fresh SQLite store; assesses every day in order, as daily runs
would; and reports:

- for each escalation arc: the days between its first alert and its peak
  (target: at least 7);
- for each quiet country: escalation alerts per 90 days (target: at most 1);
- for each chronic-conflict country: on how many days an alert was raised or worsened
  (target: far from every day).

    python bench/scenario.py [--days 120] [--seed 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUIET = ["GHA", "SEN", "BWA", "URY", "CRI", "NAM", "MNG", "PRT", "ZMB", "TUN"]
CHRONIC = ["SOM", "YEM", "SYR", "COD", "MLI", "AFG"]
ARCS = [("ETH", 70), ("MMR", 85), ("CAF", 100), ("NGA", 110)]
ESCALATION_RULES = {"level", "spike", "first_signal", "watchlist"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", default="2026-01-01")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="print the alerts of quiet countries"
    )
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from monitor.assess.run import assess_days
    from monitor.assess.stories import cluster_items
    from monitor.config.schema import MonitorConfig
    from monitor.demo.scenario import CountryScript, generate, store_items
    from monitor.pipeline import enrich_and_classify
    from monitor.store.db import Database
    from monitor.store.models import Alert, CountryDay

    start = date.fromisoformat(args.start)
    scripts = [
        CountryScript(c, "quiet", language="fr" if c in ("SEN", "TUN") else "en") for c in QUIET
    ]
    scripts += [
        CountryScript(c, "chronic", language="fr" if c in ("COD", "MLI") else "en") for c in CHRONIC
    ]
    scripts += [
        CountryScript(
            c, "escalation", peak=start + timedelta(days=d), language="fr" if c == "CAF" else "en"
        )
        for c, d in ARCS
    ]
    t0 = time.perf_counter()
    items = generate(scripts, start, args.days, seed=args.seed)
    folder = Path(tempfile.mkdtemp(prefix="monitor-scenario-"))
    db = Database(f"sqlite:///{folder / 'monitor.db'}")
    db.upgrade()
    stored = store_items(db, items)
    t1 = time.perf_counter()
    processed = enrich_and_classify(db)
    t2 = time.perf_counter()
    config = MonitorConfig()
    cluster_items(db, config.assessment.cluster_days)
    end = start + timedelta(days=args.days - 1)
    summary = assess_days(db, config, start, end)
    t3 = time.perf_counter()
    with db.session() as session:
        alerts = list(session.scalars(select(Alert).order_by(Alert.date)))
        levels = {(r.country, r.day): r.level for r in session.scalars(select(CountryDay))}
        events = defaultdict(set)
        from monitor.store.models import AlertEvent

        for event in session.scalars(select(AlertEvent)):
            if event.action in ("raised", "worsened"):
                alert = next(a for a in alerts if a.id == event.alert_id)
                events[alert.country].add(
                    alert.date if event.action == "raised" else event.after.get("last_date")
                )

    print(
        f"{len(scripts)} countries x {args.days} days: {len(items)} items generated, {stored} stored "
        f"({t1 - t0:.1f} s); enrich+classify {processed.as_dict()} ({t2 - t1:.1f} s); "
        f"stories, levels, alerts {summary.as_dict()} ({t3 - t2:.1f} s)"
    )
    report: dict[str, object] = {"arcs": {}, "quiet": {}, "chronic": {}}
    print("\nescalation arcs (target: first alert >= 7 days before the peak)")
    ok = True
    for country, peak_offset in ARCS:
        peak = start + timedelta(days=peak_offset)
        own = [a for a in alerts if a.country == country and a.rule in ESCALATION_RULES]
        first = own[0] if own else None
        lead = (peak - first.date).days if first else None
        peak_level = max(levels.get((country, peak + timedelta(days=k)), 0) for k in range(-3, 4))
        met = lead is not None and lead >= 7
        ok &= met
        report["arcs"][country] = {
            "peak": peak.isoformat(),
            "first_alert": first.date.isoformat() if first else None,
            "first_rule": first.rule if first else None,
            "lead_days": lead,
            "alerts": len(own),
            "level_at_peak": peak_level,
        }
        print(
            f"  {country}: peak {peak}, first alert {first.date if first else '-'} ({first.rule if first else '-'}), "
            f"lead {lead} days, {len(own)} alerts, level near peak {peak_level}  {'ok' if met else 'MISSED'}"
        )
    print("\nquiet countries (target: at most 1 escalation alert per 90 days)")
    for country in QUIET:
        own = [a for a in alerts if a.country == country and a.rule in ESCALATION_RULES]
        per90 = len(own) * 90 / args.days
        met = per90 <= 1.0
        ok &= met
        concern_days = sum(1 for (c, _), level in levels.items() if c == country and level >= 2)
        report["quiet"][country] = {
            "alerts": len(own),
            "per_90_days": round(per90, 2),
            "rules": dict(Counter(a.rule for a in own)),
            "days_at_serious_concern_or_above": concern_days,
        }
        print(
            f"  {country}: {len(own)} escalation alerts ({per90:.2f} per 90 days) {dict(Counter(a.rule for a in own))}, "
            f"{concern_days} of {args.days} days at serious concern or above  {'ok' if met else 'TOO MANY'}"
        )
        if args.verbose:
            for alert in own:
                print(f"      {alert.date} {alert.title}: {alert.reason[:400]}")
    print("\nchronic-conflict countries (target: not alerting every day)")
    for country in CHRONIC:
        days_alerting = len(events.get(country, set()))
        own = [a for a in alerts if a.country == country]
        share = days_alerting / args.days
        met = share < 0.5
        ok &= met
        report["chronic"][country] = {
            "alerts": len(own),
            "days_with_new_or_worse_alerts": days_alerting,
            "share_of_days": round(share, 3),
        }
        print(
            f"  {country}: {len(own)} alerts, new or worsened on {days_alerting} of {args.days} days ({share:.0%})  {'ok' if met else 'TOO OFTEN'}"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print(f"\nall targets met: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""enrich, classify, train, evaluate and items: the analysis stages from the command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from monitor.cli.context import actor, get_context
from monitor.cli.output import echo_json
from monitor.errors import MonitorError


def enrich(
    ctx: typer.Context,
    reprocess: bool = typer.Option(
        False, "--reprocess", help="Redo every item, not only new or changed ones."
    ),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Identify the language and the countries of every item that lacks them."""
    from monitor.enrich.stage import enrich_items

    app = get_context(ctx)
    summary = enrich_items(app.database(), reprocess=reprocess)
    if json_output:
        echo_json(summary.as_dict())
    else:
        app.console.print(f"Enriched {summary.items} item(s).")


def classify(
    ctx: typer.Context,
    reprocess: bool = typer.Option(
        False, "--reprocess", help="Reclassify every item (after a model change)."
    ),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Score every item without a result from the current model against RF1-RF14."""
    from monitor.classify.persist import load_current_model
    from monitor.classify.stage import classify_items

    app = get_context(ctx)
    db = app.database()
    model, info = load_current_model(app.settings.home)
    summary = classify_items(db, model, info, reprocess=reprocess)
    if json_output:
        echo_json({**summary.as_dict(), "model_version": info.version})
    else:
        app.console.print(
            f"Classified {summary.items} item(s) with model {info.version}; {summary.relevant} relevant."
        )


def train(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for the model (default: MONITOR_HOME/models); use models/ to update the shipped one.",
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed (the same seed gives the same model)."),
    no_feedback: bool = typer.Option(False, "--no-feedback", help="Train on the corpus alone."),
) -> None:
    """Retrain the classifier from the corpus plus analyst feedback in the database."""
    from monitor.classify.persist import save_model
    from monitor.classify.train import train as run_training
    from monitor.store.db import DatabaseNotReady

    app = get_context(ctx)
    db = None
    if not no_feedback:
        try:
            db = app.database()
        except DatabaseNotReady as exc:
            app.err.print(f"No feedback used: {exc}")
    model, info = run_training(db, seed=seed)
    folder = out or app.settings.home / "models"
    path = save_model(model, info, folder)
    app.console.print(
        f"Trained model {info.version} on {info.examples} examples "
        f"({info.relevant_examples} relevant, {info.feedback_items} from feedback); saved to {path}.",
        highlight=False,
    )
    app.console.print("Run `monitor classify` to apply it to items classified with an older model.")


def evaluate(
    ctx: typer.Context,
    data: Path = typer.Option(
        ...,
        "--data",
        exists=True,
        dir_okay=False,
        help="JSON Lines: id, text, labels, optional lang and country.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Run language, country and risk-factor tagging on labelled text and score it."""
    from monitor.classify.corpus import read_examples
    from monitor.classify.evaluate import evaluate as run_evaluation
    from monitor.classify.persist import load_current_model
    from monitor.enrich.countries import default_tagger
    from monitor.enrich.language import default_identifier

    app = get_context(ctx)
    examples = read_examples(data)
    if not examples:
        raise MonitorError(f"{data} holds no examples")
    model, info = load_current_model(app.settings.home)
    report = run_evaluation(examples, model, default_tagger(), default_identifier())
    report["model_version"] = info.version
    if json_output:
        echo_json(report)
        return
    rel = report["relevance"]
    rf = report["risk_factors"]
    country = report["country"]
    app.console.print(f"{report['n']} examples, model {info.version}")
    app.console.print(
        f"relevance: precision {rel['precision']:.3f} recall {rel['recall']:.3f} F1 {rel['f1']:.3f}"
    )
    app.console.print(f"risk factors: micro F1 {rf['micro_f1']:.3f}, macro F1 {rf['macro_f1']:.3f}")
    if country["n"]:
        app.console.print(f"country: accuracy {country['accuracy']:.3f} over {country['n']} items")
    table = Table(title="per risk factor")
    for column in ("factor", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="right")
    for factor, stats in rf["per_factor"].items():
        table.add_row(
            factor,
            f"{stats['precision']:.3f}",
            f"{stats['recall']:.3f}",
            f"{stats['f1']:.3f}",
            str(stats["support"]),
        )
    app.console.print(table)
    table = Table(title="by language")
    for column in ("lang", "n", "relevance F1", "micro F1", "macro F1", "country acc"):
        table.add_column(column, justify="right")
    for lang, sub in report["by_language"].items():
        acc = sub["country"]["accuracy"]
        table.add_row(
            lang,
            str(sub["n"]),
            f"{sub['relevance']['f1']:.3f}",
            f"{sub['risk_factors']['micro_f1']:.3f}",
            f"{sub['risk_factors']['macro_f1']:.3f}",
            "-" if acc is None else f"{acc:.3f}",
        )
    app.console.print(table)


items_app = typer.Typer(
    help="Look at collected items and why they were flagged.", no_args_is_help=True
)


@items_app.command("list")
def items_list(
    ctx: typer.Context,
    country: str | None = typer.Option(None, "--country", help="ISO3 code."),
    factor: str | None = typer.Option(None, "--factor", help="Risk factor id, e.g. RF11."),
    relevant: bool = typer.Option(False, "--relevant", help="Only items the classifier flagged."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Recent items with their language, countries and risk factors."""
    from monitor.store.models import Classification, Enrichment, Item, ItemCountry, ItemFactor

    app = get_context(ctx)
    db = app.database()
    query = (
        select(Item, Enrichment, Classification)
        .outerjoin(Enrichment, Enrichment.item_id == Item.id)
        .outerjoin(Classification, Classification.item_id == Item.id)
        .order_by(Item.day.desc(), Item.id.desc())
        .limit(limit)
    )
    if country:
        query = query.where(
            Item.id.in_(select(ItemCountry.item_id).where(ItemCountry.iso3 == country.upper()))
        )
    if factor:
        query = query.where(
            Item.id.in_(select(ItemFactor.item_id).where(ItemFactor.factor == factor.upper()))
        )
    if relevant:
        query = query.where(Classification.relevant.is_(True))
    with db.session() as session:
        rows = session.execute(query).all()
    records = [
        {
            "id": item.id,
            "day": item.day.isoformat(),
            "feed": item.feed_id,
            "title": item.title,
            "language": enrichment.language if enrichment else None,
            "country": enrichment.primary_country if enrichment else None,
            "risk_factors": classification.labels if classification else None,
            "relevance": classification.relevance if classification else None,
        }
        for item, enrichment, classification in rows
    ]
    if json_output:
        echo_json(records)
        return
    table = Table(title=f"{len(records)} item(s)")
    for column in ("id", "day", "lang", "country", "factors", "title"):
        table.add_column(column, overflow="fold")
    for r in records:
        table.add_row(
            str(r["id"]),
            r["day"],
            r["language"] or "",
            r["country"] or "",
            ",".join(r["risk_factors"] or []),
            r["title"],
        )
    app.console.print(table)


@items_app.command("show")
def items_show(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., help="Item id (see `monitor items list`)."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """One item: its text, language, countries with evidence, factors with their reasons."""
    from monitor.countries import country_name
    from monitor.store.models import Classification, Enrichment, Item, ItemCountry
    from monitor.taxonomy import load_taxonomy

    app = get_context(ctx)
    db = app.database()
    with db.session() as session:
        item = session.get(Item, item_id)
        if item is None:
            raise MonitorError(f"No item with id {item_id}.")
        enrichment = session.get(Enrichment, item_id)
        classification = session.get(Classification, item_id)
        countries = list(
            session.scalars(
                select(ItemCountry).where(ItemCountry.item_id == item_id).order_by(ItemCountry.rank)
            )
        )
    record = {
        "id": item.id,
        "feed": item.feed_id,
        "url": item.url,
        "title": item.title,
        "day": item.day.isoformat(),
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "summary": item.summary_text,
        "language": enrichment.language if enrichment else None,
        "countries": [
            {"iso3": c.iso3, "score": c.score, "evidence": c.evidence} for c in countries
        ],
        "classification": None
        if classification is None
        else {
            "model_version": classification.model_version,
            "relevance": classification.relevance,
            "risk_factors": classification.labels,
            "probabilities": classification.probabilities,
            "explanations": classification.explanations,
        },
    }
    if json_output:
        echo_json(record)
        return
    taxonomy = load_taxonomy()
    out = app.console
    out.print(f"[bold]{item.title}[/bold]", highlight=False)
    out.print(
        f"item {item.id} · {item.feed_id} · {record['day']} · {item.url or 'no link'}",
        highlight=False,
    )
    if item.summary_text:
        out.print(item.summary_text[:800], highlight=False)
    out.print(f"\nlanguage: {record['language'] or 'not enriched yet'}")
    for c in countries:
        out.print(
            f"country: {c.iso3} ({country_name(c.iso3)}), score {c.score}: {', '.join(c.evidence)}",
            highlight=False,
        )
    if classification is None:
        out.print("not classified yet")
        return
    out.print(f"relevance {classification.relevance:.2f} (model {classification.model_version})")
    if not classification.labels:
        out.print("no risk factor flagged")
    for factor in classification.labels:
        rf = taxonomy.factor(factor)
        reason = classification.explanations.get(factor, {})
        out.print(
            f"\n[bold]{factor} {rf.name.en}[/bold] p={classification.probabilities.get(factor, 0):.2f}",
            highlight=False,
        )
        for indicator, phrases in reason.get("indicators", {}).items():
            out.print(
                f"  indicator {indicator} ({taxonomy.indicator(indicator).text.en.rstrip('.')}), "
                f"matched: {', '.join(phrases)}",
                highlight=False,
            )
        terms = ", ".join(t for t, _ in reason.get("terms", []))
        if terms:
            out.print(f"  strongest terms: {terms}", highlight=False)


def feedback(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., help="Item id."),
    relevant: bool | None = typer.Option(
        None, "--relevant/--not-relevant", help="Is the item about atrocity risk?"
    ),
    factors: str | None = typer.Option(
        None, "--factors", help="Correct risk factors, comma-separated (e.g. RF9,RF11)."
    ),
    country: str | None = typer.Option(None, "--country", help="Correct primary country (ISO3)."),
    note: str | None = typer.Option(None, "--note"),
    analyst: str | None = typer.Option(
        None,
        "--analyst",
        help="Who gives the feedback (default: MONITOR_ANALYST or the login name).",
    ),
) -> None:
    """Record an analyst's correction of an item; `monitor train` learns from it."""
    from monitor.countries import is_iso3
    from monitor.store.models import Feedback, Item
    from monitor.store.types import utcnow
    from monitor.taxonomy import load_taxonomy

    app = get_context(ctx)
    factor_list = None
    if factors is not None:
        factor_list = [f.strip().upper() for f in factors.split(",") if f.strip()]
        unknown = [f for f in factor_list if f not in load_taxonomy().factor_ids]
        if unknown:
            raise typer.BadParameter(
                f"unknown risk factor(s) {unknown}; use RF1 to RF14", param_hint="--factors"
            )
    if country is not None and not is_iso3(country.upper()):
        raise typer.BadParameter(
            f"{country!r} is not an ISO 3166-1 alpha-3 code", param_hint="--country"
        )
    if relevant is None and factor_list is None and country is None:
        raise typer.BadParameter(
            "give at least one of --relevant/--not-relevant, --factors, --country"
        )
    db = app.database()
    with db.session() as session:
        if session.get(Item, item_id) is None:
            raise MonitorError(f"No item with id {item_id}.")
        session.add(
            Feedback(
                item_id=item_id,
                analyst=actor(analyst),
                relevant=False if factor_list == [] else relevant,
                factors=factor_list,
                country=country.upper() if country else None,
                note=note,
                created_at=utcnow(),
            )
        )
    app.console.print(f"Feedback on item {item_id} recorded; `monitor train` will use it.")


def process(
    ctx: typer.Context,
    reprocess: bool = typer.Option(False, "--reprocess", help="Redo every stage for every item."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Run every stage after collection once: enrichment, classification (and what follows)."""
    from monitor.pipeline import run_pipeline

    app = get_context(ctx)
    summary = run_pipeline(app.database(), app.settings, app.config, reprocess=reprocess)
    if json_output:
        echo_json(summary.as_dict())
    else:
        app.console.print(", ".join(f"{k}: {v}" for k, v in summary.as_dict().items()))


def register(app: typer.Typer) -> None:
    app.command()(process)
    app.command()(enrich)
    app.command()(classify)
    app.command()(train)
    app.command()(evaluate)
    app.command()(feedback)
    app.add_typer(items_app, name="items")

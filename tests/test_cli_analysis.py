"""enrich, classify, items, feedback, train and evaluate from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.classify.train import feedback_examples
from monitor.store.db import Database
from tests.cli import run_cli
from tests.feedserver import rss

ITEMS = [
    {
        "title": "Armed men kill 12 civilians in Bama, Borno",
        "guid": "a",
        "description": "Gunmen attacked Kalaya village on Monday, residents said.",
    },
    {
        "title": "Arsenal win the derby 3-0",
        "guid": "b",
        "description": "A dominant display at the stadium.",
    },
]


def test_analysis_commands(tmp_path: Path, server, sqlite_url):
    url = server.add("/feed.xml", body=rss(ITEMS))
    config = tmp_path / "feeds.yaml"
    config.write_text(f"feeds:\n  - id: news\n    url: {url}\n")
    env = {
        "MONITOR_CONFIG": str(config),
        "MONITOR_DATABASE_URL": sqlite_url,
        "MONITOR_HOME": str(tmp_path),
    }
    for args in (["init"], ["collect", "--no-progress"]):
        assert run_cli(args, env).exit_code == 0
    enriched = run_cli(["enrich", "--json"], env)
    assert json.loads(enriched.output) == {"enriched": 2}
    classified = json.loads(run_cli(["classify", "--json"], env).output)
    assert classified["classified"] == 2 and classified["relevant"] == 1
    assert json.loads(run_cli(["classify", "--json"], env).output)["classified"] == 0

    listed = json.loads(run_cli(["items", "list", "--relevant", "--json"], env).output)
    assert [r["title"] for r in listed] == [ITEMS[0]["title"]]
    assert listed[0]["country"] == "NGA" and "RF11" in listed[0]["risk_factors"]
    item_id = listed[0]["id"]
    shown = run_cli(["items", "show", str(item_id)], env)
    assert shown.exit_code == 0
    assert "RF11" in shown.output and "strongest terms" in shown.output and "NGA" in shown.output
    assert (
        run_cli(
            ["items", "list", "--country", "NGA", "--factor", "RF11", "--json"], env
        ).output.count('"id"')
        == 1
    )
    missing = run_cli(["items", "show", "9999"], env)
    assert missing.exit_code == 2 and "No item with id 9999" in missing.output

    bad = run_cli(["feedback", str(item_id), "--factors", "RF99", "--analyst", "ana"], env)
    assert bad.exit_code != 0 and "unknown risk factor" in bad.output
    ok = run_cli(
        ["feedback", str(item_id), "--relevant", "--factors", "RF11,RF13", "--analyst", "ana"], env
    )
    assert ok.exit_code == 0, ok.output
    trained = run_cli(["train", "--out", str(tmp_path / "model")], env)
    assert trained.exit_code == 0, trained.output
    assert "1 from feedback" in trained.output
    info = json.loads((tmp_path / "model" / "risk-model.json").read_text())
    assert info["feedback_items"] == 1 and info["seed"] == 0
    # A later correction of the country alone keeps the factor correction.
    later = run_cli(["feedback", str(item_id), "--country", "NGA"], env)
    assert later.exit_code == 0, later.output
    db = Database(sqlite_url)
    try:
        (example,) = feedback_examples(db)
    finally:
        db.dispose()
    assert example.labels == ("RF11", "RF13")


def test_evaluate_json_report(tmp_path: Path, sqlite_url):
    data = tmp_path / "gold.jsonl"
    rows = [
        {
            "id": "1",
            "text": "On 2 June, militants attacked Ngala (Borno) and killed 7 civilians.",
            "labels": ["RF11"],
            "country": "NGA",
            "lang": "en",
        },
        {
            "id": "2",
            "text": "Le Real Madrid s'impose face au Barça dans le clasico.",
            "labels": [],
            "lang": "fr",
        },
        {
            "id": "3",
            "text": "Bombardeos en Jartum dejan decenas de civiles muertos",
            "labels": ["RF1", "RF13"],
            "country": "SDN",
            "lang": "es",
        },
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    result = run_cli(["evaluate", "--data", str(data), "--json"], {"MONITOR_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) >= {"relevance", "risk_factors", "country", "by_language"}
    assert set(report["relevance"]) >= {"precision", "recall", "f1"}
    assert set(report["risk_factors"]) >= {"micro_f1", "macro_f1", "per_factor"}
    assert report["country"]["n"] == 2
    assert set(report["by_language"]) == {"en", "fr", "es"}
    table = run_cli(["evaluate", "--data", str(data)], {"MONITOR_HOME": str(tmp_path)})
    assert "per risk factor" in table.output and "by language" in table.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "text": "t", "labels": ["RF1"]}\nnot json\n')
    failure = run_cli(["evaluate", "--data", str(broken)], {"MONITOR_HOME": str(tmp_path)})
    assert failure.exit_code == 2 and "broken.jsonl:2: not valid JSON" in failure.output

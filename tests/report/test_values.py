"""Every number in results.json reaches the HTML report, as the view model rounds it."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

from evalspec import api
from evalspec.report import numbers
from tests.committed import load
from tests.report.ner import NER_RUN
from tests.report.page import Page


def shown_numbers(document: dict) -> list[tuple[str, str]]:
    """(where, text) for each metric value, interval end, p-value and cost in the file."""
    found: list[tuple[str, str]] = []

    def metric(where: str, value: float | None) -> None:
        if value is not None:
            found.append((where, numbers.number(value)))

    def interval(where: str, span: dict | None) -> None:
        if span:
            metric(f"{where}.low", span["low"])
            metric(f"{where}.high", span["high"])

    for i, cell in enumerate(document["cells"]):
        for name, value in cell["test"].items():
            metric(f"cells[{i}].test.{name}", value["value"])
            interval(f"cells[{i}].test.{name}.interval", value["interval"])
        for name, latency in cell["cost"]["latency"].items():
            found.append((f"cells[{i}].cost.latency.{name}.p50",
                          numbers.milliseconds(latency["p50"])))
            found.append((f"cells[{i}].cost.latency.{name}.p95",
                          numbers.milliseconds(latency["p95"])))
        found.append((f"cells[{i}].cost.train_time",
                      numbers.seconds(cell["cost"]["train_time"]["seconds"])))
    for task_name, task in document["tasks"].items():
        for model, summary in task["models"].items():
            at = f"tasks.{task_name}.models.{model}"
            for name, s in summary["metrics"].items():
                metric(f"{at}.metrics.{name}.mean", s["mean"])
                metric(f"{at}.metrics.{name}.sd", s["sd"])
                interval(f"{at}.metrics.{name}.interval", s["interval"])
                for k, v in enumerate(s["per_seed"]):
                    metric(f"{at}.metrics.{name}.per_seed[{k}]", v["value"])
            cost = summary["cost"]
            found.append((f"{at}.cost.params", numbers.count(cost["params"]["total"])))
            found.append((f"{at}.cost.params.head", numbers.count(cost["params"]["head"])))
            found.append((f"{at}.cost.train_time", numbers.seconds(cost["train_time"]["seconds"])))
            found.append((f"{at}.cost.peak_memory", numbers.mebibytes(cost["peak_memory"]["mib"])))
            for name, latency in cost["latency"].items():
                found.append((f"{at}.cost.latency.{name}", numbers.milliseconds(latency["p50"])))
        for row in task["leaderboard"]:
            at = f"tasks.{task_name}.leaderboard.{row['model']}"
            metric(f"{at}.value", row["value"]["value"])
            interval(f"{at}.interval", row["interval"])
            if row["p_value"] is not None:
                found.append((f"{at}.p_value", numbers.p_value(row["p_value"])))
            for k, m in enumerate(row["mcnemar"] or []):
                found.append((f"{at}.mcnemar[{k}]", f"{m['a_only']} : {m['b_only']}"))
                found.append((f"{at}.mcnemar[{k}].p", numbers.p_value(m["p_value"])))
    return found


def test_every_number_in_the_results_is_in_the_html(run_folder: Path) -> None:
    document = load(run_folder)
    [html] = api.report(run_folder / "results.json", ["html"])
    text = Page(html.read_text(encoding="utf-8")).text
    expected = shown_numbers(document)
    assert len(expected) > 100
    missing = [(where, shown) for where, shown in expected if shown not in text]
    assert missing == []


def test_split_sizes_and_fingerprints_are_in_both_reports(run_folder: Path) -> None:
    document = load(run_folder)
    html, markdown = api.report(run_folder / "results.json")
    html_text = Page(html.read_text(encoding="utf-8")).text
    markdown_text = markdown.read_text(encoding="utf-8")
    for task in document["tasks"].values():
        for size in task["sizes"].values():
            assert f"{size:,}" in html_text and f"{size:,}" in markdown_text
        for digest in task["fingerprints"].values():
            assert digest in html_text
    assert document["plan_digest"] in markdown_text


def test_every_per_type_number_is_in_both_ner_reports(tmp_path: Path) -> None:
    folder = tmp_path / "ner"
    shutil.copytree(NER_RUN, folder)
    document = load(folder)
    html, markdown = api.report(folder / "results.json")
    html_text = Page(html.read_text(encoding="utf-8")).text
    markdown_text = markdown.read_text(encoding="utf-8")
    expected = []
    for model, summary in document["tasks"]["entities"]["models"].items():
        seeds = [s["detail"]["per_type"] for s in summary["metrics"]["entity_f1"]["per_seed"]]
        for kind in seeds[0]:
            for measure in ("precision", "recall", "f1"):
                values = [s[kind][measure] for s in seeds]
                expected.append((model, kind, measure, numbers.number(statistics.fmean(values))))
                expected.append((model, kind, f"{measure} sd",
                                 numbers.number(statistics.stdev(values))))
            expected.append((model, kind, "support", f"{seeds[0][kind]['support']:,}"))
    assert len(expected) == 2 * 3 * 7
    assert [e for e in expected if e[-1] not in html_text or e[-1] not in markdown_text] == []
    for split, count in document["tasks"]["entities"]["tag_repairs"].items():
        assert f"{split} {count}" in html_text and f"{split} {count}" in markdown_text

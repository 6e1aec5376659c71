"""A cell is a picklable unit: the same job run here and in a fresh spawned process gives
the same outcome; the predict step reproduces a cell's test predictions; plans run in
rounds."""

from __future__ import annotations

import multiprocessing
import pickle

import numpy as np
import pytest

from evalspec import api
from evalspec.execute.cell import CellJob, run_cell, seed_everything
from evalspec.outcome import CellOutcome
from evalspec.results.scoring import ValidationScorer
from evalspec.source import SourceFile

SPEC = """evalspec 1
task iris {
  type  = text_classification
  data  = builtin("iris")
  split = holdout(test = 30%, validation = 20%, seed = 1)
}
model small {
  source = scratch(mlp, layers = 1, hidden = 8)
}
model wide {
  source = scratch(mlp, layers = 2, hidden = 32)
}
finetune {
  batch_size = 16
  stage probe {
    train  = head
    epochs = 2
    lr     = 1e-2
  }
  stage full {
    train  = all
    epochs = 3
    lr     = 1e-2
  }
}
metrics {
  accuracy
  log_loss
  primary = accuracy
}
"""


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> CellJob:
    folder = tmp_path_factory.mktemp("cell")
    checked = api.load(SourceFile(str(folder / "iris.evalspec"), SPEC))
    assert checked.validated is not None
    spec = checked.validated.spec
    plan, data = api.planned(spec, folder, lambda event: None)
    cell = plan.cells[0]
    return CellJob(plan, cell, data[cell.task], ValidationScorer(spec), folder / "cache",
                   device="cpu")


def comparable(outcome: CellOutcome) -> dict:
    """The outcome without wall-clock measurements."""
    data = outcome.to_json()
    for stage in data["stages"]:
        stage.pop("seconds")
        for epoch in stage["epochs"]:
            epoch.pop("seconds")
            epoch.pop("examples_per_second")
    return {**data, "cost": data["cost"]["params"]}


def _in_a_fresh_process(payload: bytes) -> bytes:
    return pickle.dumps(run_cell(pickle.loads(payload)))


def test_a_job_runs_the_same_in_a_fresh_process(job: CellJob) -> None:
    here = run_cell(job)
    payload = pickle.dumps(job)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        there = pickle.loads(pool.apply(_in_a_fresh_process, (payload,)))
    assert there.cell == here.cell
    assert comparable(there) == comparable(here)
    assert len(here.predictions.ids) == len(job.data.test)
    assert here.stages[-1]["epochs"][-1]["val"]["accuracy"] is not None


def test_the_predict_step_reproduces_the_test_predictions(job: CellJob) -> None:
    import torch

    from evalspec.execute.families import plugin_for
    from evalspec.execute.models.builders import build_candidate
    from evalspec.execute.training.predict import predict
    from evalspec.execute.training.trainer import Split, Trainer

    spec, data = job.plan.spec, job.data
    outcome = run_cell(job)
    seed_everything(job.cell.seed)  # as run_cell does, so training retraces its steps
    plugin = plugin_for(spec.tasks["iris"].type)
    candidate = build_candidate("small", spec.models["small"], spec.tasks["iris"], data,
                                job.plan.base_dir)
    objective = plugin.objective(data.labels, data.train)
    assert data.validation is not None
    trainer = Trainer(candidate, objective,
                      Split(candidate.encode(data.train), objective.targets(data.train)),
                      Split(candidate.encode(data.validation),
                            objective.targets(data.validation)),
                      device=torch.device("cpu"), seed=job.cell.seed)
    trainer.run(job.cell.stages)
    again = predict(candidate, plugin, objective, data.test, data.labels, torch.device("cpu"))
    assert again.ids == outcome.predictions.ids
    assert again.probabilities is not None and outcome.predictions.probabilities is not None
    np.testing.assert_allclose(again.probabilities, outcome.predictions.probabilities,
                               rtol=0, atol=1e-12)


def test_a_plan_runs_in_rounds(job: CellJob) -> None:
    plan = job.plan
    assert [c.model for c in plan.cells] == ["small", "wide"]
    second = plan.round(["wide"])
    assert [c.digest for c in second.cells] == [plan.cells[1].digest]
    assert second.digest != plan.digest
    assert plan.round(["small", "wide"]).digest == plan.digest


def test_a_job_survives_pickling_whole(job: CellJob) -> None:
    again = pickle.loads(pickle.dumps(job))
    assert (again.plan, again.cell, again.scorer, again.cache_root) == \
        (job.plan, job.cell, job.scorer, job.cache_root)
    assert again.data.train.ids == job.data.train.ids
    np.testing.assert_array_equal(again.data.train.inputs["features"],
                                  job.data.train.inputs["features"])

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Shared fixtures. The compat shims are already applied by the pytest plugin
(setup.cfg: -p interpret_ddsp.pytest_plugin)."""

import importlib
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, env=None, timeout=600):
  """Runs `interpret-ddsp ARGS` in a fresh interpreter; returns the result."""
  return subprocess.run(
      [sys.executable, '-m', 'interpret_ddsp.cli', *args], cwd=REPO,
      capture_output=True, text=True, env=env, timeout=timeout, check=False)


@pytest.fixture
def benchmark_script(monkeypatch):
  """Imports a benchmarks/ script by name, with benchmarks/ on sys.path
  (its own imports, e.g. bench_common, as when run from there)."""
  monkeypatch.syspath_prepend(os.path.join(REPO, 'benchmarks'))
  return importlib.import_module


@pytest.fixture
def clean_env():
  """os.environ without the variables our own import set (a fresh shell)."""
  env = dict(os.environ)
  env.pop('TF_USE_LEGACY_KERAS', None)
  return env


# What the tests change of the 'quick' recipe, as `demo --train --recipe
# quick --recipe_param NAME=VALUE` takes it (pipeline.with_settings).
TINY_SETTINGS = {'programs': 'violin,flute', 'num_steps': '60',
                 'eval_examples': '8', 'n_samples': '2', 'prior_draws': '2',
                 'n_generated': '4'}


def tiny_recipe():
  """The pipeline's 'quick' recipe at test size, through its public
  settings (TINY_SETTINGS): violin and flute notes (2 velocities, an
  octave apart) and one melody each, 1 s examples, 60 steps of
  timbre_ae_tiny: enough that its output has the input's pitch and
  loudness (f0 L1 ~3 cents, loudness L1 2-9 dB; at 30 steps one run in a
  few was still 24 dB too quiet for CREPE, 224 cents)."""
  from interpret_ddsp.apps import pipeline  # pylint: disable=g-import-not-at-top
  return pipeline.with_settings('quick', TINY_SETTINGS)


@pytest.fixture(scope='session')
def tiny_pipeline(tmp_path_factory, worker_id):
  """A pipeline folder (interpret_ddsp.apps.pipeline) for `tiny_recipe()`, whose
  stages the fixtures below run as they are needed: one rendered set, one
  dataset and one trained model for the whole test run, shared by the
  pytest-xdist workers (the first to need a stage runs it under a lock,
  the others then find it done). It sits at `<root>/pipeline`, where
  `interpret-ddsp demo --train --output_dir <root>` continues it
  (pipeline_test)."""
  if worker_id == 'master':  # No xdist: this session's own folder.
    return str(tmp_path_factory.mktemp('tiny_run') / 'pipeline')
  root = tmp_path_factory.getbasetemp().parent / 'tiny_run_shared'
  root.mkdir(exist_ok=True)
  return str(root / 'pipeline')


def _run_pipeline_until(output_dir, stage):
  import fcntl  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.apps import pipeline  # pylint: disable=g-import-not-at-top
  lock = os.path.join(os.path.dirname(output_dir), '.stages.lock')
  with open(lock, 'w') as f:
    fcntl.flock(f, fcntl.LOCK_EX)  # Released when the file closes.
    pipeline.run(output_dir, tiny_recipe(), progress=False,
                 log=lambda _: None, stop_after=stage)
  return pipeline.paths(output_dir)


@pytest.fixture(scope='session')
def tiny_dataset(tiny_pipeline):
  """A `prepare` output of 1 s examples of `tiny_recipe()`, CREPE tiny."""
  return _run_pipeline_until(tiny_pipeline, 'prepare')['data']


@pytest.fixture(scope='session')
def tiny_model(tiny_pipeline):
  """timbre_ae_tiny trained on tiny_dataset (`tiny_recipe()`): its folder."""
  return _run_pipeline_until(tiny_pipeline, 'train')['model']


@pytest.fixture(scope='session')
def tiny_evaluation(tiny_pipeline):
  """The pipeline's `evaluate` output folder for `tiny_recipe()` (8 eval
  examples, 2 prior draws per knob value, 4 generated sounds): made once
  for the test run, as the other stages are."""
  return _run_pipeline_until(tiny_pipeline, 'evaluate')['evaluation']

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Shared fixtures. The compat shims are already applied by the pytest plugin
(setup.cfg: -p interpret_ddsp.pytest_plugin)."""

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
def clean_env():
  """os.environ without the variables our own import set (a fresh shell)."""
  env = dict(os.environ)
  env.pop('TF_USE_LEGACY_KERAS', None)
  return env


@pytest.fixture(scope='session')
def tiny_dataset(tmp_path_factory):
  """A `prepare` output of 1 s examples: rendered violin and flute notes
  (2 velocities, an octave apart) and one melody each, CREPE tiny."""
  from interpret_ddsp import prepare  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import soundfont_set  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import sources  # pylint: disable=g-import-not-at-top
  root = tmp_path_factory.mktemp('tiny_dataset')
  render_dir = str(root / 'audio')
  manifest = soundfont_set.render_set(
      render_dir, [40, 73], key_step=12, velocities=(60, 110), n_melodies=1,
      progress=False)
  out = str(root / 'data')
  prepare.run(sources.rendered_items(render_dir, manifest), out,
              example_secs=1.0, hop_secs=0.5, eval_fraction=0.25,
              progress=False)
  return out


@pytest.fixture(scope='session')
def tiny_model(tiny_dataset, tmp_path_factory):
  """timbre_ae_tiny trained 30 steps on tiny_dataset: its folder."""
  from interpret_ddsp import train  # pylint: disable=g-import-not-at-top
  save_dir = str(tmp_path_factory.mktemp('tiny_model'))
  train.train(['models/timbre_ae_tiny.gin', 'datasets/tfrecord.gin',
               'optimization/cpu.gin'], save_dir, dataset_dir=tiny_dataset,
              num_steps=30, progress=False,
              gin_params=['Trainer.learning_rate = 3e-3'])
  return save_dir

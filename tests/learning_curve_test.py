# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""benchmarks/learning_curve.py's --start_from: a run folder without a
checkpoint is seeded with another run's, one that has one is kept (its
guard once asked `is not None` of a step that is 0 when there is none, so
it never seeded)."""

import os

import pytest

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import contracts
from interpret_ddsp.training import train

SHIPPED = os.path.join(os.path.dirname(interpret_ddsp.__file__),
                       'pretrained_model')


@pytest.fixture
def learning_curve(benchmark_script):
  return benchmark_script('learning_curve')


def _shipped_step():
  with open(os.path.join(SHIPPED, contracts.CHECKPOINT_INDEX)) as f:
    line = f.readline()  # model_checkpoint_path: "ckpt-<step>"
  return int(line.split(contracts.CHECKPOINT_PREFIX)[1].rstrip('"\n'))


def test_an_empty_folder_is_seeded_with_the_newest_checkpoint(
    learning_curve, tmp_path):
  dest = str(tmp_path / 'model')
  step = _shipped_step()
  assert train.latest_step(dest) == 0
  assert learning_curve.start_from(SHIPPED, dest) == step
  names = set(os.listdir(dest))
  assert f'{contracts.CHECKPOINT_PREFIX}{step}.index' in names
  assert set(contracts.MODEL_FILES) <= names


def test_a_seeded_folder_is_kept(learning_curve, tmp_path):
  dest = str(tmp_path / 'model')
  learning_curve.start_from(SHIPPED, dest)
  marker = os.path.join(dest, contracts.KNOBS_FILE)
  with open(marker, 'a') as f:
    f.write('\n')  # Seeding again would copy the file over this.
  size = os.path.getsize(marker)
  assert learning_curve.start_from(SHIPPED, dest, step=123) == _shipped_step()
  assert os.path.getsize(marker) == size


def test_a_missing_step_is_refused_in_one_sentence(learning_curve, tmp_path):
  with pytest.raises(SystemExit, match='No checkpoint 123 in'):
    learning_curve.start_from(SHIPPED, str(tmp_path / 'model'), step=123)

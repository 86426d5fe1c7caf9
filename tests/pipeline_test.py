# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""`interpret-ddsp demo --train`: the whole pipeline on a small rendered set,
and its resumption (interpret_ddsp.apps.pipeline)."""

import dataclasses
import json
import os

import numpy as np
import pytest
import soundfile

from interpret_ddsp.apps import pipeline
from interpret_ddsp import cli

from conftest import tiny_recipe

MINI = tiny_recipe()


def _recipe_params(recipe, base='quick'):
  """--recipe_param NAME=VALUE for each field where recipe differs from
  RECIPES[base]."""
  args = []
  for field in dataclasses.fields(recipe):
    value = getattr(recipe, field.name)
    if value != getattr(pipeline.RECIPES[base], field.name):
      text = (','.join(map(str, value)) if isinstance(value, tuple)
              else str(value))
      args += ['--recipe_param', f'{field.name}={text}']
  return args


@pytest.fixture(scope='module')
def demo_train(tiny_pipeline, tiny_evaluation):  # pylint: disable=unused-argument
  """`demo --train` with the 'quick' recipe at test size (MINI) through its
  public options (--recipe_param for each field MINI changes), continuing
  the session's pipeline folder: conftest's fixtures ran every stage up to
  evaluate (with pipeline.run, as here, under their lock); this finds them
  done and makes the demo. Depending on tiny_model alone let this run the
  evaluate stage a second time, unlocked, while another worker's
  tiny_evaluation ran it (a suite timeline showed both, ~250 s each)."""
  out = os.path.dirname(tiny_pipeline)
  assert cli.main(['demo', '--train', '--output_dir', out, '--no_progress',
                   '--recipe', 'quick'] + _recipe_params(MINI)) == 0
  return out


def test_recipe_settings_are_read_as_their_fields_types():
  r = pipeline.with_settings('quick', {
      'num_steps': '60', 'velocities': '60, 110', 'learning_rate': '3e-3',
      'programs': 'violin,flute', 'eval_fraction': '0.25'})
  assert (r.num_steps, r.velocities, r.learning_rate, r.programs,
          r.eval_fraction) == (60, (60, 110), 0.003, 'violin,flute', 0.25)
  assert r.key_step == 12 and r.n_melodies == 1  # The rest is quick's.
  assert pipeline.with_settings(MINI, {}) is MINI
  assert pipeline.with_settings(MINI, {'seed': '0'}).seed == 0
  from interpret_ddsp import errors  # pylint: disable=g-import-not-at-top
  for settings, phrase in [({'num_steps': '6.5'}, 'a whole number'),
                           ({'velocities': '60;110'}, 'separated by commas'),
                           ({'num_steps': '0'}, 'above 0'),
                           ({'eval_fraction': '1'}, 'between 0 and 1'),
                           ({'seed': '-1'}, 'at least 0'),
                           ({'steps': '5'}, "Unknown recipe setting 'steps'")]:
    with pytest.raises(errors.UserError, match=phrase):
      pipeline.with_settings('quick', settings)


@pytest.mark.slow
def test_every_stage_wrote_its_output(demo_train):
  p = pipeline.paths(os.path.join(demo_train, 'pipeline'))
  with open(os.path.join(p['data'], 'manifest.json')) as f:
    manifest = json.load(f)
  n_train = manifest['counts']['examples_train']
  with np.load(p['z'], allow_pickle=False) as z:
    assert z['z'].shape == (n_train, 16)  # 3 knobs + 13 free dims.
    assert set(map(str, z['instrument'])) == {'violin', 'flute'}
  with open(os.path.join(p['model'], 'losses.jsonl')) as f:
    losses = [json.loads(line)['spectral_loss'] for line in f]
  assert losses[-1] < losses[0]
  with open(os.path.join(p['evaluation'], 'metrics.json')) as f:
    metrics = json.load(f)
  # The decoder is driven by the input f0: CREPE on the output agrees.
  assert metrics['reconstruction']['f0_l1_cents'] < 100
  assert 'generation' in metrics


@pytest.mark.slow
def test_demo_outputs_from_the_trained_model(demo_train):
  with open(os.path.join(demo_train, 'demo.json')) as f:
    summary = json.load(f)
  assert summary['pipeline']['steps'] == MINI.num_steps
  # The options reached the pipeline: its recipe is MINI, field by field.
  assert summary['pipeline']['recipe'] == json.loads(json.dumps(
      dataclasses.asdict(MINI)))
  assert summary['model']['step'] == MINI.num_steps
  for row in summary['samples']:  # Not silent: above -80 dBFS.
    audio, sr = soundfile.read(os.path.join(demo_train, row['wav']))
    assert sr == 16000 and np.sqrt(np.mean(audio ** 2)) > 1e-4
  sweep = summary['brightness_sweep']
  assert len(sweep['measured']) == len(sweep['values']) == 5
  for name in ('brightness_sweep/sweep.wav', 'brightness_sweep/curve.png',
               'interpolation/path.wav', 'mood_warm/sample_00.wav',
               'z_scatter.png'):
    assert os.path.getsize(os.path.join(demo_train, name)) > 1000, name


@pytest.mark.slow
def test_rerun_keeps_every_stage(demo_train):
  lines = []
  summary = pipeline.run(os.path.join(demo_train, 'pipeline'), MINI,
                         progress=False, log=lines.append)
  assert lines == [f'[{s}] already done, kept.' for s in pipeline.STAGES]
  assert summary['secs'] == {} and summary['steps'] == MINI.num_steps


def test_unknown_recipe_is_one_sentence(tmp_path):
  from interpret_ddsp import errors
  with pytest.raises(errors.UserError, match='Unknown recipe'):
    pipeline.run(str(tmp_path), 'huge')


@pytest.mark.slow
def test_stop_after_ends_at_that_stage(demo_train):
  lines = []
  summary = pipeline.run(os.path.join(demo_train, 'pipeline'), MINI,
                         progress=False, log=lines.append,
                         stop_after='prepare')
  assert lines == ['[render] already done, kept.',
                   '[prepare] already done, kept.']
  assert summary['metrics']['reconstruction']['n_examples'] > 0


def test_unknown_stage_is_one_sentence(tmp_path):
  from interpret_ddsp import errors
  with pytest.raises(errors.UserError, match="Unknown stage 'trian'"):
    pipeline.run(str(tmp_path), MINI, stop_after='trian')
  assert not os.listdir(tmp_path)  # Checked before anything is made.

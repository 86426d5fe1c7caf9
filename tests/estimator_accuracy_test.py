# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""validate-data: ddsp's f0/loudness estimators against rendered truth."""

import json
import os

import pytest

from interpret_ddsp import cli
from interpret_ddsp.dataset import estimator_accuracy
from interpret_ddsp.dataset import soundfont_set
from interpret_ddsp import errors


def _render(out, programs, **kwargs):
  settings = dict(key_step=7, velocities=(35, 70, 115), n_melodies=1,
                  held_secs=0.8, release_secs=0.2, melody_secs=3.0,
                  progress=False)
  settings.update(kwargs)
  return soundfont_set.render_set(out, programs, **settings)


@pytest.fixture(scope='module')
def rendered_set(tmp_path_factory):
  out = str(tmp_path_factory.mktemp('valid'))
  _render(out, [40, 73])  # Violin, flute.
  return out


def test_estimators_agree_with_ground_truth(rendered_set, tmp_path):
  report = estimator_accuracy.validate_set(rendered_set, str(tmp_path),
                                   crepe_model='tiny', progress=False)
  assert set(report['instruments']) == {'violin', 'flute'}
  for summary in report['instruments'].values():
    assert summary['share_within_50_cents'] > 0.9
    assert summary['median_abs_error_cents'] < 20
    assert summary['voicing_recall'] > 0.8
    assert summary['notes_within_30_cents'] >= 0.95
    assert summary['loudness_velocity_spearman'] > 0.8
  assert os.path.getsize(tmp_path / 'validation.png') > 5000
  with open(tmp_path / 'validation.json') as f:
    assert json.load(f)['config']['crepe_model'] == 'tiny'


def test_wrong_ground_truth_is_caught(rendered_set, tmp_path):
  # Shift every note's truth up a semitone: the report must see it.
  import shutil  # pylint: disable=g-import-not-at-top
  bad = str(tmp_path / 'bad')
  shutil.copytree(rendered_set, bad)
  for root, _, files in os.walk(bad):
    for name in files:
      if name.endswith('.json') and name.startswith('note_'):
        path = os.path.join(root, name)
        with open(path) as f:
          record = json.load(f)
        record['f0_hz'] = [f * 2 ** (1 / 12) for f in record['f0_hz']]
        record['midi_pitch'] += 1
        with open(path, 'w') as f:
          json.dump(record, f)
  report = estimator_accuracy.validate_set(bad, crepe_model='tiny', progress=False)
  for summary in report['instruments'].values():
    assert summary['notes_within_30_cents'] == 0.0


@pytest.mark.slow
def test_rendered_notes_within_30_cents_with_crepe_full(tmp_path):
  out = str(tmp_path / 'full')
  _render(out, [40, 73, 71, 56, 42], key_step=9, velocities=(100,),
          n_melodies=0, held_secs=0.6, release_secs=0.1)
  report = estimator_accuracy.validate_set(out, crepe_model='full', progress=False)
  notes = sum(s['notes'] for s in report['instruments'].values())
  within = sum(s['notes'] * s['notes_within_30_cents']
               for s in report['instruments'].values())
  assert notes >= 15
  assert within / notes >= 0.95


def test_not_a_rendered_set_is_one_sentence(tmp_path, capsys):
  with pytest.raises(errors.UserError, match='render-soundfont'):
    estimator_accuracy.validate_set(str(tmp_path), progress=False)
  assert cli.main(['validate-data', '--data_dir', str(tmp_path)]) == 2
  err = capsys.readouterr().err.strip()
  assert 'has no render_manifest.json' in err and '\n' not in err

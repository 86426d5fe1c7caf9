# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Per-note brightness and attack noise (performance.render's timbre
values) played by the shipped model: measured on its output by the knob
chain's own measurement (knobs.measure, checked against closed forms in
knobs_test and descriptors_test), each note reads back what was asked."""

import json
import os

import numpy as np
import pytest
import soundfile

from interpret_ddsp.evaluation import knob_metrics
from interpret_ddsp.generation import generate
from interpret_ddsp.score import controls
from interpret_ddsp.score import performance
from interpret_ddsp.score import voices
from interpret_ddsp.training import model_io
from interpret_ddsp.training import shipped


@pytest.fixture(scope='module')
def loaded():
  return model_io.load_model(shipped.model_dir())


def test_each_note_plays_the_brightness_and_attack_noise_asked(loaded):
  """12 notes, each with its own brightness and attack-noise offset drawn
  in +-1.5 std: brightness within 0.05 std of the asked offset on every
  note; attack noise r >= 0.95 and slope 0.8-1.2 (the measurement's 128
  ms window reaches into the held part)."""
  model = loaded.model
  rng = np.random.default_rng(3)
  notes = [controls.Note(int(p), 0.6 * i, 0.6 * i + 0.5, 100)
           for i, p in enumerate(rng.integers(55, 76, 12))]
  asked_b = rng.uniform(-1.5, 1.5, len(notes))
  asked_a = rng.uniform(-1.5, 1.5, len(notes))
  c = performance.render(notes, [
      {'volume_db': -25.0, 'attack_secs': 0.02, 'brightness': b,
       'attack_noise': a} for b, a in zip(asked_b, asked_a)])
  z = model.z_from_knobs({'brightness': 0.2, 'hollowness': -0.3,
                          'noisiness': -0.5})
  audio = voices.synthesize(model, [c], z)[0]
  rows = knob_metrics.note_timbre(model, audio, c)
  got_b = np.array([r['brightness'] for r in rows]) - 0.2
  got_a = np.array([r['attack_noise'] for r in rows]) + 0.5
  assert np.all(np.abs(got_b - asked_b) < 0.05), (got_b, asked_b)
  assert np.corrcoef(asked_a, got_a)[0, 1] >= 0.95, (got_a, asked_a)
  slope = np.polyfit(asked_a, got_a, 1)[0]
  assert 0.8 <= slope <= 1.2, slope


def test_sample_takes_a_brightness_setting_on_every_note(loaded, tmp_path):
  """`sample` with learned expression and brightness=+1 on every note, the
  brightness knob at 0: the output measures 1 std above the knob (and the
  settings are recorded in samples.json)."""
  out = tmp_path / 'out'
  generate.sample_sounds(loaded, shipped.prior_path(shipped.model_dir()),
                         str(out), n=1, notes='A3:1 E4:1',
                         settings={'brightness': 0.0, 'hollowness': 0.0,
                                   'noisiness': -1.0},
                         expression_settings={'brightness': 1.0})
  with open(out / 'samples.json') as f:
    assert json.load(f)['expression_settings'] == {'brightness': 1.0}
  audio, sr = soundfile.read(str(out / 'sample_00.wav'), dtype='float32')
  assert sr == loaded.sample_rate
  player, _ = generate.expression_player(None, shipped.model_dir(), seed=0,
                                         settings={'brightness': 1.0})
  c, _ = generate.make_controls(notes='A3:1 E4:1', profile=player)
  n = min(c.n_frames, len(audio) // loaded.model.n_samples_for(1))
  measured = knob_metrics.measure_knob(
      loaded.model, audio[np.newaxis, :loaded.model.n_samples_for(n)],
      c.f0_hz[np.newaxis, :n], c.loudness_db[np.newaxis, :n], 'brightness')
  assert abs(measured[0] - 1.0) < 0.1, measured


def test_streaming_plays_the_per_note_brightness_too(loaded):
  """`sample --stream` (StreamingSynth, per-frame z): three notes at
  brightness offsets -1, 0, +1 measure within 0.1 std of them."""
  model = loaded.model
  notes = [controls.Note(p, 0.6 * i, 0.6 * i + 0.5)
           for i, p in enumerate((60, 64, 67))]
  c = performance.render(notes, [{'volume_db': -25.0, 'brightness': b}
                                 for b in (-1.0, 0.0, 1.0)])
  z = model.z_from_knobs({'noisiness': -0.5})
  audio, stats = generate.render_voices(model, [c], z, stream=True)
  assert stats is not None
  rows = knob_metrics.note_timbre(model, audio[0], c)
  got = [r['brightness'] for r in rows]
  np.testing.assert_allclose(got, [-1.0, 0.0, 1.0], atol=0.1)


def test_a_note_list_sets_each_note_s_brightness(loaded, tmp_path):
  """'A3:1@brightness=1 E4:1@brightness=-1' through `sample` (learned
  expression, knobs at 0): the two notes measure +1 and -1 std."""
  notes = 'A3:1@brightness=1 E4:1@brightness=-1'
  out = tmp_path / 'out'
  generate.sample_sounds(loaded, shipped.prior_path(shipped.model_dir()),
                         str(out), n=1, notes=notes,
                         settings={'brightness': 0.0, 'hollowness': 0.0,
                                   'noisiness': -1.0})
  audio, _ = soundfile.read(str(out / 'sample_00.wav'), dtype='float32')
  player, _ = generate.expression_player(None, shipped.model_dir(), seed=0)
  c, _ = generate.make_controls(notes=notes, profile=player)
  n = loaded.model.n_samples_for(c.n_frames)
  audio = np.pad(audio, (0, max(0, n - len(audio))))[:n]
  rows = knob_metrics.note_timbre(loaded.model, audio, c)
  np.testing.assert_allclose([r['brightness'] for r in rows], [1.0, -1.0],
                             atol=0.1)

"""performance.render: the curves it draws read back, through
expression.note_expression (an independent measurement: frame argmax,
FFT vibrato, dB thresholds), as the values asked for."""

import math

import numpy as np
import pytest

from interpret_ddsp.score import controls
from interpret_ddsp.score import expression
from interpret_ddsp.score import performance

# (name, tolerance): a frame (4 ms) for times, a tenth of a dB for levels.
TOLERANCE = {'volume_db': 0.1, 'volume_fluctuation_db': 0.1,
             'volume_peak_position': 0.02, 'attack_secs': 0.0041,
             'release_secs': 0.0081, 'vibrato_rate_hz': 0.1,
             'vibrato_extent_cents': 1.5, 'portamento_secs': 0.0081}


def _random_values(rng, duration):
  attack = rng.uniform(0.01, 0.15)
  return {'volume_db': rng.uniform(-45, -15),
          'volume_fluctuation_db': rng.uniform(0.3, 4.0),
          # The peak comes no earlier than the attack's end (a measured
          # pair obeys this too).
          'volume_peak_position': rng.uniform(attack / duration + 0.02, 0.9),
          'attack_secs': attack,
          'release_secs': rng.uniform(0.05, 0.4),
          'vibrato_rate_hz': rng.uniform(4.0, 7.0),
          'vibrato_extent_cents': rng.uniform(5.0, 40.0),
          'portamento_secs': rng.uniform(0.02, 0.08)}


def _line(rng, n, legato):
  notes, t = [], 0.0
  for _ in range(n):
    dur = rng.uniform(0.8, 1.4)
    notes.append(controls.Note(int(rng.integers(55, 80)), t, t + dur,
                               int(rng.integers(40, 120))))
    t += dur + (0.0 if legato else rng.uniform(0.5, 0.8))
  return notes


@pytest.mark.parametrize('legato', [False, True])
def test_measured_values_are_the_values_asked_for(legato):
  rng = np.random.default_rng(3 + legato)
  notes = _line(rng, 6, legato)
  values = [_random_values(rng, n.duration_secs) for n in notes]
  if legato:
    # A connected note starts from the level the last one reached; one that
    # starts above its own peak reads its peak at the onset (module doc),
    # so this line grows louder.
    for v, db in zip(values, np.linspace(-45, -15, len(values))):
      v['volume_db'] = db
  c = performance.render(notes, values)
  rows = expression.note_expression(c.f0_hz, c.loudness_db, notes)
  checked = {name: 0 for name in TOLERANCE}
  for k, (asked, got) in enumerate(zip(values, rows)):
    for name, tol in TOLERANCE.items():
      if name == 'release_secs' and legato and k + 1 < len(notes):
        assert math.isnan(got[name])  # The next note starts first.
        continue
      if name == 'portamento_secs' and not (legato and k > 0):
        assert got[name] == 0.0  # Not connected: no glide.
        continue
      assert abs(got[name] - asked[name]) <= tol, (k, name, got[name],
                                                    asked[name])
      checked[name] += 1
  assert all(checked[n] > 0 for n in TOLERANCE
             if legato or n != 'portamento_secs')


def test_missing_values_take_the_defaults_and_bounds_hold():
  notes = [controls.Note(60, 0.0, 1.0)]
  c = performance.render(notes, [{'vibrato_extent_cents': math.nan,
                                  'volume_peak_position': 3.0}])
  row = expression.note_expression(c.f0_hz, c.loudness_db, notes)[0]
  assert abs(row['volume_db'] - performance.DEFAULTS['volume_db']) < 0.1
  # Peak position held to 1: the loudness peaks at the note-off.
  assert row['volume_peak_position'] > 0.97
  cents = 1200 * np.log2(c.f0_hz[:250] / 261.6256)
  assert np.abs(cents).max() < 0.05  # No vibrato by default.


def test_bad_values_are_one_sentence():
  notes = [controls.Note(60, 0.0, 1.0)]
  with pytest.raises(performance.PerformanceError, match='Unknown'):
    performance.render(notes, [{'wobble': 1.0}])
  with pytest.raises(performance.PerformanceError, match='not a number'):
    performance.render(notes, [{'volume_db': 'loud'}])
  with pytest.raises(performance.PerformanceError, match='one per note'):
    performance.render(notes, [{}, {}])


def test_timbre_values_become_knob_offsets():
  """brightness offsets the brightness knob from note-on to the next
  note-on; attack_noise offsets noisiness over the first 100 ms and one
  analysis window of the knob measurement beyond (0.228 s: 57 frames)."""
  from interpret_ddsp.analysis import knobs  # pylint: disable=g-import-not-at-top
  assert performance.ATTACK_NOISE_REACH_SECS * 250 == knobs.window_frames()
  notes = [controls.Note(60, 0.0, 0.8), controls.Note(64, 1.0, 1.6)]
  c = performance.render(notes, [{'brightness': 0.5, 'attack_noise': 1.5},
                                 {'brightness': -1.0}])
  b, n = c.knob_offsets['brightness'], c.knob_offsets['noisiness']
  assert b.shape == n.shape == (c.n_frames,)
  np.testing.assert_array_equal(b[:250], 0.5)  # Through the rest.
  np.testing.assert_array_equal(b[250:], -1.0)  # Through the tail.
  np.testing.assert_array_equal(n[:57], 1.5)
  np.testing.assert_array_equal(n[57:], 0.0)
  # Held to +-3 std; none asked: no offsets (the sound's knobs throughout).
  c = performance.render(notes, [{'brightness': 9.0}, {}])
  assert c.knob_offsets['brightness'].max() == 3.0
  assert performance.render(notes, [{}, {}]).knob_offsets == {}

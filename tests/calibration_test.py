# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Known answers for knob calibration (interpret_ddsp.analysis.calibration) and for
evaluate's calibration section on a fake model whose output descriptors are
known linear functions of its knobs."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims before ddsp.

import numpy as np
import pytest
import tensorflow as tf

from interpret_ddsp.analysis import calibration
from interpret_ddsp.analysis import knobs
from interpret_ddsp.evaluation import evaluate
from interpret_ddsp.training import knob_processors


# ------------------------------------------------------------ pure figures.
def test_line_fit_recovers_a_known_line():
  v = np.linspace(-2, 2, 9)
  fit = calibration.line_fit(v, np.stack([0.7 * v - 0.3] * 5))
  assert fit['slope'] == pytest.approx(0.7)
  assert fit['intercept'] == pytest.approx(-0.3)
  assert fit['pearson_r'] == pytest.approx(1.0)
  # MAE of 0.7 v - 0.3 against v: mean |-0.3 v - 0.3| over the 9 values.
  assert fit['mae'] == pytest.approx(np.mean(np.abs(-0.3 * v - 0.3)))


def test_calibration_interval_covers_the_truth_and_shrinks_with_noise():
  rng = np.random.default_rng(0)
  v = np.linspace(-1.5, 1.5, 9)
  noisy = 0.9 * v + 0.1 * rng.standard_normal((32, 9))
  cal = calibration.calibration(v, noisy, n_boot=300)
  lo, hi = cal['ci']['slope']
  assert lo < 0.9 < hi and hi - lo < 0.1
  # Pearson r of y = 0.9 v + N(0, 0.1): 0.9 s_v / sqrt(0.81 s_v^2 + 0.01).
  s2 = np.var(v)
  assert cal['pearson_r'] == pytest.approx(
      0.9 * np.sqrt(s2) / np.sqrt(0.81 * s2 + 0.01), abs=0.01)


def test_cross_talk_is_the_slope_of_the_side_effect():
  v = np.linspace(-1, 1, 7)
  sweeps = {
      'a': {'values': v, 'measured': {'a': np.stack([v] * 3),
                                      'b': np.stack([0.25 * v + 1.0] * 3)}},
      'b': {'values': v, 'measured': {'a': np.stack([np.zeros(7)] * 3),
                                      'b': np.stack([1.1 * v] * 3)}},
  }
  table = calibration.cross_talk(sweeps, n_boot=50)
  np.testing.assert_allclose(table['slope'], [[1.0, 0.25], [0.0, 1.1]],
                             atol=1e-9)
  assert table['max_off_diagonal'] == pytest.approx(0.25)


def test_edge_slopes_beyond_the_range():
  values = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
  # Slope 1 inside [-1, 1], 0.5 beyond it on both sides.
  measured = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0]])
  out = calibration.edge_slopes(values, measured, -1.0, 1.0)
  assert out['low'] == pytest.approx(0.5) and out['high'] == pytest.approx(
      0.5) and out['monotonic']


def test_walls_cut_the_requested_change_where_the_sound_stops():
  values = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
  # Follows at slope 1 down to a wall at -2 std, and all the way up.
  measured = np.array([[-2.0, -1.0, 0.0, 1.0, 3.0]])
  at_wall = {-10.0: np.array([-2.0]), 10.0: np.array([10.0])}
  out = calibration.walls(values, measured, -1.0, 1.0, at_wall)
  assert out['wall'] == {'low': -2.0, 'high': 10.0}
  # Low: 1 std measured over the 1 std of request that lies before the
  # wall; high: the wall is past +3, so the whole request counts.
  assert out['slope_within_reach']['low'] == pytest.approx(1.0)
  assert out['slope_within_reach']['high'] == pytest.approx(1.0)
  # The same knob by edge_slopes: 0.5 below (the wall halves it).
  assert calibration.edge_slopes(values, measured, -1.0, 1.0)['low'] == (
      pytest.approx(0.5))
  # A wall inside the trained range leaves nothing to cut: None.
  inside = calibration.walls(values, measured, -1.0, 1.0,
                             {-10.0: np.array([-0.5])})
  assert inside['slope_within_reach']['low'] is None


def test_within_reach_leaves_out_the_requests_past_a_notes_wall():
  """Three notes follow a knob at slope 1; the third stops at +0.5 std
  (a high note out of partials), inside the range -1..1. The headline fit
  reads its wall; within reach, the fit is the knob's own line."""
  values = np.linspace(-1.0, 1.0, 9)
  measured = np.stack([values, values, np.minimum(values, 0.5)])
  headline = calibration.calibration(values, measured, n_boot=0)
  assert headline['slope'] < 0.95 and headline['mae'] > 0.01
  kept, share = calibration.within_reach(
      values, measured, np.full(3, -9.0), np.array([9.0, 9.0, 0.5]))
  # 0.5 itself lies within the margin of the wall: values 0.5, 0.75, 1.0.
  assert share == pytest.approx(3 / 27)
  assert np.isnan(kept[2, -3:]).all() and not np.isnan(kept[:2]).any()
  fit = calibration.calibration(values, kept, n_boot=50)
  assert fit['slope'] == pytest.approx(1.0)
  assert fit['intercept'] == pytest.approx(0.0, abs=1e-12)
  assert fit['pearson_r'] == pytest.approx(1.0)
  assert fit['mae'] == pytest.approx(0.0, abs=1e-12)
  assert fit['ci']['slope'] == pytest.approx([1.0, 1.0])
  # A low wall at -0.5 leaves out -1.0, -0.75 and -0.5 (margin) of note 0.
  _, share = calibration.within_reach(values, measured,
                                      np.array([-0.5, -9.0, -9.0]), None)
  assert share == pytest.approx(3 / 27)


# ------------------------------------ evaluate.knob_control on a fake model.
class _FakePreprocessor:

  def __init__(self):
    self.descriptor_names = ('harmonic_spectral_centroid', 'odd_even_ratio')
    self.knob_mean = tf.constant([1.5, 0.0])  # log2 harmonic number, dB.
    self.knob_std = tf.constant([0.5, 6.0])
    self.sample_rate = 16000


class _LinearFakeModel:
  """Output descriptors known in closed form: brightness = A * knob + B
  (std units), hollowness = hollowness knob + C * brightness knob."""

  knob_names = ('brightness', 'hollowness')
  A, B, C = 0.8, 0.25, 0.3

  def __init__(self):
    self.preprocessor = _FakePreprocessor()

  def knob_index(self, name):
    return self.knob_names.index(name)

  def synthesize(self, f0_hz, loudness_db, z):
    del loudness_db
    z = np.asarray(z, np.float64)
    bright = self.A * z[:, 0] + self.B
    hollow = z[:, 1] + self.C * z[:, 0]
    pre = self.preprocessor
    centroid = 2.0 ** (1.5 + 0.5 * bright)
    ratio = 6.0 * hollow
    n_h = 20
    shares = knob_processors.shape_harmonics(
        tf.ones([len(z), n_h]) / n_h, tf.ones([len(z), n_h], bool),
        tf.constant(centroid, tf.float32),
        tf.constant(ratio, tf.float32)).numpy()
    t = np.arange(pre.sample_rate) / pre.sample_rate
    f0 = float(np.asarray(f0_hz)[0, 0])
    k = np.arange(1, n_h + 1)
    partials = np.sin(2 * np.pi * f0 * k[:, None] * t)  # [n_h, n].
    return tf.constant(0.1 * shares @ partials, tf.float32)


def test_knob_control_finds_the_fake_models_slope_intercept_and_cross_talk():
  n_ex, n_frames = 21, 250
  # The eval z spreads each knob over -1..1: the trained range is its
  # 5th..95th percentile, -0.9..0.9.
  encoded = {
      'z': np.stack([np.linspace(-1.0, 1.0, n_ex)] * 2, -1),
      'f0_hz': np.full((n_ex, n_frames), 220.0, np.float32),
      'loudness_db': np.full((n_ex, n_frames), -20.0, np.float32),
      'target_weights': np.full((n_ex, 2), float(n_frames)),
  }
  result = evaluate.knob_control(_LinearFakeModel(), encoded, n_examples=3,
                                 n_values=9, n_boot=20)
  assert result['brightness']['range'] == pytest.approx([-0.9, 0.9])
  m = _LinearFakeModel
  cal = result['brightness']['calibration']
  assert cal['slope'] == pytest.approx(m.A, abs=0.03)
  assert cal['intercept'] == pytest.approx(m.B, abs=0.03)
  assert cal['pearson_r'] > 0.999
  hollow = result['hollowness']['calibration']
  assert hollow['slope'] == pytest.approx(1.0, abs=0.03)
  slope = np.array(result['cross_talk']['slope'])
  assert slope[0, 1] == pytest.approx(m.C, abs=0.03)  # brightness -> hollow.
  assert abs(slope[1, 0]) < 0.03  # hollowness leaves brightness alone.
  assert result['brightness']['max_cross_talk'] == pytest.approx(m.C,
                                                                 abs=0.03)
  assert not result['brightness']['meets_targets']['cross_talk']
  # Beyond the range (to +-3 std) the fake stays linear: edge slope = A.
  assert result['brightness']['beyond_range']['high'] == pytest.approx(
      m.A, abs=0.05)
  # Far below, the fake's centroid asks for less than harmonic 1 alone:
  # shape_harmonics stops there, log2(1) = 0 octaves, (0 - 1.5) / 0.5 = -3
  # std measured, the wall; -3 std requested (A * -3 + B = -2.15) is still
  # before it, so the slope within reach is A too.
  beyond = result['brightness']['beyond_range']
  assert beyond['wall']['low'] == pytest.approx(-3.0, abs=0.05)
  assert beyond['slope_within_reach']['low'] == pytest.approx(m.A, abs=0.05)
  # Both walls lie far outside -0.9..0.9: every request is within reach.
  reach = result['brightness']['calibration_within_reach']
  assert reach['share_out_of_reach'] == 0.0
  assert reach['slope'] == pytest.approx(cal['slope'])


def test_knob_units_of_the_chain_round_trip():
  mean, std = tf.constant([1.2, -3.0]), tf.constant([0.7, 8.0])
  v = tf.constant([[0.5, -1.0]])
  np.testing.assert_allclose(
      knobs.standardize(knobs.unstandardize(v, mean, std), mean, std), v,
      rtol=1e-6)
  np.testing.assert_allclose(knobs.unstandardize(v, mean, std),
                             [[1.2 + 0.35, -3.0 - 8.0]], rtol=1e-6)

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""TimbreAutoencoder decodes sequences longer than its trained length in
windows of that length: each window's frames are what the decoder gives
for that slice alone, and the overlaps are linear cross-fades of the two."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from ddsp.training import decoders
import numpy as np
import tensorflow as tf

from interpret_ddsp import models

WIN = 40  # The "trained" length, decoder frames.


def _model(window_decoder=True):
  decoder = decoders.RnnFcDecoder(
      rnn_channels=16, ch=8, layers_per_stack=1,
      input_keys=('ld_scaled', 'f0_scaled', 'z'),
      output_splits=(('amps', 1), ('harmonic_distribution', 5)))
  model = models.TimbreAutoencoder(decoder=decoder,
                                   window_decoder=window_decoder)
  model._window_frames = WIN  # pylint: disable=protected-access  # As `length` sets it.
  return model


def _features(n, seed=0):
  rng = np.random.default_rng(seed)
  return {'f0_scaled': tf.constant(rng.uniform(0, 1, (2, n, 1)), tf.float32),
          'ld_scaled': tf.constant(rng.uniform(0, 1, (2, n, 1)), tf.float32),
          'z': tf.constant(rng.normal(size=(2, n, 3)), tf.float32)}


def _slice(features, start, stop):
  return {k: v[:, start:stop] for k, v in features.items()}


def test_window_starts_cover_the_sequence_with_a_quarter_overlap():
  starts = models.window_starts(1000, 250)
  assert starts[0] == 0 and starts[-1] + 250 == 1000
  assert all(b - a <= 250 - 62 for a, b in zip(starts, starts[1:]))
  w = models.window_weights(250, starts)
  total = np.zeros(1000)
  for weights, s in zip(w, starts):
    total[s:s + 250] += weights
  np.testing.assert_allclose(total, 1.0, atol=1e-6)


def test_each_window_is_the_decoder_on_its_slice_and_overlaps_cross_fade():
  model = _model()
  n = 100  # Windows at 0, 30, 60 (hop 30: a quarter of 40 is 10 overlap).
  features = _features(n)
  starts = models.window_starts(n, WIN)
  assert starts == [0, 30, 60]
  out = model._decode(features, training=False)  # pylint: disable=protected-access
  alone = [model.decoder(_slice(features, s, s + WIN), training=False)
           for s in starts]
  amps = out['amps'].numpy()
  assert amps.shape == (2, n, 1)
  a0, a1, a2 = (a['amps'].numpy() for a in alone)
  # Frames only one window covers: that window's decoder output, exactly
  # as for the slice alone (the recurrent state starts at the window).
  np.testing.assert_allclose(amps[:, :30], a0[:, :30], atol=1e-5)
  np.testing.assert_allclose(amps[:, 40:60], a1[:, 10:30], atol=1e-5)
  np.testing.assert_allclose(amps[:, 70:], a2[:, 10:], atol=1e-5)
  # The overlap 30..39: ramp k/11 up for the second window (k = 1..10).
  up = (np.arange(10) + 1) / 11.0
  expected = (1 - up)[None, :, None] * a0[:, 30:] + up[None, :, None] * a1[:, :10]
  np.testing.assert_allclose(amps[:, 30:40], expected, atol=1e-5)
  # It differs from running the recurrence over all 100 frames at once.
  whole = model.decoder(features, training=False)['amps'].numpy()
  assert np.abs(whole[:, 70:] - amps[:, 70:]).max() > 1e-4


def test_at_the_trained_length_or_switched_off_it_is_the_decoder():
  model = _model()
  features = _features(WIN, seed=1)
  np.testing.assert_allclose(
      model._decode(features, training=False)['amps'].numpy(),  # pylint: disable=protected-access
      model.decoder(features, training=False)['amps'].numpy(), atol=1e-6)
  off = _model(window_decoder=False)
  features = _features(100, seed=2)
  np.testing.assert_allclose(
      off._decode(features, training=False)['amps'].numpy(),  # pylint: disable=protected-access
      off.decoder(features, training=False)['amps'].numpy(), atol=1e-6)


def test_three_windows_on_one_frame_still_average():
  """n = 75 at 40-frame windows: starts 0, 30, 35, so frames 35-39 lie in
  all three and the ramps alone sum to more than 1 there. A decoder whose
  output is a constant (zero output kernel, bias 0.7) must give 0.7 on
  every frame."""
  model = _model()
  features = _features(75, seed=3)
  assert models.window_starts(75, WIN) == [0, 30, 35]
  model.decoder(_slice(features, 0, WIN), training=False)  # Builds it.
  dense = model.decoder.dense_out
  dense.kernel.assign(tf.zeros_like(dense.kernel))
  dense.bias.assign(tf.fill(dense.bias.shape, 0.7))
  out = model._decode(features, training=False)  # pylint: disable=protected-access
  for value in out.values():
    np.testing.assert_allclose(value.numpy(), 0.7, rtol=1e-6)

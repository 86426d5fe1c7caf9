# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""TimbreAutoencoder decodes and encodes sequences longer than its trained
length in windows of that length: each window's frames are what the
decoder (encoder) gives for that slice alone, and the overlaps are linear
cross-fades of the two."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import ddsp
from ddsp.training import decoders
import numpy as np
import tensorflow as tf

from interpret_ddsp import models
from interpret_ddsp.training import encoders
from interpret_ddsp.training import knob_targets

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


# ------------------------------------------------------------- The encoder.
HOP = 64  # Samples per frame at 16 kHz and 250 frames/s.


def _encoding_model(window_encoder=True):
  """Preprocessor and encoder trained (here: built) at WIN frames, 10 z
  frames, with a harmonic synth of WIN * HOP samples."""
  tf.keras.utils.set_random_seed(0)
  group = ddsp.processors.ProcessorGroup(dag=[(
      ddsp.synths.Harmonic(n_samples=WIN * HOP, sample_rate=16000),
      ['amps', 'harmonic_distribution', 'f0_hz'])])
  return models.TimbreAutoencoder(
      preprocessor=knob_targets.TimbrePreprocessor(time_steps=WIN),
      encoder=encoders.TimbreEncoder(rnn_channels=16, z_time_steps=10,
                                     free_dims=5),
      decoder=_model().decoder, processor_group=group,
      window_encoder=window_encoder)


def _tone(n_frames, seed=0):
  """A 220 Hz tone whose brightness and level wander (so each stretch of
  it has its own MFCC statistics), with f0 and loudness frames."""
  rng = np.random.default_rng(seed)
  t = np.arange(n_frames * HOP) / 16000.0
  bright = np.interp(t, np.linspace(0, t[-1], 7), rng.uniform(0.2, 0.9, 7))
  audio = sum(bright ** k * np.sin(2 * np.pi * 220 * k * t)
              for k in range(1, 12)) * np.interp(
                  t, np.linspace(0, t[-1], 5), rng.uniform(0.1, 0.5, 5))
  audio = audio + 0.01 * rng.normal(size=t.shape)
  return {'audio': tf.constant(audio[None], tf.float32),
          'f0_hz': tf.fill([1, n_frames, 1], 220.0),
          'loudness_db': tf.constant(
              rng.uniform(-40, -20, (1, n_frames, 1)), tf.float32)}


def _cut(features, start, win=WIN):
  return {'audio': features['audio'][:, start * HOP:(start + win) * HOP],
          'f0_hz': features['f0_hz'][:, start:start + win],
          'loudness_db': features['loudness_db'][:, start:start + win]}


def test_each_encoder_window_is_the_encoder_on_its_slice():
  model = _encoding_model()
  n = 100  # Windows at 0, 30, 60 frames (audio offsets 0, 1920, 3840).
  features = _tone(n)
  out = model.encode(dict(features))
  z = out['z'].numpy()
  assert z.shape == (1, n, 8)
  assert out['z_latent'].shape == (1, 25, 8)  # 10 z frames per 40 frames.
  alone = [model.encode(_cut(features, s))['z'].numpy() for s in (0, 30, 60)]
  np.testing.assert_allclose(z[:, :30], alone[0][:, :30], atol=1e-5)
  np.testing.assert_allclose(z[:, 40:60], alone[1][:, 10:30], atol=1e-5)
  np.testing.assert_allclose(z[:, 70:], alone[2][:, 10:], atol=1e-5)
  up = (np.arange(10) + 1) / 11.0
  expected = ((1 - up)[None, :, None] * alone[0][:, 30:] +
              up[None, :, None] * alone[1][:, :10])
  np.testing.assert_allclose(z[:, 30:40], expected, atol=1e-5)
  # z_latent is the same cross-faded z, at the example's 25 z frames:
  # its first frame is the first window's first.
  np.testing.assert_allclose(out['z_latent'].numpy()[:, 0], z[:, 0],
                             atol=1e-5)
  # Reading all 100 frames at once (instance norm over the whole example,
  # one recurrence) gives another z.
  whole = _encoding_model(window_encoder=False).encode(dict(features))
  assert np.abs(whole['z'].numpy()[:, 70:] - z[:, 70:]).max() > 1e-3


def test_at_the_trained_length_the_encoder_reads_the_example_whole():
  features = _cut(_tone(WIN, seed=4), 0)
  on = _encoding_model().encode(dict(features))['z'].numpy()
  off = _encoding_model(window_encoder=False).encode(dict(features))
  np.testing.assert_allclose(on, off['z'].numpy(), atol=1e-6)

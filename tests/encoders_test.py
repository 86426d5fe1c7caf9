# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp.training.encoders (TimbreEncoder: z = [knobs | free], time-varying,
pooled, variational) and interpret_ddsp.training.knob_targets (knob units, frame
weights, pooling, dataset statistics), on real harmonic tones."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims before ddsp.

import json

import ddsp
import numpy as np
import pytest
import tensorflow as tf

from interpret_ddsp.analysis import knobs
from interpret_ddsp import models
from interpret_ddsp.training import encoders
from interpret_ddsp.training import knob_targets
import timbre_batch

SMALL = dict(rnn_channels=16, z_time_steps=10, free_dims=5)  # Fast.
STATS = {'harmonic_centroid': (1.0, 0.5), 'sharpness': (2.0, 0.25),
         'spectral_flatness': (-30.0, 5.0)}
# Knobs named by these descriptors (a descriptor name is a knob name).
STAT_KNOBS = tuple(STATS)


@pytest.fixture(scope='module')
def tones():
  """Raw batch of 4 tones (timbre_batch) and its preprocessed features."""
  batch = timbre_batch.make_batch(noise=(0.0, 0.03, 0.003, 0.01))
  pre = knob_targets.TimbrePreprocessor(time_steps=250)
  features = {k: tf.constant(v) for k, v in batch.items()}
  features.update(pre(features))
  return batch, features


def _encoder(**kwargs):
  tf.keras.utils.set_random_seed(0)
  return encoders.TimbreEncoder(**{**SMALL, **kwargs})


# ------------------------------------------------------------- TimbreEncoder.
def test_z_is_knobs_then_free_dims(tones):
  _, features = tones
  encoder = _encoder()
  assert encoder.z_dims == 3 + 5 and encoder.n_knobs == 3
  out = encoder(features)
  z_latent, z = out['z_latent'].numpy(), out['z'].numpy()
  assert z_latent.shape == (4, 10, 8) and z.shape == (4, 250, 8)
  np.testing.assert_array_equal(encoder.knobs(out['z_latent']).numpy(),
                                z_latent[..., :3])
  # The decoder's z is z_latent resampled to its frames.
  np.testing.assert_allclose(z, ddsp.core.resample(z_latent, 250).numpy(),
                             atol=1e-6)
  assert np.std(z_latent) > 1e-3  # Not a constant.
  one = _encoder(knob_names=('sharpness',), free_dims=2)
  assert one.z_dims == 3
  assert one(features)['z_latent'].shape[-1] == 3


def test_pooled_z_is_the_same_at_every_decoder_frame(tones):
  _, features = tones
  out = _encoder(pooled=True)(features)
  z_latent, z = out['z_latent'].numpy(), out['z'].numpy()
  assert z_latent.shape == (4, 1, 8)
  np.testing.assert_allclose(z, np.broadcast_to(z_latent, z.shape),
                             atol=1e-6)
  # One z per example: the tones get different ones.
  assert np.abs(z_latent[0, 0] - z_latent[1, 0]).max() > 1e-4


def test_knob_targets_feed_the_encoder(tones):
  _, features = tones
  moved = dict(features, knob_targets=features['knob_targets'] + 1.0)
  with_inputs = _encoder()
  assert not np.allclose(with_inputs(features)['z_latent'].numpy(),
                         with_inputs(moved)['z_latent'].numpy(), atol=1e-4)
  without = _encoder(use_knob_inputs=False)
  np.testing.assert_array_equal(without(features)['z_latent'].numpy(),
                                without(moved)['z_latent'].numpy())


def test_variational_samples_in_training_and_returns_the_mean_otherwise(
    tones):
  _, features = tones
  encoder = _encoder(pooled=True, variational=True)
  eval_a = encoder(features, training=False)
  eval_b = encoder(features, training=False)
  np.testing.assert_array_equal(eval_a['z_latent'].numpy(),
                                eval_a['z_mean'].numpy())
  np.testing.assert_array_equal(eval_a['z_latent'].numpy(),
                                eval_b['z_latent'].numpy())
  # Variances start small: log-variance near logvar_init (-4).
  assert abs(np.mean(eval_a['z_logvar'].numpy()) + 4.0) < 1.0
  eps = []
  for _ in range(20):
    out = encoder(features, training=True)
    np.testing.assert_allclose(out['z_mean'].numpy(),
                               eval_a['z_mean'].numpy(), atol=1e-6)
    eps.append((out['z_latent'] - out['z_mean']).numpy() /
               np.exp(0.5 * out['z_logvar'].numpy()))
  eps = np.stack(eps)  # Reparameterization noise: N(0, 1), new each call.
  assert np.min(np.abs(eps[0] - eps[1])) > 0.0
  assert abs(np.mean(eps)) < 0.15  # 640 draws.
  assert 0.8 < np.var(eps) < 1.2


def test_knob_index_and_unknown_knobs():
  encoder = _encoder(knob_names=('brightness', 'sharpness', 'noisiness'))
  assert [encoder.knob_index(k) for k in ('brightness', 'sharpness',
                                          'noisiness')] == [0, 1, 2]
  with pytest.raises(KeyError, match='warmth'):
    encoder.knob_index('warmth')
  with pytest.raises(ValueError, match='warmth'):
    encoders.TimbreEncoder(knob_names=('brightness', 'warmth'))
  # A descriptor name is a knob name too.
  assert _encoder(knob_names=('spectral_centroid',)).knob_index(
      'spectral_centroid') == 0


# -------------------------------------------- TimbreAutoencoder bookkeeping.
def _bare_model(encoder_knobs=('brightness', 'sharpness', 'noisiness')):
  return models.TimbreAutoencoder(
      preprocessor=knob_targets.TimbrePreprocessor(
          knob_names=('brightness', 'sharpness', 'noisiness')),
      encoder=_encoder(knob_names=encoder_knobs))


def test_model_knobs_must_match_the_preprocessor():
  with pytest.raises(ValueError, match='differ'):
    _bare_model(('sharpness', 'brightness', 'noisiness'))


def test_z_from_knobs_places_named_values_then_free_dims():
  model = _bare_model()
  np.testing.assert_array_equal(model.z_from_knobs({'sharpness': 1.5}),
                                [[0.0, 1.5, 0.0] + [0.0] * 5])
  z = model.z_from_knobs({'brightness': [1.0, -1.0], 'noisiness': 2.0},
                         free=np.ones((2, 5)))
  np.testing.assert_array_equal(z, [[1.0, 0.0, 2.0] + [1.0] * 5,
                                    [-1.0, 0.0, 2.0] + [1.0] * 5])
  z = model.z_from_knobs({'brightness': 0.5}, free=np.ones((3, 5)))
  np.testing.assert_array_equal(z, [[0.5, 0.0, 0.0] + [1.0] * 5] * 3)
  with pytest.raises(KeyError, match='warmth'):
    model.z_from_knobs({'warmth': 1.0})


# ------------------------------------------------------- TimbrePreprocessor.
def test_standardize_round_trips_to_the_scaled_descriptors(tones):
  batch, _ = tones
  pre = knob_targets.TimbrePreprocessor(knob_names=STAT_KNOBS)
  values = {d: batch[d] for d in pre.descriptor_names}
  standardized = pre.standardize(values)
  scaled = np.stack([knobs.scale_descriptor(d, values[d]).numpy()
                     for d in pre.descriptor_names], -1)
  np.testing.assert_allclose(pre.unstandardize(standardized).numpy(), scaled,
                             rtol=1e-5, atol=1e-5)
  # Defaults: harmonic centroid 1.5 +- 1 octaves re f0.
  np.testing.assert_allclose(standardized.numpy()[..., 0],
                             scaled[..., 0] - 1.5, atol=1e-5)


def test_set_statistics_sets_the_knob_units():
  pre = knob_targets.TimbrePreprocessor(knob_names=STAT_KNOBS)
  # Raw values at each scaled mean, and one standard deviation above it.
  at_mean = {'harmonic_centroid': [[2.0 ** 1.0]], 'sharpness': [[2.0]],
             'spectral_flatness': [[10.0 ** (-30.0 / 10)]]}
  above = {'harmonic_centroid': [[2.0 ** 1.5]], 'sharpness': [[2.25]],
           'spectral_flatness': [[10.0 ** (-25.0 / 10)]]}
  before = pre.standardize(at_mean).numpy()
  pre.set_statistics(STATS)
  np.testing.assert_allclose(pre.standardize(at_mean).numpy(),
                             np.zeros((1, 1, 3)), atol=1e-5)
  np.testing.assert_allclose(pre.standardize(above).numpy(),
                             np.ones((1, 1, 3)), atol=1e-5)
  assert np.abs(before).max() > 0.1  # The defaults gave other values.
  np.testing.assert_allclose(pre.unstandardize(tf.ones([3])).numpy(),
                             [1.5, 2.25, -25.0], rtol=1e-6)


def test_statistics_from_a_json_file(tmp_path):
  path = tmp_path / 'knob_statistics.json'
  path.write_text(json.dumps({d: {'mean': m, 'std': s}
                              for d, (m, s) in STATS.items()}))
  pre = knob_targets.TimbrePreprocessor(knob_names=STAT_KNOBS,
                                         statistics=str(path))
  np.testing.assert_allclose(pre.knob_mean.numpy(), [1.0, 2.0, -30.0])
  np.testing.assert_allclose(pre.knob_std.numpy(), [0.5, 0.25, 5.0])


def test_preprocessor_outputs_knob_targets_and_weights(tones):
  batch, _ = tones
  pre = knob_targets.TimbrePreprocessor(knob_names=STAT_KNOBS,
                                         time_steps=250)
  confidence = np.full_like(batch['f0_hz'], 0.5)
  out = pre(dict(batch, f0_confidence=confidence))
  expected = pre.standardize({d: batch[d] for d in pre.descriptor_names})
  np.testing.assert_allclose(out['knob_targets'].numpy(), expected.numpy(),
                             atol=1e-5)
  gate = 1 / (1 + np.exp(-(batch['loudness_db'] + 60.0) / 3.0))
  weights = out['knob_weights'].numpy()
  # Harmonic centroid needs f0: its frames also weigh the confidence.
  np.testing.assert_allclose(weights[..., 0], 0.5 * gate, atol=1e-5)
  np.testing.assert_allclose(weights[..., 1], gate, atol=1e-5)
  np.testing.assert_allclose(weights[..., 2], gate, atol=1e-5)
  # Without the descriptors: ddsp's outputs only.
  plain = pre({'f0_hz': batch['f0_hz'], 'loudness_db': batch['loudness_db']})
  assert 'knob_targets' not in plain and 'f0_scaled' in plain


def test_frame_weights_gate_on_loudness_and_confidence():
  loudness = np.array([[-90.0, -60.0, -40.0]], np.float32)
  w = knobs.frame_weights(loudness).numpy()[0]
  assert w[0] < 1e-4 and w[1] == pytest.approx(0.5) and w[2] > 0.99
  conf = np.array([[1.0, 1.0, 0.25]], np.float32)
  assert knobs.frame_weights(loudness, conf, needs_f0=True).numpy()[
      0, 2] == pytest.approx(0.25 * w[2], rel=1e-5)
  assert knobs.frame_weights(loudness, conf).numpy()[0, 2] == (
      pytest.approx(w[2]))  # Not an f0 descriptor: confidence ignored.


def test_pool_frames_is_a_weighted_mean_per_segment():
  rng = np.random.default_rng(0)
  values = rng.standard_normal((2, 20, 3)).astype(np.float32)
  weights = rng.uniform(0.0, 1.0, (2, 20, 3)).astype(np.float32)
  mean, total = knobs.pool_frames(values, weights, 4)
  v = values.reshape(2, 4, 5, 3)
  w = weights.reshape(2, 4, 5, 3)
  np.testing.assert_allclose(total.numpy(), w.sum(2), rtol=1e-5)
  np.testing.assert_allclose(mean.numpy(), (v * w).sum(2) / w.sum(2),
                             rtol=1e-4, atol=1e-5)
  # Zero weight: a frame does not count, whatever its value.
  weights[0, 0] = 0.0
  values[0, 0] = 1e6
  mean_0, _ = knobs.pool_frames(values, weights, 4)
  np.testing.assert_allclose(mean_0.numpy()[0, 0],
                             (v[0, 0, 1:] * w[0, 0, 1:]).sum(0) /
                             w[0, 0, 1:].sum(0), rtol=1e-4)
  # Segments that do not divide the frames: resampled first.
  const, total = knobs.pool_frames(np.full((1, 250, 1), 2.0),
                                           np.ones((1, 250, 1)), 3)
  np.testing.assert_allclose(const.numpy(), 2.0, rtol=1e-5)
  np.testing.assert_allclose(total.numpy(), 83.0, rtol=1e-5)


class _Provider:
  """The one method knob_statistics uses of a ddsp DataProvider."""

  def __init__(self, batch):
    self.batch = batch

  def get_batch(self, batch_size, shuffle=True, repeats=-1,
                drop_remainder=True):  # ddsp's signature and default.
    del shuffle
    ds = tf.data.Dataset.from_tensor_slices(self.batch)
    return ds.repeat(repeats).batch(batch_size, drop_remainder=drop_remainder)


def test_knob_statistics_are_weighted_moments_of_scaled_descriptors(tones):
  batch, _ = tones
  batch = dict(batch, f0_confidence=np.linspace(
      0.0, 1.0, batch['f0_hz'].size, dtype=np.float32).reshape(
          batch['f0_hz'].shape))
  stats = knobs.knob_statistics(
      _Provider(batch), ['harmonic_centroid', 'sharpness'], batch_size=3)
  gate = 1 / (1 + np.exp(-(batch['loudness_db'] + 60.0) / 3.0))
  for name, w in (('harmonic_centroid', gate * batch['f0_confidence']),
                  ('sharpness', gate)):
    v = knobs.scale_descriptor(name, batch[name]).numpy()
    mean = (w * v).sum() / w.sum()
    std = np.sqrt((w * (v - mean) ** 2).sum() / w.sum())
    assert stats[name]['mean'] == pytest.approx(mean, rel=1e-4)
    assert stats[name]['std'] == pytest.approx(std, rel=1e-3)
    assert stats[name]['frames'] == pytest.approx(w.sum(), rel=1e-4)
    assert stats[name]['unit'] == knobs.TRANSFORMS[name][1]
  assert stats['sharpness']['std'] > 0.05  # The tones differ.

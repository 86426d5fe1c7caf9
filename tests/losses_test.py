# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp.training.losses: values of each timbre loss on hand-made tensors,
masking, gradient directions; and which parts of a tiny TimbreAutoencoder
(timbre_ae_tiny.gin) each loss trains, on a batch of real harmonic tones."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims before ddsp.

import ddsp
import gin
import numpy as np
import pytest
import tensorflow as tf

from interpret_ddsp.analysis import knobs
from interpret_ddsp.training import knob_targets
from interpret_ddsp.training import losses
from interpret_ddsp.training import train
import timbre_batch


def _grad(fn, x):
  """(fn(x), d fn / d x) for a NumPy x."""
  x = tf.constant(x, tf.float32)
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = fn(x)
  return float(y), tape.gradient(y, x)


# ------------------------------------------------- attribute regularization.
def test_ar_is_zero_when_each_dim_is_ordered_like_its_attribute():
  z = np.stack([np.arange(8.0), -np.arange(8.0)], -1)  # 1 apart.
  # Any increasing map of z's order: dim 0 increasing, dim 1 decreasing.
  attributes = np.stack([np.exp(np.arange(8.0)), 5.0 - 2 * np.arange(8.0)],
                        -1)
  assert losses.attribute_regularization(z, attributes, delta=20.0) < 0.05
  loss = losses.AttributeRegularizationLoss(weight=1.0, delta=20.0)
  assert float(loss(tf.constant(z, tf.float32), attributes)) < 0.05


def test_ar_is_two_when_every_pair_is_reversed():
  z = np.arange(8.0)[:, None]
  value = float(losses.attribute_regularization(z, -3.0 * z, delta=20.0))
  assert value > 1.9
  assert value == pytest.approx(2.0, abs=1e-5)


def test_ar_is_one_for_an_unrelated_order():
  rng = np.random.default_rng(0)
  z = rng.standard_normal((1000, 2))
  attributes = rng.standard_normal((1000, 2))
  # E|tanh(d dz) - sign(da)| = 1 for any delta when signs are independent.
  for delta in (1.0, 20.0):
    value = float(losses.attribute_regularization(z, attributes, delta))
    assert value == pytest.approx(1.0, abs=0.1)


def test_ar_middling_delta_counts_close_pairs_partly():
  # Pairs 0.1 apart with delta 1: |tanh(0.1) - 1| ~ 0.9, far from 0.
  z = np.array([[0.0], [0.1]])
  expected = 1.0 - np.tanh(0.1)
  value = float(losses.attribute_regularization(z, [[0.0], [1.0]], 1.0))
  assert value == pytest.approx(expected, rel=1e-5)


def test_ar_masked_examples_do_not_count():
  z = np.array([[0.0], [1.0], [2.0], [3.0]])
  attributes = np.array([[0.0], [1.0], [2.0], [-10.0]])  # Example 3 reversed.
  # Unmasked: 6 of the 12 ordered pairs involve example 3, each costs 2.
  assert float(losses.attribute_regularization(z, attributes, 20.0)) == (
      pytest.approx(1.0, abs=1e-4))
  mask = np.array([[1.0], [1.0], [1.0], [0.0]])
  assert float(losses.attribute_regularization(z, attributes, 20.0,
                                               mask)) < 1e-4
  # The masked example's value does not matter at all.
  z_moved = z.copy()
  z_moved[3] = -50.0
  assert float(losses.attribute_regularization(
      z_moved, attributes, 20.0, mask)) < 1e-4


def test_ar_mask_is_per_dim():
  z = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
  attributes = np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]])  # Dim 1 reversed.
  mask = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])  # Dim 1 all masked.
  assert float(losses.attribute_regularization(z, attributes, 20.0)) == (
      pytest.approx(1.0, abs=1e-4))  # Mean of dims: (0 + 2) / 2.
  assert float(losses.attribute_regularization(z, attributes, 20.0,
                                               mask)) < 1e-4


def test_ar_gradient_reorders_the_latent():
  attributes = np.array([[1.0], [0.0]])
  z = np.array([[0.0], [0.1]])  # Reversed, and close: tanh not saturated.
  loss = losses.AttributeRegularizationLoss(weight=1.0, delta=1.0)
  value, grad = _grad(lambda x: loss(x, attributes), z)
  grad = grad.numpy()[:, 0]
  # Descent raises z[0] (the larger attribute) and lowers z[1].
  assert grad[0] < -0.1 and grad[1] > 0.1
  assert grad[0] == pytest.approx(-grad[1], rel=1e-5)
  # A small step against the gradient lowers the loss.
  stepped = float(loss(tf.constant(z - 0.1 * grad[:, None], tf.float32),
                       attributes))
  assert stepped < value - 0.01


def test_ar_gradient_of_a_random_batch_lowers_the_loss():
  rng = np.random.default_rng(1)
  z = rng.standard_normal((16, 3))
  attributes = rng.standard_normal((16, 3))
  loss = losses.AttributeRegularizationLoss(weight=1.0, delta=3.0)
  value, grad = _grad(lambda x: loss(x, attributes), z)
  assert float(tf.norm(grad)) > 0.01
  stepped = float(loss(tf.constant(z, tf.float32) - 0.05 * grad, attributes))
  assert stepped < value


def test_ar_loss_weight_scales_the_value():
  rng = np.random.default_rng(2)
  z = tf.constant(rng.standard_normal((6, 2)), tf.float32)
  attributes = rng.standard_normal((6, 2))
  one = float(losses.AttributeRegularizationLoss(1.0, delta=3.0)(z, attributes))
  half = float(losses.AttributeRegularizationLoss(0.5, delta=3.0)(z,
                                                                   attributes))
  assert 0.1 < one < 2.0
  assert half == pytest.approx(0.5 * one, rel=1e-6)


def test_ar_losses_from_excludes_silent_examples_and_segments():
  # 4 examples, 2 segments, 1 knob. Targets order the examples 0 < 1 < 2 < 3.
  targets = np.array([[[0.0], [0.0]], [[1.0], [1.0]], [[2.0], [2.0]],
                      [[3.0], [3.0]]])
  knobs = targets.copy()
  knobs[3] = -10.0  # Example 3 would reverse every pair it is in...
  weights = np.full_like(targets, 5.0)
  weights[3] = 0.0  # ... but it is silent.
  knobs[0, 1] = 100.0  # Segment 1 of example 0 also silent: not pooled.
  weights[0, 1] = 0.5  # Below losses.MIN_SEGMENT_WEIGHT.
  batch = {'knobs': tf.constant(knobs, tf.float32),
           'knob_targets': tf.constant(targets, tf.float32),
           'target_weights': tf.constant(weights, tf.float32)}
  loss = losses.AttributeRegularizationLoss(weight=1.0, delta=20.0)
  assert float(loss.losses_from(batch, None)['ar_loss']) < 1e-4
  weights[3] = 5.0  # Now audible: its reversed pairs count.
  batch['target_weights'] = tf.constant(weights, tf.float32)
  assert float(loss.losses_from(batch, None)['ar_loss']) == pytest.approx(
      1.0, abs=1e-3)


# ---------------------------------------------------- descriptor supervision.
KNOBS = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
TARGETS = np.array([[0.0, 0.0], [1.0, 1.0]], np.float32)  # |diff| 1, 2, 2, 3.


@pytest.mark.parametrize('loss_type, expected, expected_masked', [
    ('L1', 2.0, 1.5), ('L2', 4.5, 2.5)])
def test_supervision_values(loss_type, expected, expected_masked):
  loss = losses.DescriptorSupervisionLoss(weight=1.0, loss_type=loss_type)
  assert float(loss(KNOBS, TARGETS)) == pytest.approx(expected, rel=1e-5)
  mask = np.array([[1.0, 1.0], [0.0, 0.0]], np.float32)  # First row only.
  assert float(loss(KNOBS, TARGETS, mask)) == pytest.approx(expected_masked,
                                                             rel=1e-5)
  weighted = losses.DescriptorSupervisionLoss(weight=2.0, loss_type=loss_type)
  assert float(weighted(KNOBS, TARGETS)) == pytest.approx(2 * expected,
                                                          rel=1e-5)


def test_supervision_trains_the_knobs_not_the_targets():
  loss = losses.DescriptorSupervisionLoss(weight=1.0, loss_type='L1')
  knobs = tf.constant(KNOBS)
  targets = tf.constant(TARGETS)
  with tf.GradientTape(persistent=True) as tape:
    tape.watch([knobs, targets])
    value = loss(knobs, targets)
  np.testing.assert_allclose(tape.gradient(value, knobs).numpy(),
                             np.full((2, 2), 0.25), rtol=1e-5)  # sign / n.
  assert tape.gradient(value, targets) is None


def test_supervision_losses_from_masks_quiet_segments():
  batch = {'knobs': tf.constant(KNOBS[:, :, None]),
           'knob_targets': tf.constant(TARGETS[:, :, None]),
           'target_weights': tf.constant([[[3.0], [3.0]], [[0.2], [0.9]]])}
  loss = losses.DescriptorSupervisionLoss(weight=1.0, loss_type='L1')
  assert float(loss.losses_from(batch, None)['descriptor_loss']) == (
      pytest.approx(1.5, rel=1e-5))


def test_supervision_invalid_loss_type_raises():
  with pytest.raises(ValueError, match='L1'):
    losses.DescriptorSupervisionLoss(loss_type='L3')


# ---------------------------------------------------------------------- KL.
def test_kl_is_zero_for_the_prior_itself():
  zeros = tf.zeros([3, 2, 5])
  assert float(losses.KLLoss(weight=1.0)(zeros, zeros)) == pytest.approx(
      0.0, abs=1e-7)


def test_kl_matches_the_closed_form():
  # KL(N(m, s^2) || N(0, 1)) = (s^2 + m^2 - 1 - log s^2) / 2 per dim.
  z_mean = tf.constant([[[1.0, 0.0, -2.0]], [[0.0, 0.0, 0.0]]])
  z_logvar = tf.constant([[[np.log(2.0), 0.0, -1.0]], [[0.0, 0.0, 0.0]]],
                         tf.float32)
  example_0 = (0.5 * (2.0 + 1.0 - 1.0 - np.log(2.0)) +
               0.5 * (np.exp(-1.0) + 4.0 - 1.0 + 1.0))
  expected = example_0 / 2  # Mean over the batch (example 1: KL 0).
  assert float(losses.KLLoss(weight=1.0)(z_mean, z_logvar)) == (
      pytest.approx(expected, rel=1e-5))
  assert float(losses.KLLoss()(z_mean, z_logvar)) == pytest.approx(
      1e-3 * expected, rel=1e-5)  # Default weight.


def test_kl_needs_a_variational_encoder():
  with pytest.raises(ValueError, match='variational'):
    losses.KLLoss().losses_from({'knobs': tf.zeros([1, 1, 3])}, None)


# ------------------------------------------------------ output consistency.
def test_decorrelation_is_the_mean_squared_correlation():
  """Orthogonal +-1 columns: free dim 0 copies knob 0's descriptor
  (correlation 1), free dim 1 is orthogonal to both (0): the mean of the
  four squared correlations is 1/4. Scaled and shifted copies count the
  same (Pearson), and the gradient lowers it."""
  t = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]], np.float32)
  free = np.stack([3.0 * t[:, 0] + 2.0, [1, -1, -1, 1]], -1).astype(
      np.float32)
  corr2 = losses.squared_correlations(free, t).numpy()
  np.testing.assert_allclose(corr2, [[1, 0], [0, 0]], atol=1e-5)
  loss = losses.FreeDimsDecorrelationLoss(weight=2.0)
  assert float(loss(free, t)) == pytest.approx(0.5, abs=1e-5)
  # A masked row leaves three: the copy still correlates 1.
  mask = np.array([1, 1, 1, 0], np.float32)
  assert losses.squared_correlations(free, t, mask).numpy()[0, 0] == (
      pytest.approx(1.0, abs=1e-5))
  rng = np.random.default_rng(0)
  z = tf.Variable(rng.normal(size=(16, 3)).astype(np.float32))
  targets = rng.normal(size=(16, 2)).astype(np.float32)
  z.assign(z + tf.concat([targets, targets[:, :1]], -1))  # Correlated.
  with tf.GradientTape() as tape:
    before = loss(z, targets)
  z.assign_sub(0.1 * tape.gradient(before, z))
  assert float(loss(z, targets)) < float(before)


def test_consistency_call_value_and_stopped_knob_gradient():
  knobs = tf.constant([[[0.0], [1.0]], [[2.0], [0.0]]])
  measured = tf.constant([[[0.5], [3.0]], [[2.0], [-1.0]]])
  mask = tf.constant([[[1.0], [1.0]], [[0.0], [1.0]]])
  for stop in (True, False):
    loss = losses.OutputConsistencyLoss(weight=1.0, stop_knob_gradient=stop)
    with tf.GradientTape(persistent=True) as tape:
      tape.watch([knobs, measured])
      value = loss(knobs, measured, mask)
    assert float(value) == pytest.approx((0.5 + 2.0 + 1.0) / 3, rel=1e-5)
    np.testing.assert_allclose(
        tape.gradient(value, measured).numpy()[..., 0],
        [[1 / 3, 1 / 3], [0.0, -1 / 3]], rtol=1e-5)
    knob_grad = tape.gradient(value, knobs)
    if stop:
      assert knob_grad is None
    else:
      np.testing.assert_allclose(knob_grad.numpy()[..., 0],
                                 [[-1 / 3, -1 / 3], [0.0, 1 / 3]], rtol=1e-5)


def test_consistency_measure_follows_the_brightness_of_the_audio():
  batch = timbre_batch.make_batch(f0s=(330.0,) * 3, n_harmonics=(1, 4, 16))
  pre = knob_targets.TimbrePreprocessor(time_steps=250)
  loss = losses.OutputConsistencyLoss()
  # 51 segments of one 50 Hz analysis frame each (1 s, centred frames).
  measured, _ = knobs.measure(
      batch['audio'], batch['f0_hz'], batch['loudness_db'],
      pre.descriptor_names, pre.knob_mean, pre.knob_std,
      frame_rate=loss.frame_rate, n_fft=loss.n_fft, n_segments=51)
  brightness = np.median(measured.numpy()[:, 5:-5, 0], axis=1)
  assert brightness[0] < brightness[1] - 0.5 < brightness[2] - 1.0
  # A pure tone's harmonic centroid is harmonic 1: log2(1) = 0 octaves;
  # 1/k amplitudes over 4 harmonics, energy-weighted:
  # sum(k / k^2) / sum(1 / k^2) = (25/12) / (205/144).
  mean, std = pre.knob_mean.numpy()[0], pre.knob_std.numpy()[0]
  assert brightness[0] * std + mean == pytest.approx(0.0, abs=0.05)
  assert brightness[1] * std + mean == pytest.approx(
      np.log2((25 / 12) / (205 / 144)), abs=0.05)


# ------------------------------------------------ on a TimbreAutoencoder.
def _norms(grads):
  return [None if g is None else float(tf.norm(g)) for g in grads]


def _forward_grads(model, batch):
  """Each loss of one training forward -> its value and the gradient norms
  of encoder and decoder variables."""
  tf.random.set_seed(0)  # The same filtered-noise excitation every time.
  inputs = {k: tf.constant(v) for k, v in batch.items()}
  with tf.GradientTape(persistent=True) as tape:
    _, loss_values = model(inputs, return_losses=True, training=True)
  result = {}
  for name, value in loss_values.items():
    result[name] = {
        'value': float(value),
        'encoder': _norms(tape.gradient(value,
                                        model.encoder.trainable_variables)),
        'decoder': _norms(tape.gradient(value,
                                        model.decoder.trainable_variables))}
  return result


@pytest.fixture(scope='module')
def model_grads():
  """Tiny learned-only timbre AE (the design with an output-consistency
  loss), one forward on 4 tones: per-loss gradient norms, with
  OutputConsistencyLoss.stop_knob_gradient True (default) and False."""
  train.parse_gin(['models/timbre_ae_learned_tiny.gin'])
  try:
    tf.keras.utils.set_random_seed(0)
    model = train.build_model()
    batch = timbre_batch.make_batch(noise=(0.0, 0.03, 0.003, 0.01))
    consistency = [l for l in model.timbre_losses
                   if isinstance(l, losses.OutputConsistencyLoss)][0]
    assert consistency.stop_knob_gradient
    stopped = _forward_grads(model, batch)
    consistency.stop_knob_gradient = False
    unstopped = _forward_grads(model, batch)
  finally:
    gin.clear_config()
  return stopped, unstopped


def _nonzero(norms):
  return [n for n in norms if n is not None and n > 0]


def test_model_has_the_timbre_losses_with_sane_values(model_grads):
  stopped, _ = model_grads
  assert set(stopped) == {'spectral_loss', 'ar_loss', 'descriptor_loss',
                          'consistency_loss', 'consistency_loss_perturbed',
                          'total_loss'}
  values = {k: v['value'] for k, v in stopped.items()}
  assert all(np.isfinite(list(values.values())))
  assert 0.0 < values['ar_loss'] < 2.0
  assert values['descriptor_loss'] > 0.0 and values['consistency_loss'] > 0.0
  assert values['total_loss'] == pytest.approx(
      sum(v for k, v in values.items() if k != 'total_loss'), rel=1e-5)


def test_consistency_loss_trains_the_decoder(model_grads):
  stopped, _ = model_grads
  decoder = stopped['consistency_loss']['decoder']
  assert len(_nonzero(decoder)) == len(decoder)  # Every decoder variable.


def test_perturbed_consistency_trains_only_the_decoder(model_grads):
  """The second pass (knobs moved off the data) decodes a gradient-stopped
  z: it reaches every decoder variable and no encoder variable."""
  stopped, _ = model_grads
  grads = stopped['consistency_loss_perturbed']
  assert grads['value'] > 0.0
  assert len(_nonzero(grads['decoder'])) == len(grads['decoder'])
  assert not _nonzero(grads['encoder'])


def test_consistency_loss_knob_gradient_is_stopped(model_grads):
  """stop_knob_gradient cuts the path from the loss's target (the knob) back
  to the encoder: switching it off changes the encoder's gradient, never the
  decoder's. The encoder still gets a gradient through the z it feeds the
  decoder (one synthesis serves every loss): the knob is a target, not a
  frozen input."""
  stopped, unstopped = model_grads
  np.testing.assert_allclose(stopped['consistency_loss']['decoder'],
                             unstopped['consistency_loss']['decoder'],
                             rtol=1e-4)
  enc_stopped = np.array(stopped['consistency_loss']['encoder'], float)
  enc_unstopped = np.array(unstopped['consistency_loss']['encoder'], float)
  assert np.all(enc_stopped > 0)  # Via the decoder's input z.
  assert np.max(np.abs(enc_unstopped - enc_stopped) / enc_stopped) > 0.01
  # The other losses do not depend on the flag.
  for name in ('spectral_loss', 'ar_loss', 'descriptor_loss'):
    assert stopped[name]['value'] == pytest.approx(unstopped[name]['value'],
                                                   rel=1e-5)


@pytest.mark.parametrize('name', ['ar_loss', 'descriptor_loss'])
def test_knob_losses_train_the_encoder_only(model_grads, name):
  stopped, _ = model_grads
  encoder = stopped[name]['encoder']
  assert len(_nonzero(encoder)) == len(encoder)
  assert all(g is None for g in stopped[name]['decoder'])


# ------------------------------------------------ shared-band spectral loss.
def _tone(hz, rate, secs=1.0, amp=0.5):
  t = np.arange(int(rate * secs)) / rate
  return (amp * np.sin(2 * np.pi * hz * t)).astype(np.float32)[None]


def test_bandlimited_resample_matches_the_tone_made_at_the_lower_rate():
  # 1 kHz + 12 kHz at 48 kHz, cut to 16 kHz: the 1 kHz tone sampled at
  # 16 kHz (away from the clip's ends, where the filter meets the padding),
  # nothing of the 12 kHz one (above 8 kHz), no alias at 4 kHz.
  x = _tone(1000, 48000) + _tone(12000, 48000)
  y = losses.bandlimited_resample(x, 48000, 16000).numpy()
  assert y.shape == (1, 16000)
  np.testing.assert_allclose(y[:, 64:-64], _tone(1000, 16000)[:, 64:-64],
                             atol=1e-3)
  spectrum = np.abs(np.fft.rfft(y[0, 64:-64]))
  assert spectrum[4000 * 15872 // 16000] < 1e-3 * spectrum.max()


def test_bandlimited_resample_leaves_silence_after_a_note_silent():
  # A note that stops halfway: within 5 ms after it, the resampled clip is
  # silent to -80 dB of the note (a whole-clip FFT cut rings all over it,
  # and the log-magnitude loss then asks the model for that ringing).
  x = _tone(440, 48000) + _tone(7000, 48000, amp=0.2)
  x[:, 24000:] = 0.0
  y = losses.bandlimited_resample(x, 48000, 16000).numpy()[0]
  assert np.abs(y[8000 + 80:]).max() < 1e-4 * np.abs(y[:8000]).max()


def test_bandlimited_resample_refuses_uneven_rates_and_upsampling():
  with pytest.raises(ValueError, match='whole number'):
    losses.bandlimited_resample(np.zeros((1, 1000), np.float32), 48000, 22050)
  with pytest.raises(ValueError, match='lower'):
    losses.bandlimited_resample(np.zeros((1, 1000), np.float32), 16000, 48000)


def test_shared_band_loss_ignores_the_air_and_equals_the_16k_loss():
  kwargs = dict(fft_sizes=(1024, 256, 64), mag_weight=1.0, logmag_weight=1.0)
  shared = losses.SharedBandSpectralLoss(sample_rate=48000, band_rate=16000,
                                         **kwargs)
  full_48k = ddsp.losses.SpectralLoss(**kwargs)
  # A noise floor 40 dB down fills every bin, so the log magnitudes compare
  # sound, not float rounding in empty bins.
  floor = 0.005 * np.random.RandomState(0).randn(1, 48000).astype(np.float32)
  low, air = _tone(440, 48000) + floor, _tone(11000, 48000, amp=0.1)
  # What differs only above 8 kHz costs the full-band loss, not this one.
  assert float(full_48k(low, low + air)) > 0.1
  assert float(shared(low, low + air)) < 0.01 * float(full_48k(low, low + air))
  # Below 8 kHz it is the loss of the same tones made at 16 kHz (linear
  # magnitudes: pure tones leave bins empty, whose logs are rounding).
  mag = dict(fft_sizes=(1024, 256, 64), mag_weight=1.0)
  expected = float(ddsp.losses.SpectralLoss(**mag)(
      _tone(440, 16000), _tone(660, 16000, amp=0.3)))
  got = float(losses.SharedBandSpectralLoss(**mag)(
      _tone(440, 48000), _tone(660, 48000, amp=0.3)))
  assert got == pytest.approx(expected, rel=0.01)

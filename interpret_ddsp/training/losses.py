# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Timbre-regularized losses: ddsp Loss subclasses that hold knobs to meaning.

Each loss is a `ddsp.losses.Loss` (a Keras layer) with a `weight`, callable
on tensors (its `call`, documented with shapes), and with
`losses_from(batch, model)` that picks its tensors from the dict a
`TimbreAutoencoder` builds each step:

  knobs           [batch, n_seg, n_knobs]  named dims of z (sampled z for a
                                           VAE), n_seg = z frames (1 pooled)
  knob_targets    [batch, n_seg, n_knobs]  standardized input descriptors,
                                           pooled to the z frames
  target_weights  [batch, n_seg, n_knobs]  total frame weight per segment
  audio_synth     [batch, n_samples]       the model's output audio
  f0_hz, loudness_db, f0_confidence        [batch, time_steps, 1] (input)
  z_mean, z_logvar                         [batch, n_seg, z_dims] (VAE)

The four losses:
1. AttributeRegularizationLoss (Pati & Lerch 2021, "Attribute-based
   regularization of latent spaces for variational auto-encoders", Neural
   Computing and Applications 33): for knob r and its attribute a,
   mean over pairs i != j of |tanh(delta * (z_ir - z_jr)) - sign(a_i - a_j)|.
   Under a multi-replica strategy the pairs span the global batch (all-gather).
2. DescriptorSupervisionLoss: |knob - target| (L1) or squared (L2).
3. OutputConsistencyLoss: the descriptor measured (differentiably) on the
   synthesized audio, standardized like the targets, must equal the knob:
   gradients reach the decoder, so turning a knob changes the sound.
4. KLLoss: KL(N(mean, exp(logvar)) || N(0, 1)), summed over z dims.

One reconstruction loss sits beside them, a ddsp SpectralLoss for the
model's `losses` list: SharedBandSpectralLoss, the spectral loss of both
signals resampled to a lower rate (a 48 kHz model's 0-8 kHz band, weighed
as a 16 kHz model weighs it).
"""

import functools

import ddsp
import gin
import numpy as np
import scipy.signal
import tensorflow as tf

from interpret_ddsp.analysis import knobs

# A segment counts when its frames weigh at least this much in total.
MIN_SEGMENT_WEIGHT = 1.0


def global_batch(x):
  """x [local_batch, ...] -> [global_batch, ...] across replicas (identity
  outside a multi-replica replica context). Gradients flow to each replica's
  own slice."""
  ctx = tf.distribute.get_replica_context()
  if ctx is None or ctx.num_replicas_in_sync == 1:
    return x
  return ctx.all_gather(x, axis=0)


def segment_mask(target_weights):
  """1.0 where a segment has enough loud frames, else 0.0."""
  return tf.cast(target_weights >= MIN_SEGMENT_WEIGHT, tf.float32)


def attribute_regularization(values, attributes, delta=1.0, mask=None):
  """AR-VAE pairwise loss, averaged over valid pairs and dims.

  Args:
    values: Latent dims [n, k].
    attributes: Attributes [n, k], one per dim.
    delta: Steepness of tanh (latent units^-1).
    mask: [n, k] 1.0 for examples that count (default all).

  Returns:
    Scalar in [0, 2]: 0 when every pair is ordered alike (tanh saturated),
    2 when every pair is reversed.
  """
  values = tf.convert_to_tensor(values, tf.float32)
  attributes = tf.convert_to_tensor(attributes, tf.float32)
  if mask is None:
    mask = tf.ones_like(values)
  dz = values[:, None, :] - values[None, :, :]
  da = attributes[:, None, :] - attributes[None, :, :]
  err = tf.abs(tf.tanh(delta * dz) - tf.sign(da))
  n = tf.shape(values)[0]
  off_diag = 1.0 - tf.eye(n)
  pair_mask = mask[:, None, :] * mask[None, :, :] * off_diag[..., None]
  return tf.reduce_sum(err * pair_mask) / (tf.reduce_sum(pair_mask) + 1e-6)


def _pooled_over_segments(x, weights):
  """[batch, n_seg, k] -> [batch, k], weighted mean over segments."""
  return (tf.reduce_sum(x * weights, axis=1) /
          (tf.reduce_sum(weights, axis=1) + 1e-6))


class TimbreLoss(ddsp.losses.Loss):
  """Base: a weighted loss that reads its inputs from the model's batch."""

  def __init__(self, weight=1.0, name=None):
    super().__init__(name=name)
    self.weight = weight

  def losses_from(self, batch, model):
    """{name: weighted loss} from the step's batch dict (see module doc)."""
    raise NotImplementedError


@gin.register
class AttributeRegularizationLoss(TimbreLoss):
  """Knob r ordered like its attribute across the (global) batch."""

  def __init__(self, weight=1.0, delta=3.0, name='ar_loss'):
    super().__init__(weight, name)
    self.delta = delta

  def call(self, knobs, attributes, mask=None):
    """Args: knobs, attributes [batch, k] (per example), mask [batch, k].

    Returns: weighted scalar loss over the global batch.
    """
    knobs = global_batch(knobs)
    attributes = global_batch(attributes)
    if mask is not None:
      mask = global_batch(mask)
    return self.weight * attribute_regularization(knobs, attributes,
                                                  self.delta, mask)

  def losses_from(self, batch, model):
    mask = segment_mask(batch['target_weights'])
    knobs = _pooled_over_segments(batch['knobs'], mask)
    targets = _pooled_over_segments(batch['knob_targets'], mask)
    valid = tf.cast(tf.reduce_max(mask, axis=1) > 0, tf.float32)
    return {self.name: self(knobs, targets, valid)}


@gin.register
class DescriptorSupervisionLoss(TimbreLoss):
  """Knob equals the standardized descriptor of the input."""

  def __init__(self, weight=1.0, loss_type='L1', name='descriptor_loss'):
    super().__init__(weight, name)
    if loss_type not in ('L1', 'L2'):
      raise ValueError(f"loss_type must be 'L1' or 'L2', not {loss_type!r}.")
    self.loss_type = loss_type

  def call(self, knobs, targets, mask=None):
    """Args: knobs, targets, mask: [..., k]. Returns weighted scalar."""
    diff = knobs - tf.stop_gradient(targets)
    err = tf.abs(diff) if self.loss_type == 'L1' else diff ** 2
    if mask is None:
      mask = tf.ones_like(err)
    return self.weight * (tf.reduce_sum(err * mask) /
                          (tf.reduce_sum(mask) + 1e-6))

  def losses_from(self, batch, model):
    return {self.name: self(batch['knobs'], batch['knob_targets'],
                            segment_mask(batch['target_weights']))}


@gin.register
class OutputConsistencyLoss(TimbreLoss):
  """The descriptor of the synthesized audio follows the knob.

  Descriptors are measured on the output at `frame_rate` with an `n_fft`
  STFT (coarser than the data's, for speed), standardized with the model's
  knob statistics, weighted by the input's frame weights and pooled to the
  z segments.

  On data the knobs only take the values they have together (brightness and
  sharpness move together in real instruments), so the decoder could follow
  one and ignore another. With `perturb_fraction` > 0 a share of the batch is
  decoded a second time from its z (gradient stopped) with every knob moved
  by N(0, perturb_std): the output must follow these unseen combinations
  too ('<name>_perturbed' in the losses; trains the decoder only).
  """

  def __init__(self, weight=1.0, frame_rate=50, n_fft=1024, sample_rate=16000,
               loss_type='L1', stop_knob_gradient=True, perturb_fraction=0.0,
               perturb_std=1.0, name='consistency_loss'):
    super().__init__(weight, name)
    self.perturb_fraction = perturb_fraction
    self.perturb_std = perturb_std
    self.frame_rate = frame_rate
    self.n_fft = n_fft
    self.sample_rate = sample_rate
    self.loss_type = loss_type
    self.stop_knob_gradient = stop_knob_gradient

  def call(self, knobs, measured, mask):
    """Args: knobs, measured, mask [batch, n_seg, k]. Returns scalar."""
    if self.stop_knob_gradient:
      knobs = tf.stop_gradient(knobs)
    diff = measured - knobs
    err = tf.abs(diff) if self.loss_type == 'L1' else diff ** 2
    return self.weight * (tf.reduce_sum(err * mask) /
                          (tf.reduce_sum(mask) + 1e-6))

  def _measured_pooled(self, batch, model, audio, n):
    """Measured knob descriptors of `audio` (the batch's first n examples),
    pooled to the z segments (`knobs.measure`), and the segment mask."""
    pre = model.preprocessor
    conf = batch.get('f0_confidence')
    pooled, total = knobs.measure(
        audio, batch['f0_hz'][:n, :, 0], batch['loudness_db'][:n, :, 0],
        pre.descriptor_names, pre.knob_mean, pre.knob_std,
        sample_rate=self.sample_rate, frame_rate=self.frame_rate,
        n_fft=self.n_fft,
        f0_confidence=None if conf is None else conf[:n, :, 0],
        n_segments=int(batch['knobs'].shape[1]))
    mask = segment_mask(total) * segment_mask(batch['target_weights'][:n])
    return pooled, mask

  def losses_from(self, batch, model):
    n = int(batch['knobs'].shape[0])
    pooled, mask = self._measured_pooled(batch, model, batch['audio_synth'], n)
    losses = {self.name: self(batch['knobs'], pooled, mask)}
    if self.perturb_fraction > 0 and 'decoder_features' in batch:
      m = max(1, int(round(n * self.perturb_fraction)))
      z = tf.stop_gradient(batch['z_latent'][:m])
      k = int(batch['knobs'].shape[-1])
      knobs = z[..., :k] + self.perturb_std * tf.random.normal(
          tf.shape(z[..., :k]))
      audio = model.decode_z(
          {key: v[:m] for key, v in batch['decoder_features'].items()},
          tf.concat([knobs, z[..., k:]], axis=-1))
      pooled, mask = self._measured_pooled(batch, model, audio, m)
      losses[f'{self.name}_perturbed'] = self(knobs, pooled, mask)
    return losses


@gin.register
class KLLoss(TimbreLoss):
  """KL divergence of the encoder's Gaussian from N(0, I)."""

  def __init__(self, weight=1e-3, name='kl_loss'):
    super().__init__(weight, name)

  def call(self, z_mean, z_logvar):
    """Args: [batch, n_seg, z_dims]. Returns weighted mean over batch and
    segments of the KL summed over dims (nats)."""
    kl = 0.5 * tf.reduce_sum(
        tf.exp(z_logvar) + z_mean ** 2 - 1.0 - z_logvar, axis=-1)
    return self.weight * tf.reduce_mean(kl)

  def losses_from(self, batch, model):
    if 'z_mean' not in batch:
      raise ValueError('KLLoss needs a variational encoder '
                       '(TimbreEncoder.variational = True).')
    return {self.name: self(batch['z_mean'], batch['z_logvar'])}


def squared_correlations(x, y, mask=None):
  """Squared Pearson correlations of every column of x with every column
  of y over the rows, [k_x, k_y] in [0, 1].

  Args:
    x: [n, k_x]; y: [n, k_y].
    mask: [n] 1.0 for rows that count (default all).
  """
  x = tf.convert_to_tensor(x, tf.float32)
  y = tf.convert_to_tensor(y, tf.float32)
  w = tf.ones_like(x[:, 0]) if mask is None else tf.cast(mask, tf.float32)
  w = w[:, None] / (tf.reduce_sum(w) + 1e-6)
  xc = x - tf.reduce_sum(w * x, 0, keepdims=True)
  yc = y - tf.reduce_sum(w * y, 0, keepdims=True)
  cov = tf.matmul(w * xc, yc, transpose_a=True)
  var_x = tf.reduce_sum(w * xc ** 2, 0)
  var_y = tf.reduce_sum(w * yc ** 2, 0)
  return cov ** 2 / (var_x[:, None] * var_y[None, :] + 1e-6)


@gin.register
class FreeDimsDecorrelationLoss(TimbreLoss):
  """The free dims carry none of the knobs' descriptors (a hybrid design).

  With knob processors the sound follows the knobs whatever the free dims
  hold, but free dims that also encode the knobs' descriptors make "the
  rest of z" a second, unnamed set of the same controls, and lower MIG and
  SAP. This penalty is the mean, over free dims and knobs, of the squared
  Pearson correlation across the (global) batch between a free dim and the
  knob's standardized input descriptor.
  """

  def __init__(self, weight=1.0, name='decorrelation_loss'):
    super().__init__(weight, name)

  def call(self, free, targets, mask=None):
    """Args: free [batch, n_free], targets [batch, n_knobs], mask [batch].

    Returns: weighted scalar in [0, weight].
    """
    free, targets = global_batch(free), global_batch(targets)
    if mask is not None:
      mask = global_batch(mask)
    return self.weight * tf.reduce_mean(
        squared_correlations(free, tf.stop_gradient(targets), mask))

  def losses_from(self, batch, model):
    mask = segment_mask(batch['target_weights'])
    k = int(batch['knobs'].shape[-1])
    free = _pooled_over_segments(batch['z_latent'][..., k:], mask[..., :1])
    targets = _pooled_over_segments(batch['knob_targets'], mask)
    valid = tf.cast(tf.reduce_max(mask, axis=[1, 2]) > 0, tf.float32)
    return {self.name: self(free, targets, valid)}


@functools.lru_cache(maxsize=8)
def lowpass_taps(sample_rate, cutoff_hz, width_hz, attenuation_db=60.0):
  """A Kaiser-windowed sinc low-pass FIR (odd length, linear phase).

  Args:
    sample_rate: Rate it filters at (Hz).
    cutoff_hz: Its -6 dB point (Hz).
    width_hz: Transition band, centred on the cutoff (Hz).
    attenuation_db: Stopband attenuation and passband ripple (dB).

  Returns:
    float32 taps [n_taps] (sum 1: unit gain at 0 Hz).

  >>> taps = lowpass_taps(48000, 7600.0, 800.0)
  >>> len(taps), round(float(taps.sum()), 4)
  (219, 1.0)
  """
  n_taps, beta = scipy.signal.kaiserord(attenuation_db,
                                        width_hz / (sample_rate / 2))
  return scipy.signal.firwin(n_taps | 1, cutoff_hz, window=('kaiser', beta),
                             fs=sample_rate).astype(np.float32)


def bandlimited_resample(audio, sample_rate, target_rate):
  """Resample audio to a rate a whole number of times lower (differentiable).

  A low-pass FIR (`lowpass_taps`: -6 dB at 95% of the new Nyquist
  frequency, 60 dB down from it on) over the zero-padded clip, keeping
  every (sample_rate / target_rate)-th sample. The filter is 4.6 ms long at
  48 kHz, so what it smears stays within 2.3 ms of where it was: a note that
  ends leaves silence behind (a whole-clip FFT cut would ring into it, at a
  level the log-magnitude loss weighs).

  Args:
    audio: [batch, n_samples] at `sample_rate` (Hz).
    sample_rate: Rate of `audio` (Hz).
    target_rate: Lower rate (Hz); sample_rate / target_rate must be a whole
      number.

  Returns:
    [batch, ceil(n_samples * target_rate / sample_rate)] at `target_rate`.

  >>> t = tf.range(48000, dtype=tf.float32) / 48000
  >>> x = tf.sin(2 * 3.14159265 * 1000 * t)[None]
  >>> y = bandlimited_resample(x, 48000, 16000)
  >>> y.shape, round(float(tf.reduce_max(tf.abs(y))), 2)
  (TensorShape([1, 16000]), 1.0)
  """
  audio = tf.convert_to_tensor(audio, tf.float32)
  if target_rate > sample_rate or sample_rate % target_rate:
    raise ValueError(
        f'Cannot resample from {sample_rate} Hz to {target_rate} Hz: the '
        'new rate must be lower, and divide the old one a whole number of '
        'times.')
  factor = sample_rate // target_rate
  if factor == 1:
    return audio
  nyquist = target_rate / 2
  taps = lowpass_taps(sample_rate, 0.95 * nyquist, 0.1 * nyquist)
  pad = len(taps) // 2
  padded = tf.pad(audio, [[0, 0], [pad, pad]])[:, :, None]
  return tf.nn.conv1d(padded, taps[:, None, None], stride=factor,
                      padding='VALID')[:, :, 0]


@gin.register
class SharedBandSpectralLoss(ddsp.losses.SpectralLoss):
  """ddsp's multi-scale spectral loss on the band below `band_rate` / 2.

  Both signals are low-passed and decimated to `band_rate`
  (`bandlimited_resample`, which needs band_rate to divide sample_rate) and
  compared there with ddsp's SpectralLoss (same FFT sizes and weights). Next
  to the full-band SpectralLoss of a 48 kHz model, with band_rate 16000 it
  adds the very loss a 16 kHz model trains on: the full-band loss alone
  averages over bins of which two thirds lie above 8 kHz, so the band a
  16 kHz model gives all its attention gets a third of it.
  """

  def __init__(self, sample_rate=48000, band_rate=16000,
               name='shared_band_spectral_loss', **kwargs):
    super().__init__(name=name, **kwargs)
    self.sample_rate = sample_rate
    self.band_rate = band_rate

  def call(self, target_audio, audio, weights=None):
    """Args: target_audio, audio [batch, n_samples] at sample_rate."""
    return super().call(
        bandlimited_resample(target_audio, self.sample_rate, self.band_rate),
        bandlimited_resample(audio, self.sample_rate, self.band_rate),
        weights)

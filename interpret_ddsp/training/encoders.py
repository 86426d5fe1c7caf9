# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Timbre encoder: z = [named knobs | free dims], a ddsp ZEncoder.

The first `len(knob_names)` dimensions of z are knobs: trained (by the losses
in interpret_ddsp.training.losses) to hold the standardized descriptor each knob
stands for (see interpret_ddsp.training.knob_targets). The rest are free dimensions
for whatever else the decoder needs.

Inputs are pitch-robust: MFCCs of the audio, instance-normalized (ddsp's
MfccTimeDistributedRnnEncoder front end), plus, where the batch has them,
the knob targets themselves: standardized f0-normalized descriptors
(e.g. harmonic centroid in octaves re f0), which carry timbre, not pitch.

Two granularities:
- time-varying (`pooled=False`): z [batch, z_time_steps, z_dims], like
  ddsp's MfccTimeDistributedRnnEncoder;
- pooled (`pooled=True`): one z per example [batch, 1, z_dims], the
  frame features averaged with the frames' loudness weights; what a prior
  over timbre needs.
Either way the decoder gets z resampled to its time steps (ZEncoder).

Variational (`variational=True`): the encoder outputs a mean and a
log-variance; training uses a reparameterized sample, inference the mean.
"""

import ddsp
from ddsp.training import encoders as ddsp_encoders
from ddsp.training import nn
import gin
import tensorflow as tf

from interpret_ddsp.analysis import knobs

tfkl = tf.keras.layers


@gin.register
class TimbreEncoder(ddsp_encoders.ZEncoder):
  """MFCC (+ knob targets) -> RNN -> z = [knobs | free dims].

  Outputs (dict):
    z: [batch, n_time_steps, z_dims], resampled to the f0_scaled frames,
      for the decoder.
    z_latent: [batch, z_time_steps or 1, z_dims], z at its own rate (a
      sample when variational and training, else the mean).
    z_mean, z_logvar: [same] when variational.
  """

  def __init__(self, knob_names=knobs.DEFAULT_KNOBS,
               free_dims=13, pooled=False, variational=False,
               rnn_channels=512, rnn_type='gru', z_time_steps=125,
               n_mfcc=30, fft_size=1024, sample_rate=16000,
               use_knob_inputs=True,
               logvar_init=-4.0, **kwargs):
    """Constructor.

    Args:
      knob_names: Named dims, in order (knobs or descriptor names, see
        knobs.knob_descriptor).
      free_dims: Unnamed dims after the knobs.
      pooled: One z per example instead of z_time_steps frames.
      variational: Gaussian posterior (mean, log-variance) with sampling.
      rnn_channels: GRU/LSTM units.
      rnn_type: 'gru' or 'lstm'.
      z_time_steps: Frames of the time-varying z (features are computed at
        this rate before pooling).
      n_mfcc: MFCC coefficients.
      fft_size: STFT size for the MFCCs, samples.
      sample_rate: Audio rate, Hz.
      use_knob_inputs: Feed the knob targets (when in the batch) to the RNN.
      logvar_init: Initial bias of the log-variance output (variational).
      **kwargs: Keras layer arguments.
    """
    super().__init__(input_keys=['audio'], **kwargs)
    for knob in knob_names:
      knobs.knob_descriptor(knob)  # Raises on unknown names.
    self.knob_names = tuple(knob_names)
    self.n_knobs = len(self.knob_names)
    self.free_dims = int(free_dims)
    self.z_dims = self.n_knobs + self.free_dims
    self.pooled = pooled
    self.variational = variational
    self.z_time_steps = int(z_time_steps)
    self.n_mfcc = n_mfcc
    self.fft_size = fft_size
    self.sample_rate = sample_rate
    self.use_knob_inputs = use_knob_inputs
    # ZEncoder's call() takes positional inputs; ours reads optional keys.
    self.input_keys = ['audio', 'f0_scaled']
    self.default_input_keys = ['knob_targets', 'knob_weights']
    self.default_input_values = [None, None]
    self.output_keys = ['z', 'z_latent']

    self.norm = nn.Normalize('instance')
    self.rnn = nn.Rnn(rnn_channels, rnn_type)
    if variational:  # Means start at 0, variances small (exp(logvar_init)).
      bias = [0.0] * self.z_dims + [float(logvar_init)] * self.z_dims
      self.dense_out = tfkl.Dense(
          2 * self.z_dims,
          bias_initializer=tf.keras.initializers.Constant(bias))
    else:
      self.dense_out = tfkl.Dense(self.z_dims)

  def mfcc(self, audio):
    """[batch, n_samples] -> instance-normalized MFCCs [batch, z_time_steps,
    n_mfcc]."""
    n_samples = int(audio.shape[-1])
    hop = max(1, n_samples // self.z_time_steps)
    fft_size = max(self.fft_size, hop)
    mfccs = ddsp.spectral_ops.compute_mfcc(
        audio, lo_hz=20.0, hi_hz=8000.0, fft_size=fft_size, mel_bins=128,
        mfcc_bins=self.n_mfcc, overlap=1.0 - hop / fft_size, pad_end=True,
        sample_rate=self.sample_rate)
    mfccs = mfccs[:, :self.z_time_steps]
    if int(mfccs.shape[1]) != self.z_time_steps:
      mfccs = ddsp.core.resample(mfccs, self.z_time_steps)
    return self.norm(mfccs[:, :, tf.newaxis, :])[:, :, 0, :]

  def call(self, audio, f0_scaled, knob_targets=None, knob_weights=None,
           training=False):
    x = self.mfcc(audio)
    pool_w = tf.ones_like(x[..., :1])
    if knob_weights is not None:
      pool_w, _ = knobs.pool_frames(
          tf.reduce_mean(knob_weights, -1, keepdims=True),
          tf.ones_like(knob_weights[..., :1]), self.z_time_steps)
    if self.use_knob_inputs and knob_targets is not None:
      w = (tf.ones_like(knob_targets) if knob_weights is None
           else knob_weights)
      targets, _ = knobs.pool_frames(knob_targets, w,
                                             self.z_time_steps)
      x = tf.concat([x, targets], axis=-1)
    elif self.use_knob_inputs:
      x = tf.concat([x, tf.zeros_like(x[..., :self.n_knobs])], axis=-1)
    h = self.rnn(x)
    if self.pooled:
      h, _ = knobs.pool_frames(h, tf.broadcast_to(pool_w, tf.shape(h)),
                                       1)
    out = self.dense_out(h)
    outputs = {}
    if self.variational:
      z_mean, z_logvar = tf.split(out, 2, axis=-1)
      z_logvar = tf.clip_by_value(z_logvar, -12.0, 6.0)
      if training:
        eps = tf.random.normal(tf.shape(z_mean))
        z = z_mean + tf.exp(0.5 * z_logvar) * eps
      else:
        z = z_mean
      outputs.update(z_mean=z_mean, z_logvar=z_logvar)
    else:
      z = out
    outputs['z_latent'] = z
    outputs['z'] = self.expand_z(z, int(f0_scaled.shape[1]))
    return outputs

  def knobs(self, z):
    """The named dims of z [..., z_dims] -> [..., n_knobs]."""
    return z[..., :self.n_knobs]

  def knob_index(self, name):
    """Position of a knob in z, by name."""
    if name not in self.knob_names:
      raise KeyError(f'No knob {name!r}; this model has '
                     f'{", ".join(self.knob_names)}.')
    return self.knob_names.index(name)

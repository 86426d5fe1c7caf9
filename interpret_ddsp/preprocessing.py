# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Knob targets: descriptors -> standardized, pooled values a knob should hold.

A knob (a named dimension of z, e.g. 'brightness') stands for one descriptor
(`descriptors.KNOB_DESCRIPTORS`). Its target value is the descriptor of the
input audio, first mapped to a perceptually even scale (`TRANSFORMS`: log2 of
a frequency or harmonic number, dB of a flatness) and then standardized with
the training set's mean and standard deviation of that scaled value. A knob at
0 is the training set's average, +1 one standard deviation brighter (sharper,
noisier). The statistics are TF variables of the preprocessor, so they travel
inside every checkpoint: a trained model knows its own knob units.

Frames do not count equally: a frame's weight (`frame_weights`) is its
loudness gate (quiet frames carry no timbre), times the f0 confidence for
descriptors defined by f0.
"""

import json

import ddsp
from ddsp.training import preprocessing as ddsp_preprocessing
import gin
import numpy as np
import tensorflow as tf

from interpret_ddsp import descriptors

# Scaled value of each descriptor: (function, unit after scaling).
TRANSFORMS = {
    'spectral_centroid': (lambda x: _log2(x, 20.0), 'octaves re 1 Hz'),
    'harmonic_centroid': (lambda x: _log2(x, 0.5), 'octaves re f0'),
    'spectral_flatness': (lambda x: 10.0 * _log10(x, 1e-6), 'dB'),
    'spectral_rolloff': (lambda x: _log2(x, 20.0), 'octaves re 1 Hz'),
    'odd_even_ratio': (lambda x: x, 'dB'),
    'sharpness': (lambda x: x, 'acum'),
}
# Rough typical (mean, std) of each scaled descriptor on instrument audio,
# used until statistics of the training set are given.
DEFAULT_STATISTICS = {
    'spectral_centroid': (10.5, 1.0),
    'harmonic_centroid': (1.5, 1.0),
    'spectral_flatness': (-35.0, 10.0),
    'spectral_rolloff': (11.0, 1.0),
    'odd_even_ratio': (0.0, 6.0),
    'sharpness': (1.2, 0.5),
}
LOUDNESS_GATE_DB = -60.0  # Frames this quiet (ddsp loudness) weigh 1/2.
LOUDNESS_GATE_WIDTH_DB = 3.0


def _log2(x, floor):
  return tf.math.log(tf.maximum(x, floor)) / np.log(2.0)


def _log10(x, floor):
  return tf.math.log(tf.maximum(x, floor)) / np.log(10.0)


def knob_descriptor(knob):
  """Descriptor name a knob stands for ('brightness' -> 'harmonic_centroid').

  A descriptor name is also accepted as a knob name (itself).
  """
  if knob in descriptors.KNOB_DESCRIPTORS:
    return descriptors.KNOB_DESCRIPTORS[knob]
  if knob in descriptors.DESCRIPTOR_NAMES:
    return knob
  raise ValueError(
      f'Unknown knob {knob!r}: use one of '
      f'{", ".join(descriptors.KNOB_DESCRIPTORS)} or a descriptor name '
      f'({", ".join(descriptors.DESCRIPTOR_NAMES)}).')


def scale_descriptor(name, values):
  """Descriptor values (its own units) -> its even scale (TRANSFORMS)."""
  return TRANSFORMS[name][0](tf.convert_to_tensor(values, tf.float32))


def frame_weights(loudness_db, f0_confidence=None, needs_f0=False):
  """How much each frame counts for a descriptor, in [0, 1].

  Args:
    loudness_db: ddsp loudness, [..., n_frames], dB.
    f0_confidence: CREPE confidence [..., n_frames] or None.
    needs_f0: The descriptor is defined by f0 (unvoiced frames weigh 0).
  """
  w = tf.sigmoid((loudness_db - LOUDNESS_GATE_DB) / LOUDNESS_GATE_WIDTH_DB)
  if needs_f0 and f0_confidence is not None:
    w *= tf.clip_by_value(f0_confidence, 0.0, 1.0)
  return w


def pool_frames(values, weights, n_out):
  """Weighted means of frames over n_out equal segments.

  Args:
    values: float [batch, n_frames, k].
    weights: float [batch, n_frames, k], >= 0.
    n_out: Segments (1: one value per example). Frames are first resampled
      to a multiple of n_out if they do not divide.

  Returns:
    (means [batch, n_out, k], total weight per segment [batch, n_out, k]).
  """
  n = int(values.shape[1])
  if n % n_out:
    m = n_out * max(1, n // n_out)
    values = ddsp.core.resample(values, m)
    weights = ddsp.core.resample(weights, m)
    n = m
  shape = [-1, n_out, n // n_out, int(values.shape[-1])]
  v = tf.reshape(values, shape)
  w = tf.reshape(weights, shape)
  total = tf.reduce_sum(w, axis=2)
  mean = tf.reduce_sum(v * w, axis=2) / (total + 1e-6)
  return mean, total


def load_statistics(path):
  """{descriptor: (mean, std)} of scaled descriptors from a JSON file."""
  with tf.io.gfile.GFile(path) as f:
    stats = json.load(f)
  return {k: (float(v['mean']), float(v['std'])) for k, v in stats.items()}


@gin.register
class TimbrePreprocessor(ddsp_preprocessing.F0LoudnessPreprocessor):
  """ddsp's F0LoudnessPreprocessor plus standardized knob targets.

  Outputs, besides f0_hz, loudness_db, f0_scaled and ld_scaled at
  `time_steps`: when the knobs' descriptors are in the features,
  'knob_targets' [batch, time_steps, n_knobs] (standardized scaled
  descriptors) and 'knob_weights' [same] (frame weights). Without them (e.g.
  when decoding from given f0/loudness/z) only ddsp's outputs.
  """

  def __init__(self, knob_names=('brightness', 'sharpness', 'noisiness'),
               statistics=None, time_steps=1000, frame_rate=250,
               sample_rate=16000, compute_loudness=False, **kwargs):
    """Constructor.

    Args:
      knob_names: Knobs (or descriptor names), in z's order.
      statistics: {descriptor: (mean, std)} of the scaled descriptor, or a
        path to a JSON {descriptor: {'mean':, 'std':}} (`knob_statistics`
        writes one); default DEFAULT_STATISTICS. Stored in checkpoints.
      time_steps: Frames of the outputs.
      frame_rate: Rate of the input features, Hz.
      sample_rate: Audio rate, Hz.
      compute_loudness: Recompute loudness from audio (as ddsp's option).
      **kwargs: Keras layer arguments.
    """
    super().__init__(time_steps=time_steps, frame_rate=frame_rate,
                     sample_rate=sample_rate,
                     compute_loudness=compute_loudness, **kwargs)
    self.knob_names = tuple(knob_names)
    self.descriptor_names = tuple(knob_descriptor(k) for k in knob_names)
    if isinstance(statistics, str):
      statistics = load_statistics(statistics)
    stats = dict(DEFAULT_STATISTICS)
    stats.update(statistics or {})
    mean = [stats[d][0] for d in self.descriptor_names]
    std = [max(stats[d][1], 1e-6) for d in self.descriptor_names]
    self.knob_mean = tf.Variable(mean, dtype=tf.float32, trainable=False,
                                 name='knob_mean')
    self.knob_std = tf.Variable(std, dtype=tf.float32, trainable=False,
                                name='knob_std')

  def set_statistics(self, statistics):
    """Overwrites the knob units with {descriptor: (mean, std)}."""
    self.knob_mean.assign([statistics[d][0] for d in self.descriptor_names])
    self.knob_std.assign([max(statistics[d][1], 1e-6)
                          for d in self.descriptor_names])

  def standardize(self, values):
    """{descriptor: [batch, n_frames] raw} -> [batch, n_frames, n_knobs]."""
    scaled = [scale_descriptor(d, values[d]) for d in self.descriptor_names]
    return (tf.stack(scaled, axis=-1) - self.knob_mean) / self.knob_std

  def unstandardize(self, knobs):
    """Knob values [..., n_knobs] -> scaled descriptors (TRANSFORMS units)."""
    return knobs * self.knob_std + self.knob_mean

  def knob_frame_weights(self, loudness_db, f0_confidence=None):
    """Frame weights [batch, n_frames, n_knobs] for the knobs' descriptors."""
    return tf.stack([
        frame_weights(loudness_db, f0_confidence,
                      d in descriptors.F0_DESCRIPTORS)
        for d in self.descriptor_names], axis=-1)

  def call(self, loudness_db, f0_hz, audio=None, f0_confidence=None,
           spectral_centroid=None, harmonic_centroid=None,
           spectral_flatness=None, spectral_rolloff=None,
           odd_even_ratio=None, sharpness=None) -> [
               'f0_hz', 'loudness_db', 'f0_scaled', 'ld_scaled',
               'knob_targets', 'knob_weights']:
    if self.compute_loudness and audio is not None:
      loudness_db = ddsp.spectral_ops.compute_loudness(
          audio, sample_rate=self.sample_rate, frame_rate=self.frame_rate)
    given = {'spectral_centroid': spectral_centroid,
             'harmonic_centroid': harmonic_centroid,
             'spectral_flatness': spectral_flatness,
             'spectral_rolloff': spectral_rolloff,
             'odd_even_ratio': odd_even_ratio, 'sharpness': sharpness}
    f0_hz = self.resample(f0_hz)
    loudness_db = self.resample(loudness_db)
    out = {'f0_hz': f0_hz, 'loudness_db': loudness_db,
           'f0_scaled': ddsp_preprocessing.scale_f0_hz(f0_hz),
           'ld_scaled': ddsp_preprocessing.scale_db(loudness_db)}
    if all(given[d] is not None for d in self.descriptor_names):
      values = {d: self.resample(given[d])[..., 0]
                for d in self.descriptor_names}
      out['knob_targets'] = self.standardize(values)
      conf = (None if f0_confidence is None
              else self.resample(f0_confidence)[..., 0])
      out["knob_weights"] = self.knob_frame_weights(loudness_db[..., 0], conf)
    return out


def knob_statistics(data_provider, descriptor_names, max_batches=200,
                    batch_size=16):
  """Mean and std of scaled descriptors over a dataset's weighted frames.

  Args:
    data_provider: A ddsp DataProvider whose examples hold the descriptors,
      loudness_db and f0_confidence.
    descriptor_names: Descriptors to measure.
    max_batches: Read at most this many batches.
    batch_size: Examples per batch.

  Returns:
    {descriptor: {'mean': float, 'std': float, 'unit': str, 'frames': float}}
    (frames: total frame weight used).
  """
  sums = {d: np.zeros(3) for d in descriptor_names}
  dataset = data_provider.get_batch(batch_size, shuffle=False, repeats=1,
                                    drop_remainder=False)
  for batch in dataset.take(max_batches):
    for d in descriptor_names:
      w = frame_weights(batch['loudness_db'], batch.get('f0_confidence'),
                        d in descriptors.F0_DESCRIPTORS).numpy()
      v = scale_descriptor(d, batch[d]).numpy()
      sums[d] += [w.sum(), (w * v).sum(), (w * v * v).sum()]
  stats = {}
  for d, (n, s, ss) in sums.items():
    if n <= 0:
      raise ValueError(f'No loud frames to measure {d} on.')
    mean = s / n
    stats[d] = {'mean': float(mean),
                'std': float(np.sqrt(max(ss / n - mean ** 2, 1e-12))),
                'unit': TRANSFORMS[d][1], 'frames': float(n)}
  return stats

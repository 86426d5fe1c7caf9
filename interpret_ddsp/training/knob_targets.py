# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""TimbrePreprocessor: ddsp's F0LoudnessPreprocessor plus knob targets.

The knob targets are the input's descriptors through the knob chain of
`interpret_ddsp.analysis.knobs` (scaled, standardized with the training set's
statistics, frame weights). The statistics are TF variables of the
preprocessor, so they travel inside every checkpoint: a trained model knows
its own knob units.
"""

import ddsp
from ddsp.training import preprocessing as ddsp_preprocessing
import gin
import tensorflow as tf

from interpret_ddsp.analysis import knobs

@gin.register
class TimbrePreprocessor(ddsp_preprocessing.F0LoudnessPreprocessor):
  """ddsp's F0LoudnessPreprocessor plus standardized knob targets.

  Outputs, besides f0_hz, loudness_db, f0_scaled and ld_scaled at
  `time_steps`: when the knobs' descriptors are in the features,
  'knob_targets' [batch, time_steps, n_knobs] (standardized scaled
  descriptors) and 'knob_weights' [same] (frame weights). Without them (e.g.
  when decoding from given f0/loudness/z) only ddsp's outputs.
  """

  def __init__(self, knob_names=knobs.DEFAULT_KNOBS,
               statistics=None, time_steps=1000, frame_rate=250,
               sample_rate=16000, compute_loudness=False, **kwargs):
    """Constructor.

    Args:
      knob_names: Knobs (or descriptor names), in z's order.
      statistics: {descriptor: (mean, std)} of the scaled descriptor, or a
        path to a JSON {descriptor: {'mean':, 'std':}} (`knob_statistics`
        writes one); default knobs.DEFAULT_STATISTICS. Stored in checkpoints.
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
    self.descriptor_names = tuple(knobs.knob_descriptor(k)
                                  for k in knob_names)
    if isinstance(statistics, str):
      statistics = knobs.load_statistics(statistics)
    stats = dict(knobs.DEFAULT_STATISTICS)
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
    scaled = [knobs.scale_descriptor(d, values[d])
              for d in self.descriptor_names]
    return knobs.standardize(tf.stack(scaled, axis=-1), self.knob_mean,
                             self.knob_std)

  def unstandardize(self, knob_values):
    """Knob values [..., n_knobs] -> scaled descriptors (TRANSFORMS units)."""
    return knobs.unstandardize(knob_values, self.knob_mean, self.knob_std)

  def knob_frame_weights(self, loudness_db, f0_confidence=None, f0_hz=None):
    """Frame weights [batch, n_frames, n_knobs] for the knobs' descriptors
    (measured on the data's 16 kHz audio: the chain's default window)."""
    return knobs.descriptor_weights(self.descriptor_names, loudness_db,
                                    f0_confidence, f0_hz=f0_hz)

  def call(self, loudness_db, f0_hz, audio=None, f0_confidence=None,
           spectral_centroid=None, harmonic_centroid=None,
           spectral_flatness=None, spectral_rolloff=None,
           odd_even_ratio=None, sharpness=None,
           harmonic_spectral_centroid=None, noise_ratio=None) -> [
               'f0_hz', 'loudness_db', 'f0_scaled', 'ld_scaled',
               'knob_targets', 'knob_weights']:
    if self.compute_loudness and audio is not None:
      loudness_db = ddsp.spectral_ops.compute_loudness(
          audio, sample_rate=self.sample_rate, frame_rate=self.frame_rate)
    given = {'spectral_centroid': spectral_centroid,
             'harmonic_centroid': harmonic_centroid,
             'spectral_flatness': spectral_flatness,
             'spectral_rolloff': spectral_rolloff,
             'odd_even_ratio': odd_even_ratio, 'sharpness': sharpness,
             'harmonic_spectral_centroid': harmonic_spectral_centroid,
             'noise_ratio': noise_ratio}
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
      out['knob_weights'] = self.knob_frame_weights(
          loudness_db[..., 0], conf, f0_hz[..., 0])
    return out

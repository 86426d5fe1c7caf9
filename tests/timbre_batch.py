# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Batches shaped like TimbreTFRecordProvider's, made in memory from
harmonic tones: real loudness (ddsp's) and real descriptors (ours), so the
knob targets and frame weights are those of actual sounds.

Plain module (not a test file): imported by tests, and by the subprocesses of
distributed_test.py (with tests/ on PYTHONPATH).
"""

import numpy as np

SAMPLE_RATE = 16000
FRAME_RATE = 250


def make_batch(f0s=(220.0, 330.0, 440.0, 262.0), n_harmonics=(2, 4, 8, 16),
               noise=None, seconds=1.0, seed=0):
  """{audio [B, n], f0_hz, f0_confidence, loudness_db, descriptors [B, m]}.

  Example i is a steady tone at f0s[i] Hz with n_harmonics[i] harmonics of
  1/k amplitude (more harmonics: brighter, sharper) plus white noise of
  standard deviation noise[i] (None: none; more: noisier); float32 NumPy.
  """
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import descriptors  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.support import signals  # pylint: disable=g-import-not-at-top
  n_frames = int(seconds * FRAME_RATE)
  audio = np.stack([signals.harmonic_tone(f0, seconds, SAMPLE_RATE,
                                          n_harmonics=n)[0]
                    for f0, n in zip(f0s, n_harmonics)])
  if noise is not None:
    rng = np.random.default_rng(seed)
    audio += (np.asarray(noise, np.float32)[:, None] *
              rng.standard_normal(audio.shape).astype(np.float32))
  f0_hz = np.repeat(np.asarray(f0s, np.float32)[:, None], n_frames, axis=1)
  loudness = spectral_ops.compute_loudness(
      audio, SAMPLE_RATE, FRAME_RATE, n_fft=512, padding='center')
  batch = {'audio': audio,
           'f0_hz': f0_hz,
           'f0_confidence': np.ones_like(f0_hz),
           'loudness_db': np.asarray(loudness, np.float32)[:, :n_frames]}
  values = descriptors.compute_descriptors_np(
      audio, f0_hz, SAMPLE_RATE, FRAME_RATE)  # All, as prepare stores.
  batch.update({k: v[:, :n_frames] for k, v in values.items()})
  return batch

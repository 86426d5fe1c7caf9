# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Test signals with known pitch, and pitch-error helpers (NumPy)."""

import numpy as np


def cents(f0_hz, reference_hz):
  """Pitch difference in cents, 1200 * log2(f0 / reference).

  Args:
    f0_hz: Estimated frequencies in Hz, any shape.
    reference_hz: True frequencies in Hz, broadcastable to `f0_hz`.

  Returns:
    Array of cents; positive means `f0_hz` is sharp.
  """
  f0_hz = np.asarray(f0_hz, np.float64)
  reference_hz = np.asarray(reference_hz, np.float64)
  return 1200.0 * np.log2(np.maximum(f0_hz, 1e-6) / reference_hz)


def harmonic_tone(f0_hz, seconds, sample_rate=16000, n_harmonics=8,
                  vibrato_hz=0.0, vibrato_cents=0.0, amplitude=0.3):
  """A harmonic tone (1/k amplitudes) with optional sinusoidal vibrato.

  Args:
    f0_hz: Centre fundamental frequency in Hz.
    seconds: Duration in seconds.
    sample_rate: Samples per second.
    n_harmonics: Number of harmonics (those above Nyquist are dropped).
    vibrato_hz: Vibrato rate in Hz.
    vibrato_cents: Vibrato depth (peak deviation) in cents.
    amplitude: Peak amplitude of the fundamental.

  Returns:
    audio: float32 [n_samples], in [-1, 1].
    f0_true: float64 [n_samples], the instantaneous f0 in Hz.
  """
  t = np.arange(int(round(seconds * sample_rate))) / sample_rate
  f0_true = f0_hz * 2.0 ** (vibrato_cents / 1200.0 *
                            np.sin(2 * np.pi * vibrato_hz * t))
  phase = 2 * np.pi * np.cumsum(f0_true) / sample_rate
  audio = np.zeros_like(t)
  for k in range(1, n_harmonics + 1):
    if k * f0_true.max() < sample_rate / 2:
      audio += np.sin(k * phase) / k
  audio *= amplitude
  return audio.astype(np.float32), f0_true


def frame_values(signal, frame_rate, sample_rate, n_frames):
  """Samples a per-sample signal at frame times i / frame_rate (centred)."""
  index = np.round(np.arange(n_frames) * sample_rate / frame_rate).astype(int)
  return np.asarray(signal)[np.minimum(index, len(signal) - 1)]

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Pitch conversions (MIDI <-> Hz, cents), test signals with known pitch
(NumPy): the one home of the equal-tempered pitch formulas."""

import numpy as np


def midi_to_hz(pitch):
  """Equal-tempered frequency of MIDI pitch (A4 = 69 = 440 Hz).

  Args:
    pitch: MIDI pitch (may be fractional), any shape.

  Returns:
    Frequency in Hz, float64, same shape.

  Example:
    >>> float(midi_to_hz(57))
    220.0
  """
  return 440.0 * 2.0 ** ((np.asarray(pitch, np.float64) - 69.0) / 12.0)


def hz_to_midi(f0_hz, floor_hz=1e-3):
  """Fractional MIDI pitch of a frequency (440 Hz = 69), as librosa.hz_to_midi.

  Args:
    f0_hz: Frequency in Hz, any shape.
    floor_hz: Frequencies below this (0 Hz for unvoiced frames) are read as
      it, so the result stays finite (about -156 for the default 1e-3 Hz).

  Returns:
    MIDI pitch, float64, same shape.

  Example:
    >>> float(hz_to_midi(880.0))
    81.0
  """
  return 69.0 + 12.0 * np.log2(
      np.maximum(np.asarray(f0_hz, np.float64), floor_hz) / 440.0)


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

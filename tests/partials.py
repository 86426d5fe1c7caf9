# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""A brightness measurement independent of the package's descriptors, for
tests of what a knob does to audio: the partials' energies from one long
FFT of a steady note, standardized by a model's training statistics.

Plain module (not a test file), imported by the live tests.
"""

import json
import os

import numpy as np

from interpret_ddsp import contracts


def harmonic_centroid(audio, f0_hz, sample_rate=16000):
  """Energy-weighted centroid of the partials, in harmonic numbers, of a
  steady note: e_k = the peak power within 3% of k f0, k below Nyquist."""
  power = np.abs(np.fft.rfft(audio * np.hanning(len(audio)))) ** 2
  freqs = np.fft.rfftfreq(len(audio), 1 / sample_rate)
  ks = np.arange(1, int((sample_rate / 2 - 100) // f0_hz) + 1)
  e = np.array([power[np.abs(freqs - k * f0_hz) < 0.03 * f0_hz].max()
                for k in ks])
  return float(np.sum(ks * e) / np.sum(e))


def brightness_std_units(audio, f0_hz, model_dir, sample_rate=16000):
  """log2 harmonic centroid, standardized by the model's knob statistics
  (the brightness knob's units)."""
  with open(os.path.join(model_dir, contracts.KNOB_STATISTICS)) as f:
    stats = json.load(f)['harmonic_spectral_centroid']
  scaled = np.log2(harmonic_centroid(audio, f0_hz, sample_rate))
  return float((scaled - stats['mean']) / stats['std'])

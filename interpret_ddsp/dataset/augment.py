# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Timbre augmentation for `prepare`: random smooth equalization.

An instrument the model never heard differs from the ones it did mostly in
its spectral envelope. `prepare --augment K` adds K copies of every train
chunk, each through its own random equalizer: a few Gaussian bumps and
dips on a log-frequency axis plus a spectral tilt. A linear filter leaves
the pitch where it was, so a copy keeps its original's f0 (CREPE does not
run again); loudness and the timbre descriptors are measured anew on the
filtered audio, so the knobs' targets describe what the copy sounds like.
Eval examples are never augmented.

The equalizer is zero-phase (a gain on the FFT of the whole chunk, padded
so the filter's short impulse response does not wrap) and the copy is
scaled to its original's RMS, so the loudness distribution stays.

Example:
  >>> import numpy as np
  >>> eq = {'centres_hz': np.array([1000.0]), 'gains_db': np.array([6.0]),
  ...       'widths_oct': np.array([1.0]), 'tilt_db_per_oct': 0.0}
  >>> float(np.round(gain_db(np.array([1000.0]), eq)[0], 3))
  6.0
"""

import zlib

import numpy as np

# Ranges of the random equalizer (random_eq).
N_BANDS = 3
MAX_GAIN_DB = 12.0  # Each bump or dip, +- dB at its centre.
WIDTH_OCT = (0.3, 1.5)  # Standard deviation of a bump, octaves.
CENTRE_HZ = (150.0, 6000.0)  # Log-uniform.
MAX_TILT_DB_PER_OCT = 3.0  # Around TILT_PIVOT_HZ ...
TILT_PIVOT_HZ = 1000.0
TILT_SPAN_OCT = 3.0  # ... and flat beyond this many octaves from it.
PAD_SECS = 0.05  # Zero padding against the FFT filter's wrap-around.


def seed_of(*parts):
  """A stable 32-bit seed from strings and numbers (crc32 of their repr).

  >>> seed_of('violin/a.wav', 20.0, 1) == seed_of('violin/a.wav', 20.0, 1)
  True
  """
  return zlib.crc32(repr(parts).encode())


def random_eq(rng):
  """Draws an equalizer: {'centres_hz', 'gains_db', 'widths_oct' [N_BANDS],
  'tilt_db_per_oct'} (see gain_db)."""
  lo, hi = np.log(CENTRE_HZ[0]), np.log(CENTRE_HZ[1])
  return {
      'centres_hz': np.exp(rng.uniform(lo, hi, N_BANDS)),
      'gains_db': rng.uniform(-MAX_GAIN_DB, MAX_GAIN_DB, N_BANDS),
      'widths_oct': rng.uniform(*WIDTH_OCT, N_BANDS),
      'tilt_db_per_oct': float(rng.uniform(-MAX_TILT_DB_PER_OCT,
                                           MAX_TILT_DB_PER_OCT)),
  }


def gain_db(freqs_hz, eq):
  """The equalizer's gain at freqs_hz [n], dB [n].

  tilt * clip(log2(f / 1 kHz), -3, 3) + sum_b g_b exp(-(log2(f / c_b) /
  w_b)^2 / 2); frequencies under 20 Hz count as 20 Hz.
  """
  octs = np.log2(np.maximum(np.asarray(freqs_hz, np.float64), 20.0))
  tilt = eq['tilt_db_per_oct'] * np.clip(
      octs - np.log2(TILT_PIVOT_HZ), -TILT_SPAN_OCT, TILT_SPAN_OCT)
  d = (octs[:, None] - np.log2(eq['centres_hz'])[None, :]) / eq['widths_oct']
  return tilt + np.sum(eq['gains_db'] * np.exp(-0.5 * d ** 2), axis=1)


def equalize(audio, sample_rate, eq):
  """audio [n] through the zero-phase equalizer eq; float32 [n].

  >>> sr = 16000
  >>> t = np.arange(sr) / sr
  >>> eq = {'centres_hz': np.array([500.0]), 'gains_db': np.array([-6.0]),
  ...       'widths_oct': np.array([0.5]), 'tilt_db_per_oct': 0.0}
  >>> y = equalize(np.sin(2 * np.pi * 500 * t), sr, eq)
  >>> float(np.round(20 * np.log10(np.abs(y[4000:12000]).max()), 1))
  -6.0
  """
  audio = np.asarray(audio, np.float64)
  pad = int(PAD_SECS * sample_rate)
  n = len(audio) + 2 * pad
  spectrum = np.fft.rfft(np.pad(audio, pad), n)
  freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
  y = np.fft.irfft(spectrum * 10.0 ** (gain_db(freqs, eq) / 20.0), n)
  return y[pad:pad + len(audio)].astype(np.float32)


def augment_pair(audio, audio_16k, sample_rate, seed):
  """One random equalizer on a chunk at its rate and at 16 kHz.

  Returns (audio, audio_16k), both scaled by the one factor that gives the
  16 kHz copy its original's RMS (then down, if needed, to peak under 1).
  """
  eq = random_eq(np.random.default_rng(seed))
  a16 = equalize(audio_16k, 16000, eq)
  a = equalize(audio, sample_rate, eq)
  rms_in = np.sqrt(np.mean(np.square(audio_16k, dtype=np.float64)))
  rms_out = np.sqrt(np.mean(np.square(a16, dtype=np.float64)))
  scale = rms_in / rms_out if rms_out > 0 else 1.0
  peak = max(np.max(np.abs(a)), np.max(np.abs(a16))) * scale
  if peak > 0.99:
    scale *= 0.99 / peak
  return ((a * scale).astype(np.float32), (a16 * scale).astype(np.float32))

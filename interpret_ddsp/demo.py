# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""`interpret-ddsp demo`: the main job of the README's first command.

For now (foundation stage) it checks the stack and estimates the f0 of a tone
with vibrato through ddsp's `compute_f0` with every installed CREPE capacity,
against the known pitch; it writes the tone (WAV), the f0 curves (PNG) and
the errors (JSON) to the output folder.
"""

import json
import os

import numpy as np
import soundfile

from interpret_ddsp import compat
from interpret_ddsp import signals

SAMPLE_RATE = 16000
FRAME_RATE = 100


def f0_of_vibrato_tone(capacities, f0_hz=220.0, seconds=2.0, vibrato_hz=5.0,
                       vibrato_cents=50.0):
  """Estimates f0 of a known vibrato tone with each CREPE capacity.

  Returns:
    audio: float32 [n_samples] at 16 kHz.
    f0_true: [n_frames] true f0 in Hz at 100 frames per second.
    estimates: {capacity: [n_frames] f0 in Hz from ddsp's compute_f0}.
  """
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  audio, f0_curve = signals.harmonic_tone(
      f0_hz, seconds, SAMPLE_RATE, vibrato_hz=vibrato_hz,
      vibrato_cents=vibrato_cents)
  estimates = {}
  for capacity in capacities:
    with compat.crepe_capacity(capacity):
      estimates[capacity], _ = spectral_ops.compute_f0(
          audio, FRAME_RATE, viterbi=True, padding='center')
  n_frames = len(next(iter(estimates.values())))
  f0_true = signals.frame_values(f0_curve, FRAME_RATE, SAMPLE_RATE, n_frames)
  return audio, f0_true, estimates


def plot_f0(path, f0_true, estimates, frame_rate=FRAME_RATE):
  """Saves a PNG of the true f0 and each estimate over time."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  t = np.arange(len(f0_true)) / frame_rate
  fig, ax = plt.subplots(figsize=(8, 3.5))
  ax.plot(t, f0_true, 'k-', lw=3, alpha=0.3, label='true f0')
  for capacity, f0 in estimates.items():
    ax.plot(t, f0, lw=1, label=f'CREPE {capacity} (ddsp compute_f0)')
  ax.set_xlabel('time (s)')
  ax.set_ylabel('f0 (Hz)')
  ax.legend(loc='upper right')
  ax.set_title('f0 of a 220 Hz tone with 5 Hz, ±50 cent vibrato')
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)


def run(output_dir):
  """Writes tone.wav, f0.png and f0.json; returns the summary dict."""
  os.makedirs(output_dir, exist_ok=True)
  capacities = compat.installed_crepe_capacities()
  audio, f0_true, estimates = f0_of_vibrato_tone(capacities)
  soundfile.write(os.path.join(output_dir, 'tone.wav'), audio, SAMPLE_RATE)
  plot_f0(os.path.join(output_dir, 'f0.png'), f0_true, estimates)
  inner = slice(5, -5)  # CREPE's first/last frames see zero padding.
  summary = {
      capacity: {
          'median_abs_error_cents': float(np.median(np.abs(
              signals.cents(f0[inner], f0_true[inner])))),
          'frames_within_20_cents': float(np.mean(np.abs(
              signals.cents(f0[inner], f0_true[inner])) < 20)),
      } for capacity, f0 in estimates.items()
  }
  with open(os.path.join(output_dir, 'f0.json'), 'w') as f:
    json.dump(summary, f, indent=2)
  return summary

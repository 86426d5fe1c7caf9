# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Foundation benchmark: CREPE throughput and one plain ddsp training step.

Measured in one run on this machine:
- CREPE tiny and full through ddsp's `compute_f0` at ddsp's data-preparation
  frame rate (250 Hz, Viterbi on): seconds of audio per wall-clock second, and
  the tiny/full speed ratio.
- One training step of Magenta ddsp's own `models/ae.gin` at its own sizes
  (4 s examples at 16 kHz), batch 4 and 16, with ddsp's Trainer on the default
  strategy: mean wall seconds per step after one warm-up step.

  .venv/bin/python benchmarks/foundation.py [--audio_secs 8] [--steps 3]

Prints a table and writes benchmarks/results/foundation.json.
"""

import argparse
import json
import os
import platform
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import compat
from interpret_ddsp.score import soundfont

import gin
import numpy as np

SAMPLE_RATE = 16000
FRAME_RATE = 250


def melody(seconds):
  """Violin notes (TimGM6mb) back to back: real sampled audio, `seconds` long."""
  keys = [60, 64, 67, 72, 69, 65, 62, 59]
  notes = [soundfont.render_note(40, k, held_secs=0.8, release_secs=0.2)
           for k in keys]
  audio = np.concatenate(notes)
  reps = int(np.ceil(seconds * SAMPLE_RATE / len(audio)))
  return np.tile(audio, reps)[:int(seconds * SAMPLE_RATE)]


def crepe_throughput(capacity, audio):
  """Audio seconds per wall second of ddsp's compute_f0 with `capacity`."""
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  with compat.crepe_capacity(capacity):
    spectral_ops.compute_f0(audio[:SAMPLE_RATE], FRAME_RATE)  # Load model.
    start = time.perf_counter()
    spectral_ops.compute_f0(audio, FRAME_RATE, viterbi=True)
    elapsed = time.perf_counter() - start
  return len(audio) / SAMPLE_RATE / elapsed, elapsed


def fake_batch(batch_size, seconds=4.0):
  """A batch with ddsp's keys: harmonic tones with their true f0/loudness."""
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.support import signals  # pylint: disable=g-import-not-at-top
  n_frames = int(seconds * FRAME_RATE)
  audio, f0, loudness = [], [], []
  for i in range(batch_size):
    a, f = signals.harmonic_tone(196.0 * 2 ** (i / 12), seconds, SAMPLE_RATE,
                                 vibrato_hz=5, vibrato_cents=30)
    audio.append(a)
    f0.append(signals.frame_values(f, FRAME_RATE, SAMPLE_RATE, n_frames))
    loudness.append(spectral_ops.compute_loudness(
        a, SAMPLE_RATE, FRAME_RATE, n_fft=512)[:n_frames])
  return {'audio': np.stack(audio).astype(np.float32),
          'f0_hz': np.stack(f0).astype(np.float32),
          'f0_confidence': np.ones((batch_size, n_frames), np.float32),
          'loudness_db': np.stack(loudness).astype(np.float32)}


def ddsp_step_time(batch_size, steps):
  """Mean seconds per ddsp Trainer step of models/ae.gin (after warm-up)."""
  import ddsp.training  # pylint: disable=g-import-not-at-top
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  gin.clear_config()
  gin.add_config_file_search_path(
      os.path.join(os.path.dirname(ddsp.training.__file__), 'gin'))
  with gin.unlock_config():
    gin.parse_config_file('models/ae.gin')
  batch = fake_batch(batch_size)
  strategy = train_util.get_strategy()
  with strategy.scope():
    model = ddsp.training.models.get_model()
    trainer = trainers.Trainer(model, strategy, learning_rate=1e-3)
    trainer.build(batch)
    trainer.train_step(batch)  # Traces the tf.function.
    start = time.perf_counter()
    for _ in range(steps):
      trainer.train_step(batch)
    elapsed = (time.perf_counter() - start) / steps
  n_params = int(sum(np.prod(v.shape) for v in model.trainable_variables))
  gin.clear_config()
  return elapsed, n_params


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--audio_secs', type=float, default=8.0)
  parser.add_argument('--steps', type=int, default=3)
  parser.add_argument('--output', default=os.path.join(
      os.path.dirname(os.path.abspath(__file__)), 'results',
      'foundation.json'))
  args = parser.parse_args()

  audio = melody(args.audio_secs)
  results = {'machine': {'cpus': os.cpu_count(),
                         'processor': platform.processor() or
                         platform.machine()},
             'crepe': {}, 'ddsp_ae_step': {}}
  for capacity in ('tiny', 'full'):
    if capacity not in compat.installed_crepe_capacities():
      continue
    speed, secs = crepe_throughput(capacity, audio)
    results['crepe'][capacity] = {'audio_secs_per_wall_sec': speed,
                                  'wall_secs': secs}
    print(f'CREPE {capacity:4s} via ddsp compute_f0 @ {FRAME_RATE} Hz frames: '
          f'{speed:6.2f} s of audio per second ({secs:.1f} s for '
          f'{args.audio_secs:.0f} s)')
  if len(results['crepe']) == 2:
    ratio = (results['crepe']['tiny']['audio_secs_per_wall_sec'] /
             results['crepe']['full']['audio_secs_per_wall_sec'])
    results['crepe']['tiny_over_full_speed'] = ratio
    print(f'CREPE tiny is {ratio:.1f}x faster than full (same run)')

  for batch_size in (4, 16):
    secs, n_params = ddsp_step_time(batch_size, args.steps)
    results['ddsp_ae_step'][f'batch_{batch_size}'] = {
        'secs_per_step': secs, 'params': n_params, 'example_secs': 4.0}
    print(f'ddsp models/ae.gin ({n_params / 1e6:.2f} M params, 4 s examples) '
          f'batch {batch_size:2d}: {secs:.2f} s/step on the CPU')

  os.makedirs(os.path.dirname(args.output), exist_ok=True)
  with open(args.output, 'w') as f:
    json.dump(results, f, indent=2)
  print(f'wrote {args.output}')


if __name__ == '__main__':
  main()

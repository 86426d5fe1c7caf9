# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Step time: what the knob design and the timbre losses cost, in one run.

Models at the tiny size (1 s examples, batch 8), each a few warm-up steps
then timed steps of ddsp's Trainer on the same in-memory batch, in
interleaved rounds (the spread over rounds is reported):
- timbre_knobs: timbre_ae_tiny, the default (knob processors; AR and
  supervision losses; synths.FastHarmonic),
- timbre_knobs_whole_noise: the same with the noise rule before
  2026-12-06 (noise_as_measured = False: the noise's whole power set),
- timbre_knobs_ddsp_harmonic: the same with ddsp's own Harmonic synth (the
  default before FastHarmonic),
- timbre_learned: timbre_ae_learned_tiny, the design before (AR,
  supervision and output-consistency losses with a perturbed decode; ddsp's
  Harmonic),
- timbre_spectral_only: the learned design with only ddsp's SpectralLoss,
- ddsp_harmonic_noise: plain ddsp harmonic_noise_tiny (ddsp's ae.gin scaled
  to the same size).
Targets: the knob processors add <= 15% to the learned design's step; the
default's throughput >= 1.5x plain ddsp's (issue 14); the timbre losses'
overhead is reported.

  .venv/bin/python benchmarks/timbre_step_time.py [--steps 30] [--batch 8]

Writes benchmarks/results/timbre_step_time.json.
"""

import argparse
import json
import os
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.training import train
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

CONFIGS = {
    'timbre_knobs': (['models/timbre_ae_tiny.gin'], []),
    'timbre_knobs_whole_noise': (['models/timbre_ae_tiny.gin'],
                                 ['TimbreKnobs.noise_as_measured = False']),
    'timbre_knobs_ddsp_harmonic': (['models/timbre_ae_tiny.gin'],
                                   ['HARMONIC = @synths.Harmonic()']),
    'timbre_learned': (['models/timbre_ae_learned_tiny.gin'], []),
    'timbre_spectral_only': (['models/timbre_ae_learned_tiny.gin'],
                             ['TimbreAutoencoder.timbre_losses = []']),
    'ddsp_harmonic_noise': (['models/harmonic_noise_tiny.gin'], []),
}


def time_config(gin_files, params, batch, steps, warmup=3):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  train.parse_gin(gin_files + ['optimization/cpu.gin'], params)
  strategy = tf.distribute.get_strategy()
  model = train.build_model()
  trainer = trainers.Trainer(model, strategy, learning_rate=1e-3)
  batch = {k: tf.constant(v) for k, v in batch.items()}
  for _ in range(warmup):
    trainer.train_step(batch)
  start = time.perf_counter()
  for _ in range(steps):
    losses = trainer.train_step(batch)
  float(losses['total_loss'])
  return (time.perf_counter() - start) / steps


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--steps', type=int, default=30)
  parser.add_argument('--batch', type=int, default=8)
  parser.add_argument('--rounds', type=int, default=3,
                      help='interleaved rounds; the median is reported')
  args = parser.parse_args()
  batch = bench_common.synthetic_batch(args.batch)
  times = {name: [] for name in CONFIGS}
  for _ in range(args.rounds):  # Interleaved, so load changes hit all.
    for name, (files, params) in CONFIGS.items():
      times[name].append(time_config(files, params, batch, args.steps))
  med = {k: float(np.median(v)) for k, v in times.items()}
  ratio = lambda a, b: [x / y for x, y in zip(times[a], times[b])]
  ratios = {'knobs_over_learned': ratio('timbre_knobs', 'timbre_learned'),
            'learned_losses_over_spectral_only': ratio(
                'timbre_learned', 'timbre_spectral_only'),
            'knobs_over_ddsp': ratio('timbre_knobs', 'ddsp_harmonic_noise'),
            'throughput_knobs_ddsp_harmonic_over_ddsp': ratio(
                'ddsp_harmonic_noise', 'timbre_knobs_ddsp_harmonic'),
            'throughput_knobs_over_ddsp': ratio('ddsp_harmonic_noise',
                                                'timbre_knobs'),
            'fast_harmonic_speedup': ratio('timbre_knobs_ddsp_harmonic',
                                           'timbre_knobs'),
            'noise_as_measured_over_whole_noise': ratio(
                'timbre_knobs', 'timbre_knobs_whole_noise'),
            'learned_over_ddsp': ratio('timbre_learned',
                                       'ddsp_harmonic_noise')}
  ratios_median, ratios_range = bench_common.spread(ratios)
  result = {
      'cpus': os.cpu_count(), 'cpu': bench_common.cpu_name(),
      'batch': args.batch, 'example_secs': 1.0, 'secs_per_step': med,
      'all_rounds': times,
      'ratios_per_round': ratios,
      'ratios_median': ratios_median, 'ratios_range': ratios_range,
  }
  out = os.path.join(os.path.dirname(__file__), 'results',
                     'timbre_step_time.json')
  os.makedirs(os.path.dirname(out), exist_ok=True)
  with open(out, 'w') as f:
    json.dump(result, f, indent=1)
  for k, v in med.items():
    print(f'{k:24s} {1000 * v:7.1f} ms/step (rounds: '
          + ', '.join(f'{1000 * t:.0f}' for t in times[k]) + ')')
  for k, v in result['ratios_median'].items():
    lo, hi = result['ratios_range'][k]
    print(f'{k:34s} {v:.3f} (rounds {lo:.3f}..{hi:.3f})')
  print('targets: knobs_over_learned <= 1.15; throughput_knobs_over_ddsp '
        '>= 1.5')


if __name__ == '__main__':
  main()

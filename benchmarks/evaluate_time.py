# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Evaluate's knob sweeps: eager synthesis against one tf.function.

`evaluate` turns each knob over 9 values plus its walls on every eval
example and measures the output (knob_metrics.knob_sweep), and does the
same through the prior (9 values x 3 knobs x 2 modes): many model calls
of one shape. Each arm runs in a fresh process, in interleaved rounds, on
timbre_ae_tiny (untrained: speed does not depend on the weights) with the
same controls and z:
- eager: model.synthesize then knob_metrics.measure_knobs per call (the
  sweep as it was before knob_metrics.synthesize_and_measure),
- compiled: knob_metrics.knob_sweep as evaluate runs it (both in one
  tf.function, traced once per shape: the trace is in the time).
Reported per arm: seconds for the 3 knobs' sweeps, and compiled / eager
with its spread over rounds; also the bootstrap of calibration.calibration
(1000 resamples of 8 examples x 11 values) in seconds.

  .venv/bin/python benchmarks/evaluate_time.py [--rounds 3]

Writes benchmarks/results/evaluate_time.json.
"""

import argparse
import os
import time

import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
ARMS = ('eager', 'compiled')


def worker(arm, n_examples, n_values, out):
  """One arm in this (fresh) process; writes its times to out."""
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import calibration  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  batch = bench_common.synthetic_batch(n_examples)
  train.parse_gin(['models/timbre_ae_tiny.gin'], [])
  tf.keras.utils.set_random_seed(0)
  model = train.build_model()
  model({k: tf.constant(v) for k, v in batch.items()}, training=False)
  f0, ld = batch['f0_hz'], batch['loudness_db']
  z = np.random.default_rng(0).normal(
      size=(n_examples, model.z_dims)).astype(np.float32)
  values = np.linspace(-2.0, 2.0, n_values).astype(np.float32)
  tick = time.perf_counter()
  for i, knob in enumerate(model.knob_names):
    if arm == 'compiled':
      measured = knob_metrics.knob_sweep(model, knob, values, f0, ld,
                                         z)['measured']
      continue
    measured = np.zeros((n_examples, n_values))
    for e in range(n_examples):
      zz = np.repeat(z[e:e + 1], n_values, 0)
      zz[:, i] = values
      ff = np.repeat(f0[e:e + 1], n_values, 0)
      ll = np.repeat(ld[e:e + 1], n_values, 0)
      audio = model.synthesize(ff, ll, zz).numpy()
      measured[e] = knob_metrics.measure_knobs(model, audio, ff, ll)[:, i]
  sweeps = time.perf_counter() - tick
  tick = time.perf_counter()
  calibration.calibration(values, measured, n_boot=1000)
  bootstrap = time.perf_counter() - tick
  bench_common.write_result({'sweeps': sweeps, 'bootstrap': bootstrap}, out)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--rounds', type=int, default=3)
  parser.add_argument('--examples', type=int, default=8)
  parser.add_argument('--values', type=int, default=11)
  parser.add_argument('--arm', default=None, help=argparse.SUPPRESS)
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'evaluate_time.json'))
  args = parser.parse_args()
  if args.arm:
    worker(args.arm, args.examples, args.values, args.out)
    return
  rounds = {arm: [] for arm in ARMS}
  for r in range(args.rounds):  # Interleaved, so load changes hit all.
    for arm in ARMS:
      rounds[arm].append(bench_common.run_worker(
          os.path.abspath(__file__), ['--arm', arm, '--examples',
                                      str(args.examples), '--values',
                                      str(args.values)]))
      t = rounds[arm][-1]
      print(f'round {r} {arm:9s} sweeps {t["sweeps"]:6.1f} s, bootstrap '
            f'{t["bootstrap"]:.2f} s', flush=True)
  sweeps = {a: [t['sweeps'] for t in rounds[a]] for a in ARMS}
  ratio = [c / e for c, e in zip(sweeps['compiled'], sweeps['eager'])]
  sweeps_median, sweeps_range = bench_common.spread(sweeps)
  ratio_median, ratio_range = bench_common.spread(
      {'compiled_over_eager': ratio})
  result = {
      'cpus': os.cpu_count(), 'cpu': bench_common.cpu_name(),
      'examples': args.examples, 'values': args.values, 'rounds': rounds,
      'sweeps_secs_median': sweeps_median, 'sweeps_secs_range': sweeps_range,
      'ratio_median': ratio_median, 'ratio_range': ratio_range,
  }
  bench_common.write_result(result, args.out)
  lo, hi = ratio_range['compiled_over_eager']
  print(f'compiled / eager sweeps {ratio_median["compiled_over_eager"]:.2f} '
        f'(rounds {lo:.2f}..{hi:.2f})')


if __name__ == '__main__':
  main()

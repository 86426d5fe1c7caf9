# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Start time: from a built model to its first trained step, in one run.

Every training start (the CLI, the pipeline, a notebook, a test) first
traces the model: once for ddsp Trainer.build (the forward pass) and again
for the first train step (forward, gradient, optimizer), then TensorFlow
optimizes and runs the graph. On a 2-core CPU that took longer than a
hundred steps of the tiny model. Each arm runs in a fresh process (the
traces are cached per process), in interleaved rounds, on the same
synthetic batch:
- timbre_knobs: timbre_ae_tiny as it is (its call not rewritten by
  autograph; the knob processor's bisection a tf.while_loop),
- timbre_knobs_autograph: the same with autograph converting the model's
  call again (the start before, but for the while_loop),
- timbre_knobs_eager_build: the same with its first batch run eagerly
  instead of traced (build_eagerly as it was first committed),
- timbre_knobs_train_build: the same built as `train` builds it
  (train.build_eagerly: that, then the optimizer's slots made before the
  first step, so the step traces once instead of twice),
- ddsp_harmonic_noise: plain ddsp harmonic_noise_tiny (ddsp's ae.gin at
  the same size).
Reported per arm: build (s), first step (s), a steady step (s), and the
ratios to plain ddsp, with the spread over rounds.

  .venv/bin/python benchmarks/start_time.py [--rounds 3]

Writes benchmarks/results/start_time.json.
"""

import argparse
import os
import time

import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
ARMS = {
    'timbre_knobs': ['models/timbre_ae_tiny.gin'],
    'timbre_knobs_autograph': ['models/timbre_ae_tiny.gin'],
    'timbre_knobs_eager_build': ['models/timbre_ae_tiny.gin'],
    'timbre_knobs_train_build': ['models/timbre_ae_tiny.gin'],
    'ddsp_harmonic_noise': ['models/harmonic_noise_tiny.gin'],
}


def worker(arm, batch_size, out):
  """One arm in this (fresh) process; writes its times to out."""
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import models  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  if arm == 'timbre_knobs_autograph':
    call = models.TimbreAutoencoder.call
    models.TimbreAutoencoder.call = getattr(call, '__wrapped__', call)
  batch = {k: tf.constant(v)
           for k, v in bench_common.synthetic_batch(batch_size).items()}
  train.parse_gin(ARMS[arm] + ['optimization/cpu.gin'], [])
  strategy = tf.distribute.get_strategy()
  model = train.build_model()
  trainer = trainers.Trainer(model, strategy, learning_rate=1e-3)
  tick = time.perf_counter()
  if arm == 'timbre_knobs_eager_build':
    trainer.run(trainer.model.__call__, batch)
  elif arm == 'timbre_knobs_train_build':
    train.build_eagerly(trainer, batch)
  else:
    trainer.build(batch)
  build = time.perf_counter() - tick
  tick = time.perf_counter()
  float(trainer.train_step(batch)['total_loss'])
  first = time.perf_counter() - tick
  tick = time.perf_counter()
  for _ in range(5):
    losses = trainer.train_step(batch)
  float(losses['total_loss'])
  steady = (time.perf_counter() - tick) / 5
  bench_common.write_result({'build': build, 'first_step': first,
                             'steady_step': steady}, out)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--rounds', type=int, default=3)
  parser.add_argument('--batch', type=int, default=8)
  parser.add_argument('--arm', default=None, help=argparse.SUPPRESS)
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'start_time.json'))
  args = parser.parse_args()
  if args.arm:
    worker(args.arm, args.batch, args.out)
    return
  rounds = {arm: [] for arm in ARMS}
  for r in range(args.rounds):  # Interleaved, so load changes hit all.
    for arm in ARMS:
      rounds[arm].append(bench_common.run_worker(
          os.path.abspath(__file__), ['--arm', arm, '--batch',
                                      str(args.batch)]))
      t = rounds[arm][-1]
      print(f'round {r} {arm:24s} build {t["build"]:6.1f} s, first step '
            f'{t["first_step"]:6.1f} s, steady {1000 * t["steady_step"]:.0f}'
            ' ms', flush=True)
  start = lambda arm: [t['build'] + t['first_step'] for t in rounds[arm]]
  ratio = lambda a, b: [x / y for x, y in zip(start(a), start(b))]
  ratios = {'knobs_over_ddsp': ratio('timbre_knobs', 'ddsp_harmonic_noise'),
            'autograph_over_knobs': ratio('timbre_knobs_autograph',
                                          'timbre_knobs'),
            'autograph_over_ddsp': ratio('timbre_knobs_autograph',
                                         'ddsp_harmonic_noise'),
            'eager_build_over_knobs': ratio('timbre_knobs_eager_build',
                                            'timbre_knobs'),
            'eager_build_over_ddsp': ratio('timbre_knobs_eager_build',
                                           'ddsp_harmonic_noise'),
            'train_build_over_knobs': ratio('timbre_knobs_train_build',
                                            'timbre_knobs'),
            'train_build_over_eager_build': ratio(
                'timbre_knobs_train_build', 'timbre_knobs_eager_build'),
            'train_build_over_ddsp': ratio('timbre_knobs_train_build',
                                           'ddsp_harmonic_noise')}
  start_median, start_range = bench_common.spread(
      {a: start(a) for a in ARMS})
  ratios_median, ratios_range = bench_common.spread(ratios)
  result = {
      'cpus': os.cpu_count(), 'cpu': bench_common.cpu_name(),
      'batch': args.batch, 'rounds': rounds,
      'start_secs_median': start_median, 'start_secs_range': start_range,
      'ratios_median': ratios_median, 'ratios_range': ratios_range,
  }
  bench_common.write_result(result, args.out)
  for k, v in result['ratios_median'].items():
    lo, hi = result['ratios_range'][k]
    print(f'{k:24s} {v:.2f} (rounds {lo:.2f}..{hi:.2f})')


if __name__ == '__main__':
  main()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""How training step time and peak memory grow with batch size and length.

Two models at the tiny size: ours (timbre_ae_tiny, all timbre losses) and
plain ddsp at the same size (harmonic_noise_tiny, ddsp's ae.gin scaled
down). Configurations: batch 4, 8, 16, 32 at 1 s examples, and 2 s, 4 s at
batch 8 (`--grid full` also runs every batch at every length). The audio
shape is set as `train --dataset` does (N_SAMPLES, TIME_STEPS at 250
frames/s), and ours keeps its z rate (Z_TIME_STEPS = 50 per second); ddsp's
MFCC encoder keeps its own hop, so its z rate is fixed too.

Each configuration runs in a fresh subprocess: imports, then the baseline
peak RSS (`getrusage(RUSAGE_SELF).ru_maxrss`), a synthetic batch (harmonic
tones with loudness and descriptors from our feature code), the model and
ddsp's Trainer (optimization/cpu.gin), `--warmup` untimed steps, then
`--steps` timed steps on that batch; step time is their median, memory the
process's peak RSS, in total and above the import baseline. Configurations
run one after another, ours and ddsp's back to back (alternating which goes
first), so load changes on this shared machine hit both.
Ratios are to batch 8 at 1 s (the training recipe's setting).

  .venv/bin/python benchmarks/scaling.py [--steps 5] [--warmup 2]
      [--grid axes|full]

Writes benchmarks/results/scaling.json and prints Markdown tables.
"""

import argparse
import json
import os
import time
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = {'timbre_ae_tiny': 'ours: timbre_ae_tiny',
          'harmonic_noise_tiny': 'ddsp: harmonic_noise_tiny'}
BATCHES = (4, 8, 16, 32)
SECONDS = (1, 2, 4)
REF = (8, 1)  # (batch, secs) the ratios are taken to.
Z_RATE = 50  # timbre_ae_tiny's z frames per second (_tiny_sizes.gin).


def worker(args):
  """One configuration in this (fresh) process; writes JSON to args.out."""
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  baseline = bench_common.peak_rss_mib()
  secs, batch = args.secs, args.batch
  feats = bench_common.synthetic_batch(batch, secs)
  params = [f'N_SAMPLES = {int(16000 * secs)}',
            f'TIME_STEPS = {int(250 * secs)}',
            f'batch_size = {batch}']
  if args.model.startswith('timbre'):
    params.append(f'Z_TIME_STEPS = {int(Z_RATE * secs)}')
  train.parse_gin([f'models/{args.model}.gin', 'optimization/cpu.gin'],
                  params)
  trainer = trainers.get_trainer_class()(train.build_model(),
                                         tf.distribute.get_strategy())
  feats = {k: tf.constant(v) for k, v in feats.items()}
  start = time.perf_counter()
  for _ in range(args.warmup):
    float(trainer.train_step(feats)['total_loss'])
  warmup_secs = time.perf_counter() - start
  times = []
  for _ in range(args.steps):
    t0 = time.perf_counter()
    float(trainer.train_step(feats)['total_loss'])
    times.append(time.perf_counter() - t0)
  peak = bench_common.peak_rss_mib()
  result = {
      'model': args.model, 'batch': batch, 'example_secs': secs,
      'params': int(sum(np.prod(v.shape)
                        for v in trainer.model.trainable_variables)),
      'secs_per_step': float(np.median(times)), 'step_secs': times,
      'warmup_secs': warmup_secs,
      'baseline_rss_mib': baseline, 'peak_rss_mib': peak,
      'peak_above_baseline_mib': peak - baseline,
  }
  with open(args.out, 'w') as f:
    json.dump(result, f)


def run_config(model, batch, secs, args):
  return bench_common.run_worker(
      os.path.abspath(__file__),
      ['--worker', '--model', model, '--batch', str(batch), '--secs',
       str(secs), '--steps', str(args.steps), '--warmup', str(args.warmup)])


def tables(result):
  """Markdown: one table per model, then ours vs ddsp."""
  lines = []
  for model, label in MODELS.items():
    rows = [r for r in result['rows'] if r['model'] == model]
    lines += [f'{label}', '',
              '| batch | example s | ms/step | ms per example-second | '
              'vs batch 8 / 1 s | peak RSS MiB (above imports) | '
              'vs batch 8 / 1 s |',
              '| --- | --- | --- | --- | --- | --- | --- |']
    for r in rows:
      lines.append(
          f'| {r["batch"]} | {r["example_secs"]:g} | '
          f'{1000 * r["secs_per_step"]:.0f} | '
          f'{1000 * r["secs_per_example_second"]:.1f} | '
          f'{r["time_per_example_second_vs_ref"]:.2f}x | '
          f'{r["peak_rss_mib"]:.0f} ({r["peak_above_baseline_mib"]:.0f}) | '
          f'{r["memory_above_baseline_vs_ref"]:.2f}x |')
    lines.append('')
  lines += ['ours / ddsp, same configuration', '',
            '| batch | example s | step time | peak RSS above imports |',
            '| --- | --- | --- | --- |']
  for c in result['ours_over_ddsp']:
    lines.append(f'| {c["batch"]} | {c["example_secs"]:g} | '
                 f'{c["step_time"]:.2f}x | {c["memory_above_baseline"]:.2f}x |')
  return '\n'.join(lines)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--steps', type=int, default=5)
  parser.add_argument('--warmup', type=int, default=2)
  parser.add_argument('--grid', choices=('axes', 'full'), default='axes')
  parser.add_argument('--output', default=os.path.join(HERE, 'results',
                                                       'scaling.json'))
  # Internal: one configuration in a fresh process.
  parser.add_argument('--worker', action='store_true')
  parser.add_argument('--model')
  parser.add_argument('--batch', type=int)
  parser.add_argument('--secs', type=float)
  parser.add_argument('--out')
  args = parser.parse_args()
  if args.worker:
    return worker(args)

  if args.grid == 'full':
    configs = [(b, s) for s in SECONDS for b in BATCHES]
  else:
    configs = [(b, 1) for b in BATCHES] + [(8, s) for s in SECONDS if s != 1]
  load = [os.getloadavg()[0]]
  rows = []
  for i, (batch, secs) in enumerate(configs):
    order = list(MODELS) if i % 2 == 0 else list(MODELS)[::-1]
    for model in order:
      r = run_config(model, batch, secs, args)
      r['secs_per_example_second'] = r['secs_per_step'] / (batch * secs)
      r['load_average_1min'] = os.getloadavg()[0]
      rows.append(r)
      print(f'{model:20s} batch {batch:2d} {secs:g} s: '
            f'{1000 * r["secs_per_step"]:7.0f} ms/step, peak RSS '
            f'{r["peak_rss_mib"]:.0f} MiB ({r["peak_above_baseline_mib"]:.0f}'
            f' above imports), load {r["load_average_1min"]:.1f}',
            flush=True)
  load.append(os.getloadavg()[0])
  rows.sort(key=lambda r: (list(MODELS).index(r['model']),
                           r['example_secs'], r['batch']))
  ref = {r['model']: r for r in rows
         if (r['batch'], r['example_secs']) == REF}
  for r in rows:
    base = ref[r['model']]
    r['step_time_vs_ref'] = r['secs_per_step'] / base['secs_per_step']
    r['time_per_example_second_vs_ref'] = (
        r['secs_per_example_second'] / base['secs_per_example_second'])
    r['memory_vs_ref'] = r['peak_rss_mib'] / base['peak_rss_mib']
    r['memory_above_baseline_vs_ref'] = (r['peak_above_baseline_mib'] /
                                         base['peak_above_baseline_mib'])
  by_key = {(r['model'], r['batch'], r['example_secs']): r for r in rows}
  ours, ddsp = list(MODELS)
  ratio = []
  for batch, secs in sorted(configs, key=lambda c: (c[1], c[0])):
    o, d = by_key[(ours, batch, secs)], by_key[(ddsp, batch, secs)]
    ratio.append({'batch': batch, 'example_secs': secs,
                  'step_time': o['secs_per_step'] / d['secs_per_step'],
                  'memory_above_baseline': (o['peak_above_baseline_mib'] /
                                            d['peak_above_baseline_mib'])})
  result = {
      'machine': {'cpus': os.cpu_count(), 'cpu': bench_common.cpu_name(),
                  'shared': 'the 2 cores may be shared with other jobs; '
                            'the 1-min load average after each '
                            'configuration is in its row',
                  'load_average_1min_start_end': load},
      'steps': args.steps, 'warmup': args.warmup, 'grid': args.grid,
      'reference': {'batch': REF[0], 'example_secs': REF[1]},
      'memory': 'peak RSS (ru_maxrss) of a fresh process per '
                'configuration; baseline = after importing TF, ddsp and '
                'interpret_ddsp',
      'rows': rows, 'ours_over_ddsp': ratio,
  }
  result['table_markdown'] = tables(result)
  print(result['table_markdown'])
  bench_common.write_result(result, args.output)


if __name__ == '__main__':
  main()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Benchmark of the DDSP variants: same data, same steps, same seed.

Models (gin/models/, all at the tiny size: 1 s examples, small GRUs):
  harmonic_tiny                plain ddsp AE, harmonic synth only
  harmonic_noise_tiny          + filtered noise (ddsp's ae.gin)
  harmonic_noise_reverb_tiny   + a trainable reverb
  timbre_ae_tiny               ours: named knobs + timbre losses
  timbre_vae_tiny              ours: pooled variational z + KL

1. Data: `timbre_training.make_data` (six GM instruments from TimGM6mb,
   1 s examples; cached under runs/bench_timbre/data and reused).
2. Training: each model in its own fresh subprocess, `--steps` steps of
   ddsp's Trainer (optimization/cpu.gin, batch `--batch`), seeded with
   `train.train(seed=--seed)` before the model and data pipeline are built
   (meant to give every model the same batch order; not checked). Then on
   the eval split (`--eval_examples`):
   `interpret_ddsp.evaluation.evaluate.reconstruction` (multi-scale spectral
   distance, SNR, MCD, f0 L1 in cents with CREPE tiny on both sounds,
   loudness L1 in dB).
3. Step time: a separate phase in one process. All five models are built
   and warmed up (their train_step traced) on one real batch of the
   training set, then timed round-robin: `--timing_rounds` rounds, each
   model `--timing_steps` steps in turn, the order rotated every round, so
   a change of load on this shared machine hits them all alike. Reported:
   median of all timed steps per model, and the median over rounds of the
   per-round ratio to harmonic_tiny.
Ratios are to harmonic_tiny. The machine (CPU count, load average) is
recorded: the two cores may be shared with other jobs.

  .venv/bin/python benchmarks/variants.py [--steps 300] [--batch 8]
      [--seed 0] [--eval_examples 48] [--timing_rounds 4]
      [--timing_steps 8]

(About 22 minutes with the defaults on 2 shared cores.)

Writes benchmarks/results/variants.json and prints a Markdown table.
"""

import argparse
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

MODELS = ('harmonic_tiny', 'harmonic_noise_tiny',
          'harmonic_noise_reverb_tiny', 'timbre_ae_tiny', 'timbre_vae_tiny')
BASE = 'harmonic_tiny'
METRICS = ('spectral_distance', 'snr_db', 'mcd_db', 'f0_l1_cents',
           'f0_outlier_rate', 'loudness_l1_db')


def gin_files(name):
  return [f'models/{name}.gin', 'datasets/tfrecord.gin',
          'optimization/cpu.gin']


def n_params(model):
  import numpy as np  # pylint: disable=g-import-not-at-top
  return int(sum(np.prod(v.shape) for v in model.trainable_variables))


def worker_train(args):
  """Trains one model from scratch and evaluates it; writes JSON."""
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  save_dir = os.path.join(args.root, args.model)
  shutil.rmtree(save_dir, ignore_errors=True)  # Fresh, never resumed.
  start = time.perf_counter()
  trainer = train.train(gin_files(args.model), save_dir,
                        gin_params=[f'batch_size = {args.batch}'],
                        dataset_dir=args.data, num_steps=args.steps,
                        progress=False, seed=args.seed)
  train_secs = time.perf_counter() - start
  log = train.read_loss_log(save_dir)
  tail = log[-min(20, len(log)):]
  provider = data.TimbreTFRecordProvider(
      os.path.join(args.data, 'eval.tfrecord*'), example_secs=1.0,
      include_metadata=False)
  start = time.perf_counter()
  recon = evaluate.reconstruction(trainer.model, provider,
                                  max_examples=args.eval_examples)
  recon.pop('visqol', None)
  result = {
      'model': args.model, 'steps': int(trainer.step.numpy()),
      'params': n_params(trainer.model),
      'train_wall_secs': train_secs,
      'train_secs_per_step_incl_data_and_saves': train_secs / args.steps,
      'train_spectral_loss_last20': float(np.mean(
          [r['spectral_loss'] for r in tail])),
      'eval': recon, 'eval_secs': time.perf_counter() - start,
      'peak_rss_mib': bench_common.peak_rss_mib(),
  }
  with open(args.out, 'w') as f:
    json.dump(result, f)


def worker_timing(args):
  """Round-robin step times of all models in one process; writes JSON."""
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  provider = data.TimbreTFRecordProvider(
      os.path.join(args.data, 'train.tfrecord*'), example_secs=1.0,
      include_metadata=False)
  ds = provider.get_batch(args.batch, shuffle=False, repeats=1)
  batch = {k: v for k, v in next(iter(ds)).items() if v.dtype != tf.string}
  models = args.models.split(',')
  trainers_ = {}
  params = {}
  for name in models:
    # Each model is traced right after its own gin config is parsed.
    train.parse_gin(gin_files(name), [f'batch_size = {args.batch}'],
                    dataset_dir=args.data)
    strategy = tf.distribute.get_strategy()
    trainer = trainers.get_trainer_class()(train.build_model(), strategy)
    for _ in range(3):
      float(trainer.train_step(batch)['total_loss'])
    trainers_[name] = trainer
    params[name] = n_params(trainer.model)
  # Once all are built, the first step of each retraces (TF keys its trace
  # cache on state that building the others changes): one more untimed
  # round of warm-up.
  for name in models:
    for _ in range(2):
      float(trainers_[name].train_step(batch)['total_loss'])
  times = {name: [] for name in models}  # [round][step] seconds.
  for r in range(args.timing_rounds):
    order = models[r % len(models):] + models[:r % len(models)]
    for name in order:
      trainer = trainers_[name]
      steps = []
      for _ in range(args.timing_steps):
        t0 = time.perf_counter()
        float(trainer.train_step(batch)['total_loss'])
        steps.append(time.perf_counter() - t0)
      times[name].append(steps)
  with open(args.out, 'w') as f:
    json.dump({'times': times, 'params': params}, f)


def run_worker(kind, extra, args):
  label = extra[1] if kind == 'train' else kind
  return bench_common.run_worker(
      os.path.abspath(__file__),
      ['--worker', kind, '--data', args.data, '--root', args.root,
       '--batch', str(args.batch), '--seed', str(args.seed),
       '--steps', str(args.steps), '--eval_examples', str(args.eval_examples),
       '--timing_rounds', str(args.timing_rounds),
       '--timing_steps', str(args.timing_steps)] + extra,
      log_path=os.path.join(args.root, f'{label}.log'))


def fmt(x, digits=3):
  return f'{x:.{digits}g}' if abs(x) < 1000 else f'{x:.0f}'


def table(result):
  models = result['models']
  base = result['runs'][BASE]
  lines = [
      '| model | params | ms/step (median) | vs harmonic | '
      'spectral distance | SNR dB | MCD dB | f0 L1 cents | loudness L1 dB |'
      ' spectral distance vs harmonic |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
  for name in models:
    run = result['runs'][name]
    ev = run['eval']
    lines.append(
        f'| {name} | {run["params"]:,} | '
        f'{1000 * run["secs_per_step_median"]:.0f} | '
        f'{run["step_time_vs_harmonic"]:.2f}x | '
        f'{fmt(ev["spectral_distance"])} | {ev["snr_db"]:.2f} | '
        f'{ev["mcd_db"]:.2f} | {ev["f0_l1_cents"]:.1f} | '
        f'{ev["loudness_l1_db"]:.2f} | '
        f'{ev["spectral_distance"] / base["eval"]["spectral_distance"]:.2f}'
        ' |')
  return '\n'.join(lines)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--steps', type=int, default=300)
  parser.add_argument('--batch', type=int, default=8)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--eval_examples', type=int, default=48)
  parser.add_argument('--timing_rounds', type=int, default=4)
  parser.add_argument('--timing_steps', type=int, default=8)
  parser.add_argument('--models', default=','.join(MODELS))
  parser.add_argument('--root', default=os.path.join('runs', 'bench_variants'))
  parser.add_argument('--data_root', default=os.path.join('runs',
                                                          'bench_timbre'))
  parser.add_argument('--output', default=os.path.join(HERE, 'results',
                                                       'variants.json'))
  # Internal: one phase in a fresh process.
  parser.add_argument('--worker', choices=('train', 'timing'))
  parser.add_argument('--model')
  parser.add_argument('--data')
  parser.add_argument('--out')
  args = parser.parse_args()
  if args.worker == 'train':
    return worker_train(args)
  if args.worker == 'timing':
    return worker_timing(args)

  import numpy as np  # pylint: disable=g-import-not-at-top
  import timbre_training  # pylint: disable=g-import-not-at-top
  os.makedirs(args.root, exist_ok=True)
  os.makedirs(args.data_root, exist_ok=True)
  args.data = os.path.abspath(timbre_training.make_data(args.data_root, None))
  models = args.models.split(',')
  load = {'start': os.getloadavg()[0]}
  runs = {}
  for name in models:
    t0 = time.perf_counter()
    runs[name] = run_worker('train', ['--model', name], args)
    ev = runs[name]['eval']
    print(f'{name}: {runs[name]["steps"]} steps in '
          f'{runs[name]["train_wall_secs"]:.0f} s, eval spectral distance '
          f'{ev["spectral_distance"]:.3f}, SNR {ev["snr_db"]:.2f} dB '
          f'({time.perf_counter() - t0:.0f} s, load '
          f'{os.getloadavg()[0]:.1f})', flush=True)
  load['after_training'] = os.getloadavg()[0]
  timing = run_worker('timing', ['--models', args.models], args)
  load['after_timing'] = os.getloadavg()[0]
  times = timing['times']
  for name in models:
    per_round = [float(np.median(r)) for r in times[name]]
    run = runs[name]
    run['secs_per_step_median'] = float(np.median(np.concatenate(
        times[name])))
    run['secs_per_step_round_medians'] = per_round
    run['timed_step_secs'] = times[name]
  base_rounds = runs[BASE]['secs_per_step_round_medians'] if BASE in runs \
      else None
  for name in models:
    run = runs[name]
    if base_rounds:
      run['step_time_vs_harmonic'] = float(np.median(
          np.array(run['secs_per_step_round_medians']) /
          np.array(base_rounds)))
      base = runs[BASE]
      run['params_vs_harmonic'] = run['params'] / base['params']
      run['eval_vs_harmonic'] = {
          k: run['eval'][k] / base['eval'][k] for k in METRICS
          if base['eval'][k]}
  result = {
      'machine': {'cpus': os.cpu_count(), 'cpu': bench_common.cpu_name(),
                  'shared': 'the 2 cores may be shared with other jobs; '
                            '1-min load averages below',
                  'load_average_1min': load},
      'data': args.data, 'example_secs': 1.0, 'batch': args.batch,
      'steps': args.steps, 'seed': args.seed,
      'eval_examples': args.eval_examples,
      'timing': {'rounds': args.timing_rounds, 'steps_per_round':
                 args.timing_steps,
                 'warmup_steps': '3 after building, 2 more once all are '
                                 'built',
                 'batch': 'one fixed batch of the training set'},
      'baseline': BASE, 'models': models, 'runs': runs,
  }
  if base_rounds:
    result['table_markdown'] = table(result)
    print(result['table_markdown'])
  bench_common.write_result(result, args.output)


if __name__ == '__main__':
  main()

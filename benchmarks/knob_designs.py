# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Which control design keeps the knobs' promise? Measured side by side.

Designs, each trained on the same data with the same recipe, steps and seed
(the shipped model's: tiny size, batch 8, Adam 1e-3, seed 0):
- `processors` (gin/models/timbre_ae_tiny.gin, the default): TimbreKnobs
  sets each knob's descriptor on the synthesis parameters;
- `learned` (gin/models/timbre_ae_learned_tiny.gin, the design before):
  the decoder alone maps the knobs to sound, held by AR, supervision and
  output-consistency losses (with a perturbed second decode);
- `decorrelated` (gin/models/timbre_ae_decorrelated_tiny.gin, a hybrid):
  the default plus a penalty on the squared correlation of the free dims
  with the knobs' descriptors (losses.FreeDimsDecorrelationLoss).
Each is evaluated with `interpret-ddsp evaluate` on the eval split:
reconstruction (spectral distance, f0 and loudness L1) and knob calibration
(Pearson r, slope, MAE, cross-talk slopes, beyond-range slopes, bootstrap
intervals). Writes benchmarks/results/knob_designs.json and each design's
report under --root.

  .venv/bin/python benchmarks/knob_designs.py --data runs/pretrained/data
  # with the shipped run's own model and evaluation as the processors arm
  # (same recipe, data, seed and evaluate settings; saves a training):
  .venv/bin/python benchmarks/knob_designs.py --data runs/pretrained/data \
      --reuse processors=runs/pretrained/model \
      --metrics processors=runs/pretrained/evaluation/metrics.json
A design whose folder already holds evaluation/metrics.json of the same
step is not evaluated again.
"""

import argparse
import json
import os
import shutil
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.evaluation import evaluate
from interpret_ddsp.training import train
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
DESIGNS = {
    'processors': 'models/timbre_ae_tiny.gin',
    'learned': 'models/timbre_ae_learned_tiny.gin',
    'decorrelated': 'models/timbre_ae_decorrelated_tiny.gin',
}


def summarize(metrics):
  """The headline figures of one evaluate run."""
  r, kc = metrics['reconstruction'], metrics['knob_control']
  out = {k: r[k] for k in ('spectral_distance', 'f0_l1_cents',
                           'loudness_l1_db', 'mcd_db')}
  out['visqol'] = r.get('visqol')  # None where ViSQOL is not installed.
  out['knobs'] = {}
  for knob in kc['cross_talk']['knobs']:
    k = kc[knob]
    cal = k['calibration']
    out['knobs'][knob] = {
        'pearson_r': cal['pearson_r'], 'slope': cal['slope'],
        'intercept': cal['intercept'], 'mae': cal['mae'], 'ci': cal['ci'],
        'max_cross_talk': k['max_cross_talk'],
        'beyond_range': k['beyond_range'], 'meets': k['meets_targets'],
        'within_reach': k.get('calibration_within_reach'),
        'spearman_mean': k['spearman_mean']}
  out['cross_talk_slope'] = kc['cross_talk']['slope']
  if 'disentanglement' in metrics:
    out['disentanglement'] = {k: v for k, v in
                              metrics['disentanglement'].items()
                              if k in ('interpretability', 'mig', 'sap')}
  return out


def recipe_parser(root, with_data=True):
  """An ArgumentParser with what `train_and_evaluate` reads (the data, the
  shipped recipe's steps, seed and learning rate, evaluate's example
  counts) and --root (default runs/<root>); without --data when the
  script makes its own (with_data=False)."""
  parser = argparse.ArgumentParser()
  if with_data:
    parser.add_argument('--data', required=True,
                        help='a prepare output folder (train/eval TFRecords)')
  parser.add_argument('--root', default=os.path.join('runs', root))
  parser.add_argument('--steps', type=int, default=2000)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--learning_rate', type=float, default=1e-3)
  parser.add_argument('--eval_examples', type=int, default=64)
  parser.add_argument('--knob_examples', type=int, default=32)
  return parser


def add_comparison_args(parser, out_name, reuse_help):
  """--seeds, --reuse (NAME=MODEL_DIR, repeatable) and --out
  (benchmarks/results/<out_name>) of a recipe comparison over seeds."""
  parser.add_argument('--seeds', default='0')
  parser.add_argument('--reuse', action='append', default=[],
                      help=reuse_help)
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    out_name))


def comparison_result(args, same, **fields):
  """A recipe comparison's result dict: the machine, args.steps, the
  seeds, args.learning_rate, fields and 'arms', with the finished arms of
  an earlier run at args.out kept where its `same` fields (a dict) match.

  Returns:
    (result, seeds as ints, reuse as {name: model dir}).
  """
  seeds = [int(x) for x in args.seeds.split(',')]
  result = {'cpu': bench_common.cpu_name(), 'cpus': os.cpu_count(),
            'steps': args.steps, 'seeds': seeds,
            'learning_rate': args.learning_rate, **same, **fields,
            'arms': {}}
  if os.path.exists(args.out):  # Keep finished arms of an earlier call.
    with open(args.out) as f:
      old = json.load(f)
    if all(old.get(k) == v for k, v in {'steps': args.steps, **same}.items()):
      result['arms'] = old.get('arms', {})
      result['seeds'] = sorted(set(old.get('seeds', [])) | set(seeds))
  return result, seeds, dict(r.split('=', 1) for r in args.reuse)


def copy_reused(reuse, name, save_dir, steps, ignore=None):
  """The finished run --reuse gives for arm `name` (None if none), copied
  into save_dir unless save_dir has already reached `steps`; ignore as
  shutil.copytree's."""
  source = reuse.get(name)
  if source and train.latest_step(save_dir) < steps:
    shutil.copytree(source, save_dir, dirs_exist_ok=True, ignore=ignore)
  return source


def train_and_evaluate(gin_file, save_dir, args, gin_params=(),
                       metrics_path=None, eval_data=None):
  """Trains (or continues) gin_file in save_dir to args.steps on args.data
  with the shipped recipe's settings (args: data, steps, seed,
  learning_rate, eval_examples, knob_examples), then evaluates it on the
  eval split (of eval_data, default args.data) into metrics_path's folder
  (default save_dir/evaluation/); an evaluate run of the same step at
  metrics_path is reused instead.

  Returns:
    (metrics, seconds this call trained, the path the metrics came from).
  """
  start = time.perf_counter()
  train.train([gin_file, 'datasets/tfrecord.gin', 'optimization/cpu.gin'],
              save_dir, dataset_dir=args.data, num_steps=args.steps,
              seed=args.seed, progress=False,
              gin_params=list(gin_params) + [
                  f'Trainer.learning_rate = {args.learning_rate}'])
  secs = time.perf_counter() - start
  metrics_path = metrics_path or os.path.join(save_dir, 'evaluation',
                                              'metrics.json')
  if os.path.exists(metrics_path):
    with open(metrics_path) as f:
      metrics = json.load(f)
    if metrics.get('step') == train.latest_step(save_dir):
      return metrics, secs, metrics_path
  metrics = evaluate.evaluate(
      save_dir, os.path.join(eval_data or args.data, 'eval.tfrecord*'),
      os.path.dirname(metrics_path), max_examples=args.eval_examples,
      knob_examples=args.knob_examples, progress=False)
  return metrics, secs, None


def main():
  parser = recipe_parser('knob_designs')
  parser.add_argument('--designs', default=','.join(DESIGNS))
  parser.add_argument('--reuse', action='append', default=[],
                      help='DESIGN=MODEL_DIR: copy a finished run of the '
                      'same recipe instead of training it')
  parser.add_argument('--metrics', action='append', default=[],
                      help='DESIGN=METRICS_JSON: a finished evaluate run of '
                      'that model on the same eval data, instead of '
                      'evaluating again')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'knob_designs.json'))
  args = parser.parse_args()
  reuse = dict(r.split('=', 1) for r in args.reuse)
  given = dict(r.split('=', 1) for r in args.metrics)
  result = {'cpu': bench_common.cpu_name(), 'cpus': os.cpu_count(),
            'data': args.data, 'steps': args.steps, 'seed': args.seed,
            'learning_rate': args.learning_rate, 'designs': {}}
  for name in args.designs.split(','):
    save_dir = os.path.join(args.root, name)
    entry = {'gin_file': DESIGNS[name], 'save_dir': save_dir}
    if copy_reused(reuse, name, save_dir, args.steps):
      entry['reused'] = reuse[name]
    metrics, entry['train_secs_now'], reused = train_and_evaluate(
        DESIGNS[name], save_dir, args, metrics_path=given.get(name))
    if reused:
      entry['metrics_from'] = reused
    entry.update(summarize(metrics))
    result['designs'][name] = entry
    bench_common.write_result(result, args.out)
  for name, d in result['designs'].items():
    print(f'{name:11s} spectral {d["spectral_distance"]:.3f}  f0 '
          f'{d["f0_l1_cents"]:.1f} c  loudness {d["loudness_l1_db"]:.2f} dB'
          f'  {d.get("disentanglement")}')
    for knob, k in d['knobs'].items():
      print(f'  {knob:11s} r {k["pearson_r"]:.3f} slope {k["slope"]:.2f} '
            f'MAE {k["mae"]:.2f} max cross-talk {k["max_cross_talk"]:.2f}')
  if {'processors', 'learned'} <= set(result['designs']):
    p, l = result['designs']['processors'], result['designs']['learned']
    result['spectral_distance_ratio'] = (p['spectral_distance'] /
                                         l['spectral_distance'])
    print(f'spectral distance processors / learned: '
          f'{result["spectral_distance_ratio"]:.3f} (target <= 1.05)')
    bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

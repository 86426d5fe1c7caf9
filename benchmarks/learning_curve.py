# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The shipped recipe's learning curve: where does more training stop paying?

One straight run of the shipped recipe (gin/models/timbre_ae_tiny.gin, the
shipped data, seed, batch and learning rate; every checkpoint kept) to the
last milestone; each milestone's checkpoint then gets extract-z, fit-prior
and the full `evaluate` on the same 64 eval examples: spectral distance,
ViSQOL, f0 and loudness L1, knob calibration (r, slope, MAE, cross-talk),
`sample --set` calibration and the generation figures. Every milestone's
figures go to benchmarks/results/learning_curve.json as they come (with
the evaluation seconds), and learning_curve.png plots them. (Training to
each milestone in turn, resuming with the same seed, replayed the data
order from its start at every resume, so the curve is one straight run.
That first attempt read 8.92 at 2000 steps against the shipped model's
8.24, a straight run with ddsp's Harmonic; which difference made it was
not separated.)

--start_from continues another run instead of starting at step 0 (the
shipped model's folder, say): its newest checkpoint and model files seed
--root's model folder, and training goes on from its step as any resumed
run does. --also_eval evaluates every milestone on a second eval set too
(reconstruction and knobs, its first 64 examples), e.g. the every-third-key
set every shipped model is compared on (benchmarks/every_third_key.py).

A run can span sessions: --max_minutes stops training cleanly (a
checkpoint is written) and a later call with the same --root resumes at
the step it reached (`train` then reseeds from the seed and the step, so
the data order does not repeat); milestones already evaluated are kept.
`--stage train` and `--stage evaluate --wait` can run side by side.

  .venv/bin/python benchmarks/learning_curve.py \
      --data runs/pretrained_v3/data --root runs/learning_curve \
      --milestones 1000,2000,3000,4000,6000 [--max_minutes 60] \
      [--stage train|evaluate|both] [--wait]
  # The 16000-step model shipped before (its run folder) trained on, read
  # on the every-third-key set as well:
  .venv/bin/python benchmarks/learning_curve.py --without_recipe_gin \
      --data runs/pretrained_refresh2/data --root runs/lc_28k \
      --start_from runs/pretrained_16k/model \
      --milestones 18000,20000,22000,24000,26000,28000 \
      --also_eval 'runs/eval_third/eval.tfrecord*' \
      --out benchmarks/results/learning_curve_16k_continued.json
  # Its 24000 checkpoint with the rate decayed tenfold over 4000 steps
  # (ddsp's ExponentialDecay counts from step 0: 1000 x 0.1^(24000/4000)
  # is 1e-3 at 24000, 1e-4 at 28000; HeldDecayTrainer gives the same):
  .venv/bin/python benchmarks/learning_curve.py --without_recipe_gin \
      --data runs/pretrained_refresh2/data --root runs/lc_decay \
      --start_from runs/lc_28k/model --start_step 24000 \
      --gin_param 'Trainer.learning_rate = 1000.0' \
      --gin_param 'Trainer.lr_decay_steps = 4000' \
      --gin_param 'Trainer.lr_decay_rate = 0.1' \
      --milestones 27900,27950,28000 \
      --also_eval 'runs/eval_third/eval.tfrecord*' \
      --out benchmarks/results/learning_curve_decay_tail.json
  # The recipe as it now stands (its gin_params: HeldDecayTrainer), in one
  # straight run from step 0:
  .venv/bin/python benchmarks/learning_curve.py \
      --data runs/pretrained_refresh2/data --root runs/lc_straight_28k \
      --milestones 24000,28000 \
      --also_eval 'runs/eval_third/eval.tfrecord*' \
      --out benchmarks/results/learning_curve_straight_28k.json

The recipe's gin_params (its schedule) are passed as the pipeline's train
stage passes them; the first three commands above were run before the
recipe had any, hence --without_recipe_gin.
"""

import argparse
import json
import os
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.apps import pipeline
from interpret_ddsp.evaluation import evaluate
from interpret_ddsp.generation import extract
from interpret_ddsp.generation import prior
from interpret_ddsp.training import train
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import knob_designs  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))


def milestone_figures(metrics):
  """The curve's figures from one evaluate run."""
  out = knob_designs.summarize(metrics)
  prior_kc = metrics.get('knob_control_prior', {}).get('marginal', {})
  out['sample_set'] = {
      k: {m: prior_kc[k][m] for m in ('pearson_r', 'slope', 'mae')}
      for k in out['knobs'] if k in prior_kc}
  if 'cross_talk' in prior_kc:
    slope = np.asarray(prior_kc['cross_talk']['slope'], float)
    out['sample_set_max_cross_talk'] = float(np.nanmax(np.abs(
        slope[~np.eye(len(slope), dtype=bool)])))
  dis = metrics.get('disentanglement', {})
  out['disentanglement'] = {k: v for k, v in dis.items()
                            if isinstance(v, (int, float))}
  gen = metrics.get('generation', {})
  out['generation'] = {k: v for k, v in gen.items()
                       if isinstance(v, (int, float))}
  return out


def plot(result, path):
  """Spectral distance, ViSQOL and knob MAE against steps, as a PNG."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  rows = sorted(result['milestones'].values(), key=lambda r: r['step'])
  steps = [r['step'] for r in rows]
  fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
  axes[0].plot(steps, [r['spectral_distance'] for r in rows], 'o-',
               label='eval split')
  if all('also' in r for r in rows):
    axes[0].plot(steps, [r['also']['spectral_distance'] for r in rows],
                 's--', label=result.get('also_eval'))
    axes[0].legend(fontsize=7)
  axes[0].set_title('eval spectral distance (lower is better)')
  axes[1].plot(steps, [r['visqol'] for r in rows], 'o-')
  axes[1].set_title('ViSQOL (MOS-LQO, higher is better)')
  for knob in rows[0]['knobs']:
    axes[2].plot(steps, [r['knobs'][knob]['mae'] for r in rows], 'o-',
                 label=knob)
  axes[2].axhline(0.2, color='grey', ls=':', label='target')
  axes[2].set_title('knob MAE (std units)')
  axes[2].legend()
  for ax in axes:
    ax.set_xlabel('training steps')
    ax.grid(alpha=0.3)
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)


def milestone_model(save_dir, step, dest):
  """A model folder whose checkpoint is the milestone's: links to
  ckpt-<step> and the model files, and its own `checkpoint` index."""
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  return dest if model_io.place_checkpoint(save_dir, step, dest,
                                           link=True) else None


def start_from(src, save_dir, step=None):
  """Seeds save_dir with src's checkpoint of `step` (None: its newest) and
  model files, unless save_dir has a checkpoint already; returns the step
  it starts at."""
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  if train.latest_step(save_dir):  # 0: no checkpoint yet.
    return train.latest_step(save_dir)
  step = train.latest_step(src) if step is None else step
  if model_io.place_checkpoint(src, step, save_dir) is None:
    raise SystemExit(f'No checkpoint {step or ""} in {src}.')
  return train.latest_step(save_dir)


def recipe_bindings(args, recipe):
  """The recipe's own gin bindings (its schedule), as the pipeline's train
  stage passes them; none with --without_recipe_gin (the runs made before
  the recipe had any)."""
  return [] if args.without_recipe_gin else pipeline.gin_bindings(
      recipe.gin_params)


def train_straight(args, recipe, last):
  """One run to the last milestone, keeping every checkpoint (the
  milestones' among them); resumable."""
  save_dir = os.path.join(args.root, 'model')
  train.train([recipe.gin_file, 'datasets/tfrecord.gin',
               'optimization/cpu.gin'], save_dir, dataset_dir=args.data,
              num_steps=last, seed=recipe.seed, progress=False,
              max_secs=60 * args.max_minutes if args.max_minutes else None,
              gin_params=[f'Trainer.learning_rate = {recipe.learning_rate}',
                          'Trainer.checkpoints_to_keep = 100000'] +
              recipe_bindings(args, recipe) + list(args.gin_param))
  return train.latest_step(save_dir)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--data', default=os.path.join('runs', 'pretrained_v3',
                                                     'data'))
  parser.add_argument('--root', default=os.path.join('runs',
                                                     'learning_curve'))
  parser.add_argument('--milestones', default='1000,2000,3000,4000,6000')
  parser.add_argument('--stage', choices=('train', 'evaluate', 'both'),
                      default='both',
                      help='train: to the last milestone; evaluate: every '
                      'milestone whose checkpoint exists (waits for the '
                      'training with --wait); both: one, then the other')
  parser.add_argument('--wait', action='store_true',
                      help='evaluate: wait for milestones still training')
  parser.add_argument('--max_minutes', type=float, default=None,
                      help='training budget of this call (resumable)')
  parser.add_argument('--start_from', default=None,
                      help='a model folder whose newest checkpoint the run '
                      'continues (default: from step 0)')
  parser.add_argument('--start_step', type=int, default=None,
                      help='with --start_from: its checkpoint of this step')
  parser.add_argument('--gin_param', action='append', default=[],
                      help='more gin bindings for training (repeatable; '
                      'they come after the recipe\'s rate)')
  parser.add_argument('--without_recipe_gin', action='store_true',
                      help="leave out the recipe's gin_params (its "
                      'HeldDecayTrainer schedule), as the runs before it')
  parser.add_argument('--also_eval', default=None,
                      help='a second eval TFRecord pattern read at every '
                      'milestone (reconstruction and knobs)')
  parser.add_argument('--out', default=os.path.join(
      HERE, 'results', 'learning_curve.json'))
  args = parser.parse_args()
  recipe = pipeline.RECIPES['pretrained']
  milestones = sorted(int(m) for m in args.milestones.split(','))
  if args.start_from:
    start_from(args.start_from, os.path.join(args.root, 'model'),
               args.start_step)
  if args.stage in ('train', 'both'):
    step = train_straight(args, recipe, milestones[-1])
    print(f'Trained to step {step}.', flush=True)
    if args.stage == 'train':
      return
  result = {'cpu': bench_common.cpu_name(), 'data': args.data,
            'recipe': recipe.gin_file, 'seed': recipe.seed,
            'learning_rate': recipe.learning_rate,
            'straight_run': True, 'start_from': args.start_from,
            'start_step': args.start_step, 'gin_params': args.gin_param,
            'recipe_gin_params': recipe_bindings(args, recipe),
            'also_eval': args.also_eval, 'milestones': {}}
  if os.path.exists(args.out):
    with open(args.out) as f:
      old = json.load(f)
    if (old.get('data') == args.data and old.get('straight_run') and
        old.get('recipe') == recipe.gin_file and
        old.get('start_from') == args.start_from and
        old.get('start_step') == args.start_step and
        old.get('gin_params', []) == args.gin_param and
        old.get('recipe_gin_params', []) == recipe_bindings(args, recipe) and
        old.get('also_eval') == args.also_eval):
      result['milestones'] = old['milestones']
  save_dir = os.path.join(args.root, 'model')
  eval_pattern = os.path.join(args.data, 'eval.tfrecord*')
  train_pattern = os.path.join(args.data, 'train.tfrecord*')
  for step in milestones:
    if str(step) in result['milestones']:
      continue
    here = os.path.join(args.root, f'step_{step}')
    model_dir = None
    while model_dir is None:
      model_dir = milestone_model(save_dir, step, os.path.join(here, 'model'))
      if model_dir is None:
        if not args.wait:
          break
        time.sleep(20)
    if model_dir is None:
      print(f'No checkpoint of step {step} yet.')
      break
    start = time.perf_counter()
    z_path = os.path.join(here, 'z.npz')
    prior_path = os.path.join(here, 'prior.npz')
    extract.extract_z(model_dir, train_pattern, z_path, progress=False)
    prior.fit_z_file(z_path, prior_path, by_instrument=True, progress=False)
    metrics = evaluate.evaluate(
        model_dir, eval_pattern, os.path.join(here, 'evaluation'),
        prior_path=prior_path, z_path=z_path, max_examples=64,
        knob_examples=32, prior_draws=recipe.prior_draws,
        n_generated=recipe.n_generated, progress=False)
    row = milestone_figures(metrics)
    if args.also_eval:
      also = evaluate.evaluate(
          model_dir, args.also_eval, os.path.join(here, 'evaluation_also'),
          max_examples=64, knob_examples=32, progress=False)
      row['also'] = knob_designs.summarize(also)
    row.update(step=step, eval_secs=round(time.perf_counter() - start, 1))
    result['milestones'][str(step)] = row
    bench_common.write_result(result, args.out)
    plot(result, os.path.splitext(args.out)[0] + '.png')
    also = (f'(also_eval {row["also"]["spectral_distance"]:.3f}) '
            if 'also' in row else '')
    print(f'step {step}: spectral {row["spectral_distance"]:.3f} {also}'
          f'ViSQOL {row["visqol"]:.2f} ' + ' '.join(
              f'{k} r {v["pearson_r"]:.3f} slope {v["slope"]:.2f} MAE '
              f'{v["mae"]:.2f}' for k, v in row['knobs'].items()),
          flush=True)


if __name__ == '__main__':
  main()

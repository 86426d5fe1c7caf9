# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Do the knobs keep their promise on an instrument the model never heard?

Leave one instrument out: from a `prepare` output with several instruments
(default the shipped model's data, runs/pretrained/data), the examples of
--instrument are taken out of training; the default design
(the shipped recipe's gin file, pipeline.RECIPES['pretrained']) trains on
the rest with that recipe's steps, seed, learning rate and schedule. Then `evaluate` runs twice:
on the held-out instrument's examples (every split: none was trained on)
and on the other instruments' eval split, and the knob calibration (Pearson
r, slope, MAE, cross-talk, with bootstrap intervals) and reconstruction of
both go to benchmarks/results/held_out_instrument.json. Targets: held-out
r >= 0.95, slope 0.8-1.2.

  .venv/bin/python benchmarks/held_out_instrument.py \
      --data runs/pretrained/data --instrument clarinet

With --augment K --audio DIR (the rendered set --data was prepared from),
the data is prepared again from DIR with --data's settings and K randomly
equalized copies of each train example (`prepare`'s augment), into
ROOT/prepared_augmentK (kept for the next instrument), before the split: does timbre augmentation
shrink the gap? The held-out instrument's copies are dropped (it is
evaluated as it sounds), and eval has none.

With --extra_audio DIR (repeatable; e.g. the same instruments rendered
from another soundfont), DIR is prepared with --data's settings into
ROOT/prepared_extra_PATH (`extra_folder`, kept) and all its examples, train and eval, join
training, except the held-out instrument's (dropped and counted); the
held-out and in-distribution evaluations stay on --data's examples, so a
run compares with one without the extra set like for like.

ROOT/INSTRUMENT keeps its split and model for the next run (e.g. to
evaluate again); a run with another recipe (--augment, --extra_audio,
--steps, gin, ...) there is refused (`check_recipe`): give it a new --root.
"""

import argparse
import json
import os
import shutil
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import contracts
from interpret_ddsp.apps import pipeline
from interpret_ddsp.evaluation import evaluate
from interpret_ddsp.support import files
from interpret_ddsp.training import train
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import knob_designs  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))


def split_by_instrument(data_dir, out_dir, instrument, extra_dirs=()):
  """Writes out_dir/{train,eval,held_out}.tfrecord: the train and eval
  splits without `instrument`, and all of its examples; every example of
  extra_dirs but `instrument`'s joins train. Returns counts."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  os.makedirs(out_dir, exist_ok=True)
  spec = {k: data.METADATA_FEATURES[k] for k in ('instrument',
                                                 'augmentation')}
  counts = {'train': 0, 'eval': 0, 'held_out': 0, 'augmented_train': 0,
            'held_out_copies_dropped': 0, 'extra_train': 0,
            'extra_held_out_dropped': 0}
  writers = {k: tf.io.TFRecordWriter(os.path.join(out_dir, f'{k}.tfrecord'))
             for k in ('train', 'eval', 'held_out')}

  def records(d, split):
    # Sorted: the glob's own order is the file system's, and the first 64
    # held-out and eval examples are the ones evaluated.
    shards = sorted(tf.io.gfile.glob(os.path.join(d, f'{split}.tfrecord*')))
    for record in tf.data.TFRecordDataset(shards):
      parsed = tf.io.parse_single_example(record, spec)
      yield (record.numpy(), parsed['instrument'].numpy().decode(),
             int(parsed['augmentation'].numpy()) > 0)

  for split in ('train', 'eval'):
    for record, name, copy in records(data_dir, split):
      key = 'held_out' if name == instrument else split
      if copy and key == 'held_out':
        counts['held_out_copies_dropped'] += 1
        continue
      writers[key].write(record)
      counts[key] += 1
      counts['augmented_train'] += copy
    for d in extra_dirs:
      for record, name, copy in records(d, split):
        if name == instrument:
          counts['extra_held_out_dropped'] += 1
          continue
        writers['train'].write(record)
        counts['train'] += 1
        counts['extra_train'] += 1
        counts['augmented_train'] += copy
  for w in writers.values():
    w.close()
  shutil.copy(os.path.join(data_dir, 'manifest.json'), out_dir)
  return counts


def check_recipe(root, recipe):
  """Writes root/recipe.json, or refuses (SystemExit, one sentence) when
  root was made by another recipe: its split and model are reused, so a
  run with a different --augment, --extra_audio or gin would otherwise be
  answered by the old run, silently. A root made before this file existed
  takes the recipe it is first run with.

  >>> import tempfile
  >>> root = tempfile.mkdtemp()
  >>> check_recipe(root, {'augment': 0})
  >>> check_recipe(root, {'augment': 0})
  >>> check_recipe(root, {'augment': 2})
  Traceback (most recent call last):
  SystemExit: ... was made with augment 0, not 2: give a new --root.
  """
  os.makedirs(root, exist_ok=True)
  path = os.path.join(root, 'recipe.json')
  if not os.path.exists(path):
    files.write_json(path, recipe)
    return
  with open(path) as f:
    old = json.load(f)
  for key in sorted(set(old) | set(recipe)):
    if old.get(key) != recipe.get(key):
      raise SystemExit(f'{root} was made with {key} {old.get(key)}, not '
                       f'{recipe.get(key)}: give a new --root.')


def extra_folder(audio_dir):
  """The folder name an --extra_audio set is prepared into: its whole
  path, so two sets that end alike (runs/a/audio, runs/b/audio) do not
  share one (a folder already prepared is kept, not prepared again).

  >>> extra_folder('/work/runs/timgm_six/audio/')
  'prepared_extra_work_runs_timgm_six_audio'
  """
  return 'prepared_extra_' + os.path.abspath(audio_dir).strip(
      os.sep).replace(os.sep, '_')


def prepare_like(data_dir, audio_dir, out_dir, augment=0):
  """Prepares audio_dir into out_dir with data_dir's settings and
  `augment` equalized copies of each train example (kept if done)."""
  from interpret_ddsp.dataset import prepare  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.dataset import sources  # pylint: disable=g-import-not-at-top
  manifest_path = os.path.join(out_dir, contracts.DATASET_MANIFEST)
  if os.path.exists(manifest_path):
    return out_dir
  with open(os.path.join(data_dir, contracts.DATASET_MANIFEST)) as f:
    config = json.load(f)['config']
  with open(os.path.join(audio_dir, contracts.RENDER_MANIFEST)) as f:
    items = sources.rendered_items(audio_dir, json.load(f))
  prepare.run(items, out_dir, augment=augment, overwrite=True,
              compute_ddsp_stats=False, **{
                  k: config[k] for k in (
                      'sample_rate', 'frame_rate', 'example_secs',
                      'hop_secs', 'chunk_secs', 'crepe_model',
                      'f0_frame_rate', 'viterbi', 'f0_silence_db',
                      'eval_fraction')})
  return out_dir


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--data', default=os.path.join('runs', 'pretrained',
                                                     'data'))
  parser.add_argument('--instrument', default='clarinet')
  parser.add_argument('--root', default=os.path.join('runs', 'held_out'))
  shipped = pipeline.RECIPES['pretrained']
  parser.add_argument('--steps', type=int, default=shipped.num_steps)
  parser.add_argument('--seed', type=int, default=shipped.seed)
  parser.add_argument('--learning_rate', type=float,
                      default=shipped.learning_rate)
  parser.add_argument('--gin_file', default=shipped.gin_file)
  parser.add_argument('--gin_params', default=shipped.gin_params,
                      help='more gin bindings, separated by ";" (default: '
                      'the recipe\'s, e.g. its learning-rate schedule)')
  parser.add_argument('--knob_examples', type=int, default=32)
  parser.add_argument('--augment', type=int, default=0,
                      help='prepare --audio again with this many equalized '
                      'copies of each train example')
  parser.add_argument('--audio', default=None,
                      help='the rendered set --data was prepared from (its '
                      'render_manifest.json); needed with --augment')
  parser.add_argument('--extra_audio', action='append', default=[],
                      help='a rendered set (render_manifest.json) whose '
                      'examples, but the held-out instrument\'s, join '
                      'training; repeatable')
  parser.add_argument('--out', default=os.path.join(
      HERE, 'results', 'held_out_instrument.json'))
  args = parser.parse_args()
  for audio in args.extra_audio:
    if not os.path.exists(os.path.join(audio, contracts.RENDER_MANIFEST)):
      raise SystemExit(f'--extra_audio {audio} is not a rendered set (no '
                       f'{contracts.RENDER_MANIFEST} there).')
  root = os.path.join(args.root, args.instrument)
  check_recipe(root, {'data': args.data, 'augment': args.augment,
                      'extra_audio': args.extra_audio, 'steps': args.steps,
                      'seed': args.seed,
                      'learning_rate': args.learning_rate,
                      'gin_file': args.gin_file,
                      'gin_params': args.gin_params})
  data_dir = os.path.join(root, 'data')
  counts_path = os.path.join(data_dir, 'counts.json')
  source_data = args.data
  if args.augment:
    if not args.audio:
      raise SystemExit('--augment prepares --audio again: give --audio.')
    source_data = prepare_like(
        args.data, args.audio,
        os.path.join(args.root, f'prepared_augment{args.augment}'),
        args.augment)
  extra_dirs = [
      prepare_like(args.data, audio, os.path.join(args.root,
                                                  extra_folder(audio)))
      for audio in args.extra_audio]
  if not os.path.exists(counts_path):
    counts = split_by_instrument(source_data, data_dir, args.instrument,
                                 extra_dirs)
    if not counts['held_out']:
      raise SystemExit(f'No {args.instrument} examples in {args.data}.')
    with open(counts_path, 'w') as f:
      json.dump(counts, f)
  with open(counts_path) as f:
    counts = json.load(f)
  save_dir = os.path.join(root, 'model')
  # A model trained to --steps before (e.g. to re-evaluate it with a newer
  # evaluate) is kept, with the seconds its training took.
  secs_path = os.path.join(root, 'train_secs.json')
  if (train.latest_step(save_dir) or 0) < args.steps or not os.path.exists(
      secs_path):
    start = time.perf_counter()
    train.train([args.gin_file, 'datasets/tfrecord.gin',
                 'optimization/cpu.gin'], save_dir, dataset_dir=data_dir,
                num_steps=args.steps, seed=args.seed, progress=False,
                gin_params=[f'Trainer.learning_rate = {args.learning_rate}'] +
                pipeline.gin_bindings(args.gin_params))
    with open(secs_path, 'w') as f:
      json.dump({'secs': time.perf_counter() - start,
                 'cpu': bench_common.cpu_name()}, f)
  with open(secs_path) as f:
    trained = json.load(f)
  result = {'cpu': trained['cpu'], 'instrument': args.instrument,
            'data': args.data, 'augment': args.augment,
            'extra_audio': args.extra_audio,
            'counts': counts, 'steps': args.steps,
            'gin_file': args.gin_file, 'gin_params': args.gin_params,
            'seed': args.seed,
            'train_secs': trained['secs']}
  for name, pattern in (('held_out', 'held_out.tfrecord'),
                        ('in_distribution', 'eval.tfrecord')):
    metrics = evaluate.evaluate(
        save_dir, os.path.join(data_dir, pattern),
        os.path.join(root, f'evaluation_{name}'), max_examples=64,
        knob_examples=args.knob_examples, progress=False)
    result[name] = knob_designs.summarize(metrics)
  result['spectral_distance_ratio'] = (
      result['held_out']['spectral_distance'] /
      result['in_distribution']['spectral_distance'])
  bench_common.write_result(result, args.out)
  for name in ('held_out', 'in_distribution'):
    d = result[name]
    print(f'{name}: spectral {d["spectral_distance"]:.3f}')
    for knob, k in d['knobs'].items():
      print(f'  {knob:11s} r {k["pearson_r"]:.3f} slope {k["slope"]:.2f} '
            f'MAE {k["mae"]:.2f} max cross-talk {k["max_cross_talk"]:.2f}')
      w = k['within_reach']
      print(f'  {"":11s} within reach ({100 * w["share_out_of_reach"]:.1f}% '
            f'of requests past a wall left out): r {w["pearson_r"]:.3f} '
            f'slope {w["slope"]:.2f} MAE {w["mae"]:.2f}')


if __name__ == '__main__':
  main()

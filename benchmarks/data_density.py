# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Do denser notes in the training set sound better on the same eval notes?

The shipped recipe renders each instrument's single notes every 3
semitones (`key_step`). Its eval spectral distance (6.81) sits about one
unit above the training loss at the end of training (about 5.8), and an
eval note is 1-2 semitones from the nearest trained pitch. This renders
the same recipe with notes every `--key_steps` semitones (every 1: all
the shipped set's notes and melodies, sample for sample, plus the keys
between), prepares it, trains it with the shipped recipe's design, steps,
seed and learning rate, and evaluates it with `evaluate` on the shipped
set's eval split (--eval_data: the same 64 examples by audio hash), so
the figures compare with the shipped model's on the same sounds.

No leakage: `prepare` splits by a hash of a file's folder and name, so a
note of the shipped eval split lands in the eval split of the denser set
too; the script checks it (`eval_sources_in_train` must be 0).

  .venv/bin/python benchmarks/data_density.py \
      --soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2 \
      --eval_data runs/pretrained_v7/data --key_steps 1,3 --steps 6000 \
      [--seeds 0,1] [--reuse k3_seed0=runs/lr_schedule/constant_seed0]

Each key step renders and prepares once (runs/data_density/kN: a stage
already done is skipped, so a copy of the shipped set's audio and data in
k3/ is used as it is) and trains per seed (kN/model_seedS). --reuse copies
a finished run of the same recipe (e.g. the shipped model, key_step 3,
seed 0, evaluated on the same eval split) in as an arm. Arms already in
--out (same steps and eval data) are kept. Writes
benchmarks/results/data_density.json.
"""

import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import contracts
from interpret_ddsp.apps import pipeline
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import knob_designs  # pylint: disable=g-bad-import-order  # benchmarks/
import model_sizes  # pylint: disable=g-bad-import-order  # benchmarks/



def source_names(data_dir, split):
  """{folder/name of each source file} of a prepared split."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  spec = {'source_file': tf.io.FixedLenFeature([], tf.string,
                                               default_value='')}
  files = tf.io.gfile.glob(contracts.split_pattern(data_dir, split))
  names = set()
  for record in tf.data.TFRecordDataset(files):
    path = tf.io.parse_single_example(record, spec)['source_file'].numpy()
    names.add('/'.join(path.decode().split('/')[-2:]))
  return names


def main():
  parser = knob_designs.recipe_parser('data_density', with_data=False)
  parser.set_defaults(steps=6000)
  parser.add_argument('--soundfont', required=True)
  parser.add_argument('--eval_data', required=True,
                      help="the shipped recipe's prepare output, whose eval "
                      'split every arm is evaluated on')
  parser.add_argument('--key_steps', default='1,3')
  knob_designs.add_comparison_args(
      parser, 'data_density.json', 'kN_seedS=MODEL_DIR: a finished run of '
      'the recipe at key_step N and seed S instead of training it')
  args = parser.parse_args()
  result, seeds, reuse = knob_designs.comparison_result(
      args, {'eval_data': args.eval_data})
  eval_sources = source_names(args.eval_data, contracts.EVAL_SPLIT)
  for seed in seeds:
    args.seed = seed
    for key_step in [int(k) for k in args.key_steps.split(',')]:
      name = f'k{key_step}_seed{seed}'
      run_dir = os.path.join(args.root, f'k{key_step}')
      save_dir = os.path.join(run_dir, f'model_seed{seed}')
      entry = {'key_step': key_step, 'seed': seed, 'save_dir': save_dir}
      if knob_designs.copy_reused(reuse, name, save_dir, args.steps):
        entry['reused'] = reuse[name]
        args.data = args.eval_data
      else:
        recipe = pipeline.with_settings('pretrained',
                                        {'key_step': str(key_step)})
        summary = pipeline.run(run_dir, recipe, soundfont=args.soundfont,
                               progress=False, stop_after='prepare')
        args.data = summary['paths']['data']
        train_sources = source_names(args.data, contracts.TRAIN_SPLIT)
        entry['train_sources'] = len(train_sources)
        entry['eval_sources_in_train'] = len(eval_sources & train_sources)
        if entry['eval_sources_in_train']:
          raise SystemExit(f'{name}: {entry["eval_sources_in_train"]} eval '
                           'sources of --eval_data are in its train split.')
      entry['data'] = args.data
      entry.update(model_sizes.evaluated_arm(
          pipeline.RECIPES['pretrained'].gin_file, save_dir, args,
          eval_data=args.eval_data))
      result['arms'][name] = entry
      bench_common.write_result(result, args.out)
      print(model_sizes.arm_line(name, entry), flush=True)
  model_sizes.add_seed_ratios(result, 'k1', 'k3', result['seeds'])
  bench_common.write_result(result, args.out)

if __name__ == '__main__':
  main()

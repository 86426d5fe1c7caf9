# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Noise set by its whole power, or by the power the measurement counts?

The knob processor sets the noise's whole power against the harmonics'
(`TimbreKnobs.noise_as_measured = False`, the shipped model's rule). The
noisiness measurement counts noise that lies under a partial as the
partial's own, so a decoder that puts its noise under the partials (the
shipped model does, on a clarinet D#6: 88% of it) measures far below the
request. `noise_as_measured = True` sets the part the measurement counts.
Arms, each the given recipe's design and settings trained for the same
steps on the same data and seed:
- `whole`: the shipped rule,
- `as_measured`: the new one.
Each is evaluated by `interpret-ddsp evaluate` on the data's own eval split
(--data) and, with --eval_data, on a second one (e.g. the shipped set's,
the same 64 examples as every model since 2026-12-04).

  .venv/bin/python benchmarks/noise_rule.py --data runs/data_density/k1/data \
      --steps 6000 [--eval_data runs/pretrained_v7/data] \
      [--reuse whole_seed0=runs/data_density/k1/model_seed0]

Writes benchmarks/results/noise_rule.json.
"""

import os
import shutil

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import knob_designs  # pylint: disable=g-bad-import-order  # benchmarks/
import model_sizes  # pylint: disable=g-bad-import-order  # benchmarks/

GIN_FILE = 'models/timbre_ae_tiny.gin'
ARMS = {
    'whole': ['TimbreKnobs.noise_as_measured = False'],
    'as_measured': ['TimbreKnobs.noise_as_measured = True'],
}


def main():
  parser = knob_designs.recipe_parser('noise_rule')
  parser.add_argument('--eval_data', default=None,
                      help='a second prepare output whose eval split every '
                      'arm is also evaluated on')
  parser.add_argument('--arms', default='whole,as_measured')
  knob_designs.add_comparison_args(
      parser, 'noise_rule.json', 'ARM_seedN=MODEL_DIR: a finished run of '
      'the same recipe and data instead of training it')
  args = parser.parse_args()
  result, seeds, reuse = knob_designs.comparison_result(
      args, {'data': args.data, 'eval_data': args.eval_data})
  for seed in seeds:
    args.seed = seed
    for arm in args.arms.split(','):
      name = f'{arm}_seed{seed}'
      save_dir = os.path.join(args.root, name)
      entry = {'arm': arm, 'seed': seed, 'gin_params': ARMS[arm],
               'save_dir': save_dir}
      if knob_designs.copy_reused(
          reuse, name, save_dir, args.steps,
          ignore=shutil.ignore_patterns('evaluation*')):
        entry['reused'] = reuse[name]
      entry['own_split'] = model_sizes.evaluated_arm(GIN_FILE, save_dir, args,
                                                     ARMS[arm])
      print(model_sizes.arm_line(name, entry['own_split']), flush=True)
      if args.eval_data:
        entry['eval_data_split'] = model_sizes.evaluated_arm(
            GIN_FILE, save_dir, args, ARMS[arm], eval_data=args.eval_data,
            metrics_path=os.path.join(save_dir, 'evaluation_eval_data',
                                      'metrics.json'))
        print(model_sizes.arm_line(name + ' (eval_data)',
                                   entry['eval_data_split']), flush=True)
      result['arms'][name] = entry
      bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Does a decaying learning rate sound better at the same steps? Side by side.

The shipped recipe trains with ddsp's Trainer defaults around it: Adam at
1e-3 with `ExponentialDecay(decay_steps=10000, decay_rate=0.98)`, so the rate
is still 0.988e-3 at step 6000: nearly constant. The learning curve
(benchmarks/README.md) saw one checkpoint's spectral distance move about 0.5
either way between milestones and 6000 more steps not move it past that
spread, which is what a constant rate's noise looks like. Arms, each the
shipped recipe's design and settings (timbre_ae_tiny, batch 8, 1e-3 at the
start) trained for the same steps on the same data, per seed:
- `constant`: ddsp's defaults (the shipped recipe),
- `decay`: the same rate decayed exponentially to a tenth by the last step
  (`Trainer.lr_decay_steps = steps`, `Trainer.lr_decay_rate = 0.1`: 1e-3 at
  the start, 3.2e-4 halfway, 1e-4 at the end). ddsp's own schedule, only
  its two gin parameters moved.
Each is evaluated by `interpret-ddsp evaluate` on the eval split (the same
64 examples by audio hash), and per instrument as `model_sizes.py` does.

  .venv/bin/python benchmarks/lr_schedule.py --data runs/pretrained_v7/data \
      --steps 6000 [--seeds 0,1] [--reuse constant_seed0=runs/pretrained_v7/model]

An arm whose folder already holds evaluation/metrics.json of the same step
is not trained or evaluated again; --reuse copies a finished run of the
same recipe (e.g. the shipped model) in instead of training it (it is
still evaluated here, alike). Writes benchmarks/results/lr_schedule.json.
"""

import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import knob_designs  # pylint: disable=g-bad-import-order  # benchmarks/
import model_sizes  # pylint: disable=g-bad-import-order  # benchmarks/

GIN_FILE = 'models/timbre_ae_tiny.gin'
DECAY_TO = 0.1


def arms(steps):
  """The arms' gin parameters: {name: [binding, ...]}."""
  return {
      'constant': [],
      'decay': [f'Trainer.lr_decay_steps = {steps}',
                f'Trainer.lr_decay_rate = {DECAY_TO}'],
  }


def main():
  parser = knob_designs.recipe_parser('lr_schedule')
  parser.add_argument('--arms', default='constant,decay')
  knob_designs.add_comparison_args(
      parser, 'lr_schedule.json', 'ARM_seedN=MODEL_DIR: copy a finished run '
      'of the same recipe instead of training it')
  args = parser.parse_args()
  result, seeds, reuse = knob_designs.comparison_result(
      args, {'data': args.data}, decay_to=DECAY_TO)
  for seed in seeds:
    args.seed = seed
    for arm in args.arms.split(','):
      params = arms(args.steps)[arm]
      name = f'{arm}_seed{seed}'
      save_dir = os.path.join(args.root, name)
      entry = {'arm': arm, 'seed': seed, 'gin_params': params,
               'save_dir': save_dir}
      if knob_designs.copy_reused(reuse, name, save_dir, args.steps):
        entry['reused'] = reuse[name]
      entry.update(model_sizes.evaluated_arm(GIN_FILE, save_dir, args,
                                             params))
      result['arms'][name] = entry
      bench_common.write_result(result, args.out)
      print(model_sizes.arm_line(name, entry), flush=True)
  model_sizes.add_seed_ratios(result, 'decay', 'constant', seeds)
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Does the order of the training examples matter? Side by side.

`prepare` writes each shard source by source (a note's overlapping windows
one after the other, the instruments in turn), and ddsp's TFRecordProvider
shuffles only the order of the shard files. Read that way, a batch of 8
holds two or three windows of each of about three notes, and the training
meets the instruments in runs (the shipped set's shards hold 1 to 7 notes
of one instrument in a row, all seven instruments in turn about three
times over). `TimbreTFRecordProvider` now
also shuffles the examples (`shuffle_megabytes`, 256 MB of buffer by
default). Arms, each the shipped recipe's design and settings (timbre_ae_tiny,
batch 8, Adam 1e-3) trained for the same steps on the same data, per seed:
- `examples`: examples shuffled (the default now),
- `files`: files only, each shard in its written order (ddsp's reading;
  `TimbreTFRecordProvider.shuffle_megabytes = 0`).
Each is evaluated by `interpret-ddsp evaluate` on the eval split (the same
64 examples by audio hash), and per instrument as `model_sizes.py` does.

  .venv/bin/python benchmarks/data_order.py --data runs/pretrained/data \
      [--steps 2000] [--seeds 0,1]

An arm whose folder already holds evaluation/metrics.json of the same step
is not trained or evaluated again. Writes benchmarks/results/data_order.json.
"""

import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import knob_designs  # pylint: disable=g-bad-import-order  # benchmarks/
import model_sizes  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
GIN_FILE = 'models/timbre_ae_tiny.gin'
ORDERS = {
    'examples': [],
    'files': ['TimbreTFRecordProvider.shuffle_megabytes = 0'],
}


def main():
  parser = knob_designs.recipe_parser('data_order')
  parser.add_argument('--seeds', default='0')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'data_order.json'))
  args = parser.parse_args()
  seeds = [int(s) for s in args.seeds.split(',')]
  result = {'cpu': bench_common.cpu_name(), 'cpus': os.cpu_count(),
            'data': args.data, 'steps': args.steps, 'seeds': seeds,
            'learning_rate': args.learning_rate, 'arms': {}}
  for seed in seeds:
    args.seed = seed
    for order, params in ORDERS.items():
      name = f'{order}_seed{seed}'
      save_dir = os.path.join(args.root, name)
      entry = {'order': order, 'seed': seed, 'gin_params': params,
               'save_dir': save_dir}
      entry.update(model_sizes.evaluated_arm(GIN_FILE, save_dir, args,
                                             params))
      result['arms'][name] = entry
      bench_common.write_result(result, args.out)
      print(model_sizes.arm_line(name, entry), flush=True)
  model_sizes.add_seed_ratios(result, 'examples', 'files', seeds)
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

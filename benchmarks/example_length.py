# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The same audio as 1 s and as 4 s examples: does the model care?

A user's `prepare` defaults to 4 s examples while the shipped model was
trained on 1 s. This takes --n_files rendered 4 s notes of the shipped set
(every k-th file of runs/pretrained/audio, so every instrument is in),
prepares them twice with `prepare`'s own code, as 1 s examples every 1 s
and as 4 s examples every 4 s (so both cover exactly the same audio), and
runs `evaluate.reconstruction` of the shipped model on every example of
each. Target (issue 14): every reconstruction metric within 5%.

  .venv/bin/python benchmarks/example_length.py [--n_files 24] \
      [--rounds 3 --encoder_arms both]

--encoder_arms both evaluates the model with its encoder windowed
(`TimbreAutoencoder.window_encoder`, the default) and reading the whole
example, side by side in each round.

Writes benchmarks/results/example_length.json.
"""

import argparse
import json
import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import data
from interpret_ddsp.dataset import prepare
from interpret_ddsp.dataset import sources
from interpret_ddsp.evaluation import evaluate
from interpret_ddsp.training import model_io
from interpret_ddsp.training import shipped
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))


def chosen_files(audio_dir, n_files):
  """The render manifest of audio_dir with its files cut to every k-th of
  the sorted names, n_files of them (so every instrument is in)."""
  with open(os.path.join(audio_dir, 'render_manifest.json')) as f:
    manifest = json.load(f)
  names = sorted(manifest['files'])
  step = max(1, len(names) // n_files)
  return dict(manifest, files=names[::step][:n_files])


def prepared(items, root, secs):
  """The items prepared (once) as secs-long examples every secs seconds
  under root/<secs>s; returns the TFRecord pattern."""
  out_dir = os.path.join(root, f'{secs:g}s')
  if not os.path.exists(os.path.join(out_dir, 'manifest.json')):
    prepare.run(items, out_dir, example_secs=secs, hop_secs=secs,
                eval_fraction=0.0, overwrite=True, progress=False)
  return os.path.join(out_dir, '*.tfrecord*')


def add_arguments(parser):
  """The rendered notes' folder, the prepared sets' root, how many files
  and which model: this script's flags, which example_length_f0.py
  shares."""
  parser.add_argument('--audio', default=os.path.join('runs', 'pretrained',
                                                      'audio'))
  parser.add_argument('--root', default=os.path.join('runs',
                                                     'example_length'))
  parser.add_argument('--n_files', type=int, default=24)
  parser.add_argument('--model', default=None, help='default: shipped')


def _ratios(one, four):
  """{metric: 4 s / 1 s} over the numeric metrics of two `reconstruction`
  results (None where the 1 s figure is 0)."""
  return {k: (four[k] / one[k] if one[k] else None) for k in one
          if k != 'n_examples' and isinstance(one[k], (int, float))}


def main():
  parser = argparse.ArgumentParser()
  add_arguments(parser)
  parser.add_argument('--rounds', type=int, default=1,
                      help='evaluations of each arm (the noise synth draws '
                      'new noise each time)')
  parser.add_argument('--encoder_arms', default='on',
                      choices=('on', 'off', 'both'),
                      help='TimbreAutoencoder.window_encoder: on (the '
                      'default), off, or both side by side in each round')
  parser.add_argument('--out', default=os.path.join(
      HERE, 'results', 'example_length.json'))
  args = parser.parse_args()
  manifest = chosen_files(args.audio, args.n_files)
  items = sources.rendered_items(args.audio, manifest)
  save_dir = shipped.model_dir(args.model)
  loaded = model_io.load_model(save_dir)
  arms = {'on': [True], 'off': [False], 'both': [True, False]}[
      args.encoder_arms]
  patterns = {secs: prepared(items, args.root, secs) for secs in (1.0, 4.0)}
  result = {'cpu': bench_common.cpu_name(), 'model': save_dir,
            'files': manifest['files'], 'rounds': args.rounds, 'arms': {}}
  for r in range(args.rounds):
    for window_encoder in arms:
      loaded.model.window_encoder = window_encoder
      arm = result['arms'].setdefault(
          'window_encoder' if window_encoder else 'whole_example_encoder',
          {'per_round': []})
      by_length = {}
      for secs, pattern in patterns.items():
        provider = data.provider_for(pattern, loaded,
                                     include_metadata=False)
        by_length[f'{secs:g}s'] = evaluate.reconstruction(
            loaded.model, provider, max_examples=0, batch_size=8,
            sample_rate=loaded.sample_rate)
      by_length['ratio_4s_over_1s'] = _ratios(by_length['1s'],
                                              by_length['4s'])
      arm['per_round'].append(by_length)
      print(f'round {r} window_encoder={window_encoder}: ' + ', '.join(
          f'{k} {v:.3f}' for k, v in by_length['ratio_4s_over_1s'].items()
          if v is not None), flush=True)
  for name, arm in result['arms'].items():
    for key in ('1s', '4s', 'ratio_4s_over_1s'):
      per_round = {}
      for rnd in arm['per_round']:
        for k, v in rnd[key].items():
          if v is not None:
            per_round.setdefault(k, []).append(v)
      arm[key], arm[key + '_spread'] = bench_common.spread(per_round)
    print(f'{name} (median of {args.rounds}, [min, max]):')
    for k, v in arm['ratio_4s_over_1s'].items():
      lo, hi = arm['ratio_4s_over_1s_spread'][k]
      print(f'  {k:18s} 4 s / 1 s = {v:.3f} [{lo:.3f}, {hi:.3f}]')
  # The default arm's figures under the keys earlier results used.
  first = result['arms'][next(iter(result['arms']))]
  result['by_length'] = {'1s': first['1s'], '4s': first['4s']}
  result['ratio_4s_over_1s'] = first['ratio_4s_over_1s']
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

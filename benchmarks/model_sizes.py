# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Does a larger model sound better, and what does it cost? Side by side.

Sizes of the default design (knob processors), each trained on the same
data with the shipped recipe (batch 8, Adam 1e-3, seed 0) for the same
steps, then `interpret-ddsp evaluate` on the eval split (reconstruction,
ViSQOL, knob calibration):
- `tiny` (gin/models/timbre_ae_tiny.gin, the shipped size: 40 partials, 33
  noise bands, GRUs of 64, one-layer MLPs of 64),
- `tiny_h64`: the same with 64 partials (what the descriptors read; a
  65 Hz cello note's 40th partial is at 2.6 kHz, its 64th at 4.2 kHz),
- `small` (gin/models/timbre_ae_small.gin: 64 partials, 65 noise bands,
  GRUs of 128, two-layer MLPs of 128).
Also, per instrument, the spectral distance on the same eval examples,
and the distance between two renders of each output with new noise drawn
(what the noise synth's randomness alone costs). Then the step time of
each on one in-memory batch of real training examples, in interleaved
rounds (`--timing_rounds`), so a change of load hits every size alike;
the spread over rounds is reported with the median.

  .venv/bin/python benchmarks/model_sizes.py --data runs/pretrained/data \
      [--steps 2000] [--sizes tiny,tiny_h64,small]

A size whose folder already holds evaluation/metrics.json of the same step
is not trained or evaluated again. Writes benchmarks/results/model_sizes.json.
"""

import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.training import train
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import knob_designs  # pylint: disable=g-bad-import-order
import timbre_step_time  # pylint: disable=g-bad-import-order

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = {
    'tiny': ('models/timbre_ae_tiny.gin', []),
    'tiny_h64': ('models/timbre_ae_tiny.gin', ['N_HARMONICS = 64']),
    'small': ('models/timbre_ae_small.gin', []),
}


def real_batch(data_dir, batch_size):
  """One batch of the training split, as numpy (the keys models read)."""
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  provider = data.TimbreTFRecordProvider(
      contracts.split_pattern(data_dir, contracts.TRAIN_SPLIT),
      example_secs=1.0, include_metadata=False)
  ds = provider.get_batch(batch_size, shuffle=False, repeats=1)
  return {k: v.numpy() for k, v in next(iter(ds)).items()
          if v.dtype.is_floating}


def by_instrument(save_dir, data_dir, n_examples):
  """Spectral distance per instrument (and kind: note or melody) on the
  eval subset `evaluate` reads, and the distance between two renders of
  the same output with new noise drawn (the noise synth's own floor)."""
  import collections  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  loaded = model_io.load_model(save_dir)
  model = loaded.model
  provider = data.StableSubsetProvider(data.provider_for(
      contracts.split_pattern(data_dir, contracts.EVAL_SPLIT), loaded,
      include_metadata=True), n_examples)
  groups, redraw = collections.defaultdict(list), []
  for batch in provider.get_batch(16, shuffle=False, repeats=1,
                                  drop_remainder=False):
    names = [b.decode() for b in batch['instrument'].numpy()]
    sources = [b.decode() for b in batch['source_file'].numpy()]
    feats = {k: v for k, v in batch.items() if v.dtype.is_floating}
    audio = feats['audio'].numpy()
    first = model(dict(feats), training=False)['audio_synth'].numpy()
    second = model(dict(feats), training=False)['audio_synth'].numpy()
    for name, src, x, y1, y2 in zip(names, sources, audio, first, second):
      kind = 'melody' if 'melody' in os.path.basename(src) else 'note'
      groups[f'{name} {kind}'].append(
          metrics.multiscale_spectral_distance(x, y1))
      redraw.append(metrics.multiscale_spectral_distance(y1, y2))
  return ({k: {'n': len(v), 'spectral_distance': float(np.mean(v))}
           for k, v in sorted(groups.items())},
          float(np.mean(redraw)))


def evaluated_arm(gin_file, save_dir, args, params=(), eval_data=None,
                  metrics_path=None):
  """Trains and evaluates one arm of a recipe comparison
  (`knob_designs.train_and_evaluate`; on eval_data's eval split, default
  args.data's, into metrics_path's folder), then reads it per instrument.

  Returns:
    {'train_secs_now', the `knob_designs.summarize` figures (ViSQOL
    among them), 'by_instrument', 'noise_redraw_distance'}.
  """
  entry = {}
  metrics, entry['train_secs_now'], _ = knob_designs.train_and_evaluate(
      gin_file, save_dir, args, gin_params=params, eval_data=eval_data,
      metrics_path=metrics_path)
  entry.update(knob_designs.summarize(metrics))
  entry['by_instrument'], entry['noise_redraw_distance'] = by_instrument(
      save_dir, eval_data or args.data, args.eval_examples)
  return entry


def arm_line(name, entry):
  """One line of an `evaluated_arm`'s figures, for the console."""
  return (f'{name:16s} spectral {entry["spectral_distance"]:.3f}  ViSQOL '
          f'{entry["visqol"]}  MCD {entry["mcd_db"]:.2f}  by instrument: ' +
          ', '.join(f'{g} {v["spectral_distance"]:.2f}'
                    for g, v in entry['by_instrument'].items()))


def add_seed_ratios(result, over, under, seeds):
  """Per seed, arm `over`'s spectral distance over arm `under`'s (arms
  named ARM_seedN in result['arms']; seeds missing either are left out),
  into result as 'spectral_OVER_over_UNDER' and its '_median'; printed."""
  arms = result['arms']
  ratios = [arms[f'{over}_seed{s}']['spectral_distance'] /
            arms[f'{under}_seed{s}']['spectral_distance'] for s in seeds
            if f'{over}_seed{s}' in arms and f'{under}_seed{s}' in arms]
  if ratios:
    key = f'spectral_{over}_over_{under}'
    result[key] = ratios
    result[key + '_median'] = float(np.median(ratios))
    print(f'spectral distance, {over} over {under}, per seed:',
          ', '.join(f'{r:.3f}' for r in ratios))
  return ratios


def n_params(gin_file, params):
  train.parse_gin([gin_file, 'optimization/cpu.gin'], params)
  model = train.build_model()
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  model(model_io.dummy_features(16000, 250), training=False)
  return int(sum(np.prod(v.shape) for v in model.trainable_variables))


def main():
  parser = knob_designs.recipe_parser('model_sizes')
  parser.add_argument('--sizes', default=','.join(SIZES))
  parser.add_argument('--timing_rounds', type=int, default=3)
  parser.add_argument('--timing_steps', type=int, default=20)
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'model_sizes.json'))
  args = parser.parse_args()
  sizes = args.sizes.split(',')
  result = {'cpu': bench_common.cpu_name(), 'cpus': os.cpu_count(),
            'data': args.data, 'steps': args.steps, 'seed': args.seed,
            'learning_rate': args.learning_rate, 'sizes': {}}
  for name in sizes:
    gin_file, params = SIZES[name]
    save_dir = os.path.join(args.root, name)
    entry = {'gin_file': gin_file, 'gin_params': params,
             'save_dir': save_dir, 'n_params': n_params(gin_file, params)}
    entry.update(evaluated_arm(gin_file, save_dir, args, params))
    result['sizes'][name] = entry
    bench_common.write_result(result, args.out)

  batch = real_batch(args.data, 8)
  times = {name: [] for name in sizes}
  for r in range(args.timing_rounds):  # Interleaved; order rotated.
    order = sizes[r % len(sizes):] + sizes[:r % len(sizes)]
    for name in order:
      gin_file, params = SIZES[name]
      times[name].append(timbre_step_time.time_config(
          [gin_file], params, batch, args.timing_steps))
  base = sizes[0]
  ratios = {f'{name}_over_{base}': [a / b for a, b in
                                    zip(times[name], times[base])]
            for name in sizes[1:]}
  result['secs_per_step_rounds'] = times
  result['secs_per_step'], result['secs_per_step_range'] = (
      bench_common.spread(times))
  result['step_ratio'], result['step_ratio_range'] = bench_common.spread(
      ratios)
  bench_common.write_result(result, args.out)
  for name, d in result['sizes'].items():
    print(f'{name:9s} {d["n_params"]:8d} params  spectral '
          f'{d["spectral_distance"]:.3f}  ViSQOL {d["visqol"]}  f0 '
          f'{d["f0_l1_cents"]:.1f} c  loudness {d["loudness_l1_db"]:.2f} dB'
          f'  step {1000 * result["secs_per_step"][name]:.0f} ms')
    for knob, k in d['knobs'].items():
      print(f'  {knob:11s} r {k["pearson_r"]:.3f} slope {k["slope"]:.2f} '
            f'MAE {k["mae"]:.2f} max cross-talk {k["max_cross_talk"]:.2f}')
    print('  by instrument: ' + ', '.join(
        f'{g} {v["spectral_distance"]:.2f} ({v["n"]})'
        for g, v in d['by_instrument'].items()) +
          f'; the same output with new noise: '
          f'{d["noise_redraw_distance"]:.2f}')
  for k, v in result['step_ratio'].items():
    lo, hi = result['step_ratio_range'][k]
    print(f'step {k}: {v:.2f} (rounds {lo:.2f}..{hi:.2f})')


if __name__ == '__main__':
  main()

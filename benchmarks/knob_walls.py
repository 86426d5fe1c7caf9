# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Where does a knob stop, example by example?

`evaluate` reports each knob's wall (what it measures when set to +-10
std) as a mean over its sweep examples. This lists it per example, with
the example's instrument, file, pitch and level, so a wall can be traced
to the notes that make it: the same 32 eval examples `evaluate`'s knob
sweeps use (of the 64 it picks by audio hash, `evaluate.sweep_examples`),
each synthesized with the knob at --values and every other dim of its own
z held.

  .venv/bin/python benchmarks/knob_walls.py --data runs/pretrained/data \
      [--knob noisiness] [--values -3,-10] [--model DIR] [--split eval]

--split names the shards read (DATA/SPLIT.tfrecord*), e.g. held_out for
a held_out_instrument.py folder.

Writes benchmarks/results/knob_walls.json and prints one line per example.
"""

import argparse
import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
# A window is a release when its last tenth's level is this many dB under
# its first tenth's ('loudness_db_first_last').
RELEASE_DB = 20.0


def by_level(values, rows, release_db=RELEASE_DB):
  """evaluate's calibration figures (`calibration.calibration`, no
  intervals) of the sweeps pooled over all rows, the steady windows and
  the releases: {'all' | 'steady' | 'releases': line_fit's keys and
  'n_examples'} (a group with no rows left out).

  >>> rows = [{'loudness_db_first_last': [0.0, -1.0],
  ...          'measured': {'-1.0': -1.0, '1.0': 1.0}},
  ...         {'loudness_db_first_last': [-6.0, -80.0],
  ...          'measured': {'-1.0': 0.0, '1.0': 1.0}}]
  >>> {k: (v['slope'], v['n_examples'])
  ...  for k, v in by_level([-1.0, 1.0], rows).items()}
  {'all': (0.75, 2), 'steady': (1.0, 1), 'releases': (0.5, 1)}
  """
  from interpret_ddsp.analysis import calibration  # pylint: disable=g-import-not-at-top
  release = [r['loudness_db_first_last'][0] - r['loudness_db_first_last'][1]
             > release_db for r in rows]
  groups = {'all': rows,
            'steady': [r for r, x in zip(rows, release) if not x],
            'releases': [r for r, x in zip(rows, release) if x]}
  return {name: calibration.calibration(
      values, [[r['measured'][str(float(v))] for v in values] for r in group],
      n_boot=0) for name, group in groups.items() if group}


def main():
  parser = argparse.ArgumentParser()
  bench_common.add_data_and_model(parser)
  parser.add_argument('--knob', default='noisiness')
  parser.add_argument('--values', default='-3,-10')
  parser.add_argument('--n_examples', type=int, default=32)
  parser.add_argument('--gin_param', action='append', default=[],
                      help='a binding applied over the model\'s config, '
                      'e.g. "HARMONIC/FastHarmonic.amp_resample_method = '
                      '\'linear\'"; repeatable')
  parser.add_argument('--split', default='eval',
                      help='shards DATA/SPLIT.tfrecord* (e.g. held_out)')
  parser.add_argument('--eval_examples', type=int, default=64,
                      help="evaluate's max_examples (the subset it picks)")
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'knob_walls.json'))
  args = parser.parse_args()
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import shipped  # pylint: disable=g-import-not-at-top
  loaded = model_io.load_model(shipped.resolve(args.model)[0],
                               gin_params=args.gin_param)
  model = loaded.model
  provider = data.StableSubsetProvider(data.provider_for(
      contracts.split_pattern(args.data, args.split), loaded,
      include_metadata=True), args.eval_examples)
  encoded = knob_metrics.encode_dataset(model, provider,
                                        with_reconstruction=False)
  meta = []
  for batch in provider.get_batch(16, shuffle=False, repeats=1,
                                  drop_remainder=False):
    meta += zip([b.decode() for b in batch['instrument'].numpy()],
                [b.decode() for b in batch['source_file'].numpy()],
                batch['midi_pitch'].numpy().tolist())
  idx = evaluate.sweep_examples(encoded, args.n_examples)
  values = np.array([float(v) for v in args.values.split(',')])
  sweep = knob_metrics.knob_sweep(
      model, args.knob, values, encoded['f0_hz'][idx],
      encoded['loudness_db'][idx], encoded['z'][idx])
  rows = []
  for j, e in enumerate(idx):
    instrument, source, pitch = meta[e]
    rows.append({
        'instrument': instrument, 'source_file': source, 'midi_pitch': pitch,
        'f0_hz': [float(encoded['f0_hz'][e].min()),
                  float(encoded['f0_hz'][e].max())],
        'loudness_db': [float(encoded['loudness_db'][e].min()),
                        float(encoded['loudness_db'][e].max())],
        # Mean of the first and last tenth: a release (the level falling
        # within the window) reads e.g. [-6, -80].
        'loudness_db_first_last': [float(t.mean()) for t in np.array_split(
            encoded['loudness_db'][e], 10)[::9]],
        'measured': dict(zip(map(str, values.tolist()),
                             sweep['measured'][j].tolist()))})
    print(f'{instrument:13s} {os.path.basename(source):20s} pitch {pitch:3d}'
          f'  f0 {rows[-1]["f0_hz"][0]:6.0f}-{rows[-1]["f0_hz"][1]:<6.0f}'
          + '  level {:+4.0f}..{:+4.0f} dB'.format(
              *rows[-1]['loudness_db_first_last'])
          + ''.join(f'  at {v:+g}: {m:+.2f}'
                    for v, m in zip(values, sweep['measured'][j])))
  pooled = by_level(values.tolist(), rows)
  for name, c in pooled.items():
    print(f'{name}: {c["n_examples"]} windows, r {c["pearson_r"]:.3f} '
          f'slope {c["slope"]:.2f} MAE {c["mae"]:.2f}')
  bench_common.write_result({'model': loaded.checkpoint, 'knob': args.knob,
                             'gin_params': args.gin_param,
                             'values': values.tolist(), 'examples': rows,
                             'by_level': pooled}, args.out)


if __name__ == '__main__':
  main()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Why the sharpness knob's sweep misses its target: how much of each knob's
descriptor is already fixed by the others at a fixed pitch.

A knob sweep moves one knob with the others and f0 held. If, in real audio,
a descriptor is (nearly) a function of f0 and the other knobs' descriptors,
the decoder cannot move it alone without leaving the data's manifold. This
script measures that on a prepared dataset (default: the shipped model's
training data, runs/pretrained/data):

- Spearman rho between the example-pooled descriptors of the three knobs and
  the absolute spectral centroid (Hz);
- R^2 of a linear fit of each knob's descriptor from the other two knobs'
  descriptors plus log f0 (how much is left for the knob to move alone),
  for the default knobs and with odd_even_ratio in place of sharpness.

  .venv/bin/python benchmarks/knob_redundancy.py [--data runs/pretrained/data]
Writes benchmarks/results/knob_redundancy.json.
"""

import argparse
import json
import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.analysis import knobs
from interpret_ddsp import data
import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
KNOBS = {'brightness': 'harmonic_centroid', 'sharpness': 'sharpness',
         'noisiness': 'spectral_flatness'}
# A candidate for the third knob that is not tied to brightness at one pitch.
CANDIDATES = {'odd_even_ratio': 'odd_even_ratio'}


def pooled(data_dir, max_examples):
  """Loudness-weighted mean of each knob descriptor (in knob units), the
  spectral centroid and log2 f0 per example."""
  provider = data.TimbreTFRecordProvider(
      os.path.join(data_dir, 'train.tfrecord*'), example_secs=1.0,
      include_metadata=False)
  rows = []
  for ex in provider.get_dataset(shuffle=False).take(max_examples):
    ld = ex['loudness_db'].numpy()
    n = len(ld)
    w = (ld > ld.max() - 20).astype(np.float64)
    f0 = np.interp(np.linspace(0, 1, n), np.linspace(0, 1, len(
        ex['f0_hz'])), ex['f0_hz'].numpy())
    voiced = w * (f0 > 30)
    if voiced.sum() < 10:
      continue
    row = {}
    for knob, name in {**KNOBS, **CANDIDATES}.items():
      v = knobs.scale_descriptor(name, ex[name].numpy()[:n]).numpy()
      row[knob] = np.sum(v * voiced) / voiced.sum()
    row['spectral_centroid_hz'] = (np.sum(ex['spectral_centroid'].numpy()[:n]
                                          * voiced) / voiced.sum())
    row['log2_f0'] = np.sum(np.log2(np.maximum(f0, 1)) * voiced) / voiced.sum()
    rows.append(row)
  return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def r2_from_others(cols, knob, others):
  others = [k for k in others if k != knob] + ['log2_f0']
  x = np.stack([cols[k] for k in others] + [np.ones_like(cols[knob])], -1)
  y = cols[knob]
  coef, *_ = np.linalg.lstsq(x, y, rcond=None)
  return float(1 - np.var(y - x @ coef) / np.var(y))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--data', default=os.path.join('runs', 'pretrained',
                                                     'data'))
  parser.add_argument('--max_examples', type=int, default=1000)
  args = parser.parse_args()
  cols = pooled(args.data, args.max_examples)
  names = list(KNOBS) + ['spectral_centroid_hz']
  rho = stats.spearmanr(np.stack([cols[k] for k in names], -1)).correlation
  result = {
      'data': args.data, 'n_examples': int(len(cols['brightness'])),
      'spearman': {a: {b: float(rho[i, j]) for j, b in enumerate(names)}
                   for i, a in enumerate(names)},
      'r2_from_other_knobs_and_f0': {k: r2_from_others(cols, k, KNOBS)
                                     for k in KNOBS},
      # With odd_even_ratio in place of sharpness.
      'r2_candidate_set': {
          k: r2_from_others(cols, k, ['brightness', 'noisiness', c])
          for c in CANDIDATES for k in ('brightness', 'noisiness', c)},
  }
  os.makedirs(os.path.join(HERE, 'results'), exist_ok=True)
  with open(os.path.join(HERE, 'results', 'knob_redundancy.json'), 'w') as f:
    json.dump(result, f, indent=1)
  print(json.dumps(result, indent=1))


if __name__ == '__main__':
  main()

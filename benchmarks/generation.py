# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Generation, like for like: whose z makes sounds most like real ones?

For every eval example of a `prepare` output, its own f0 and loudness
curves are kept and only the timbre z is taken from
  encoder      the model's encoder on that example (pooled z): the ceiling
  prior        the shipped GMM prior (one draw per example)
  instrument   the per-instrument prior of the example's instrument
  gaussian     one full-covariance Gaussian fitted to the training z
  mean_z       the training z's mean (one timbre for everything)
and the model synthesizes it. Each set of sounds is compared with the real
eval sounds by the Fréchet distance of `metrics.sound_features` (MFCC
statistics + the eight timbre descriptors at the given f0, z-scored
against the real sounds), so every distance has the same sample sizes as the real-vs-real floor:
the arm's sounds for a random half of the examples against the real
sounds of the other half, median and 2.5-97.5% spread over random
halvings (the same halvings for every arm and the floor). Diversity is the
mean pairwise feature distance, novelty each z's distance to its nearest
training z (standardized).

  .venv/bin/python benchmarks/generation.py --data runs/pretrained/data \\
      --z runs/pretrained/z.npz
  # default: the shipped model and prior
Targets (the note-expression issue): prior FD <= 1.5x the real-halves floor
and below the gaussian and mean_z baselines. Writes
benchmarks/results/generation.json.
"""

import argparse
import os
import time

import numpy as np

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
ARMS = ('encoder', 'prior', 'instrument', 'gaussian', 'mean_z')


def eval_examples(pattern, loaded, max_examples):
  """{'audio', 'f0_hz', 'loudness_db', 'z' (encoder, pooled),
  'instrument'} of the eval examples, as np arrays."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import knob_metrics  # pylint: disable=g-import-not-at-top
  provider = data.provider_for(pattern, loaded, include_metadata=True)
  out = {k: [] for k in ('audio', 'f0_hz', 'loudness_db', 'z',
                         'instrument')}
  for batch in provider.get_batch(16, shuffle=False, repeats=1,
                                  drop_remainder=False):
    out['instrument'] += [s.decode() for s in batch['instrument'].numpy()]
    feats = {k: v for k, v in batch.items() if v.dtype != tf.string}
    enc = loaded.model.encode(dict(feats), training=False)
    out['z'].append(knob_metrics.pooled_z(enc).numpy())
    for k in ('audio', 'f0_hz', 'loudness_db'):
      out[k].append(batch[k].numpy())
    if len(out['instrument']) >= max_examples:
      break
  n = min(max_examples, len(out['instrument']))
  result = {k: np.concatenate(v)[:n] for k, v in out.items()
            if k != 'instrument'}
  result['instrument'] = np.array(out['instrument'][:n])
  return result


def arm_z(arm, ex, train_z, prior_path, seed):
  """z [n, D] of one arm for the eval examples `ex`."""
  from interpret_ddsp import prior as prior_lib  # pylint: disable=g-import-not-at-top
  n = len(ex['z'])
  rng = np.random.default_rng(seed)
  if arm == 'encoder':
    return ex['z']
  if arm == 'prior':
    return prior_lib.GaussianMixturePrior.load(prior_path).sample(n, seed=rng)
  if arm == 'instrument':
    priors = prior_lib.load_priors(prior_path)
    z = np.zeros_like(ex['z'], np.float64)
    for name in np.unique(ex['instrument']):
      rows = ex['instrument'] == name
      group = name if name in priors else ''
      z[rows] = priors[group].sample(int(rows.sum()), seed=rng)
    return z
  if arm == 'gaussian':
    mean, cov = train_z.mean(0), np.cov(train_z, rowvar=False)
    return rng.multivariate_normal(mean, cov, size=n)
  if arm == 'mean_z':
    return np.repeat(train_z.mean(0, keepdims=True), n, axis=0)
  raise ValueError(arm)


def features(audio, ex, sample_rate):
  """sound_features of each sound at its example's f0 [n, 32]."""
  from interpret_ddsp import metrics  # pylint: disable=g-import-not-at-top
  return np.stack([metrics.sound_features(a, sample_rate, f0_hz=f0)
                   for a, f0 in zip(audio, ex['f0_hz'])])


def distances(gen, real, n_splits, seed=0):
  """Fréchet distance of gen on one random half of the examples vs real on
  the other half, over n_splits random halvings: (median, [2.5, 97.5]
  percentiles). Halves, not bootstrap resamples: duplicated rows would
  shrink the covariances and inflate the distance."""
  from interpret_ddsp import metrics  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(seed)
  m = len(real) // 2
  fds = []
  for _ in range(n_splits):
    idx = rng.permutation(len(real))
    fds.append(metrics.frechet_distance(gen[idx[:m]], real[idx[m:2 * m]]))
  return float(np.median(fds)), np.percentile(fds, [2.5, 97.5]).tolist()


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--data', default=os.path.join('runs', 'pretrained',
                                                     'data'))
  parser.add_argument('--model', default=None,
                      help='model folder (default: the shipped model)')
  parser.add_argument('--prior', default=None)
  parser.add_argument('--z', default=None,
                      help='training z (extract-z; default the shipped one)')
  parser.add_argument('--max_examples', type=int, default=224)
  parser.add_argument('--n_splits', type=int, default=200)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'generation.json'))
  args = parser.parse_args()
  from tqdm import auto as tqdm  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import shipped  # pylint: disable=g-import-not-at-top
  model_dir, prior_path, z_path = shipped.resolve(args.model, args.prior,
                                                  args.z)
  loaded = model_io.as_loaded(model_dir)
  train_z = contracts.read_npz(z_path, ('z',))['z'].astype(np.float64)
  tick = time.time()
  ex = eval_examples(os.path.join(args.data, 'eval.tfrecord*'), loaded,
                     args.max_examples)
  sr = loaded.sample_rate
  real = features(ex['audio'], ex, sr)
  real_z = metrics.standardize(real, real)
  floor, floor_ci = distances(real_z, real_z, args.n_splits, args.seed)
  mean, std = train_z.mean(0), train_z.std(0) + 1e-8
  arms = {}
  for arm in tqdm.tqdm(ARMS, desc='arms'):
    z = arm_z(arm, ex, train_z, prior_path, args.seed).astype(np.float32)
    audio = np.concatenate([
        loaded.model.synthesize(ex['f0_hz'][i:i + 32],
                                ex['loudness_db'][i:i + 32],
                                z[i:i + 32]).numpy()
        for i in range(0, len(z), 32)])
    gen = metrics.standardize(features(audio, ex, sr), real)
    fd, ci = distances(gen, real_z, args.n_splits, args.seed)
    arms[arm] = {
        'frechet_distance': fd, 'frechet_spread': ci,
        'ratio_to_floor': fd / floor,
        'diversity': metrics.mean_pairwise_distance(gen),
        'novelty_z': metrics.novelty((z - mean) / std,
                                     (train_z - mean) / std),
    }
    print(f'{arm:10s} FD {fd:7.2f} [{ci[0]:.2f}, {ci[1]:.2f}] '
          f'({fd / floor:.2f}x the floor), diversity '
          f'{arms[arm]["diversity"]:.2f}', flush=True)
  prior_fd = arms['prior']['frechet_distance']
  result = {
      'cpu': bench_common.cpu_name(), 'model': loaded.checkpoint,
      'prior': prior_path, 'data': args.data,
      'n_examples': int(len(ex['z'])), 'n_per_side': int(len(ex['z']) // 2),
      'seed': args.seed, 'n_splits': args.n_splits,
      'real_halves': {'frechet_distance': floor, 'frechet_spread': floor_ci,
                      'diversity': metrics.mean_pairwise_distance(real_z)},
      'arms': arms,
      'targets': {
          'prior_within_1.5x_floor': bool(prior_fd <= 1.5 * floor),
          'prior_below_gaussian': bool(
              prior_fd < arms['gaussian']['frechet_distance']),
          'prior_below_mean_z': bool(
              prior_fd < arms['mean_z']['frechet_distance'])},
      'secs': time.time() - tick,
  }
  print(f'real halves FD {floor:.2f} [{floor_ci[0]:.2f}, {floor_ci[1]:.2f}]')
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

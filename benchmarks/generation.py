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
  register     a mixture fitted, like the shipped prior, to the training
               z with each example's pitch beside it (prior.register_pitch),
               drawn given the eval example's own pitch (needs --z from
               extract-z, which keeps the examples' f0 and loudness)
  register_gaussian  the same with one full-covariance Gaussian
and the model synthesizes it. Then the prior arm's z again, with the
f0/loudness curves (and per-note timbre offsets) made from each example's
score instead of taken from the recording: every source's notes (the
prepare note table) played whole by
  curves_learned   the expression model (the example's instrument)
  curves_<name>    each hand-written profile of controls.PROFILES
and the example's own window cut from them (the same stretch of the same
notes as the real audio). Each set of sounds is compared with the real
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
import inspect
import os
import time

import numpy as np

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
ARMS = ('encoder', 'prior', 'instrument', 'gaussian', 'mean_z')
# Drawn given each example's pitch; run when the training z has its curves.
REGISTER_ARMS = ('register', 'register_gaussian')


def eval_examples(pattern, loaded, max_examples):
  """{'audio', 'f0_hz', 'loudness_db', 'z' (encoder, pooled),
  'instrument'} of the eval examples, as np arrays."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  provider = data.provider_for(pattern, loaded, include_metadata=True)
  out = {k: [] for k in ('audio', 'f0_hz', 'loudness_db', 'z',
                         'instrument', 'source_file', 'start_secs')}
  for batch in provider.get_batch(16, shuffle=False, repeats=1,
                                  drop_remainder=False):
    out['instrument'] += [s.decode() for s in batch['instrument'].numpy()]
    out['source_file'] += [s.decode() for s in batch['source_file'].numpy()]
    out['start_secs'] += [float(t) for t in batch['start_secs'].numpy()]
    feats = {k: v for k, v in batch.items() if v.dtype != tf.string}
    enc = loaded.model.encode(dict(feats), training=False)
    out['z'].append(model_io.pooled_z(enc).numpy())
    for k in ('audio', 'f0_hz', 'loudness_db'):
      out[k].append(batch[k].numpy())
    if len(out['instrument']) >= max_examples:
      break
  n = min(max_examples, len(out['instrument']))
  labels = ('instrument', 'source_file', 'start_secs')
  result = {k: np.concatenate(v)[:n] for k, v in out.items()
            if k not in labels}
  for k in labels:
    result[k] = np.array(out[k][:n])
  return result


def score_curves(ex, note_table, player, n_frames, frame_rate=250):
  """Each example's window of its whole source's score played by `player`
  (a controls.PROFILES name, or an expression_model.Performer): the
  curves of the same stretch of the same notes as the real audio.

  Returns:
    (f0 [n, n_frames], loudness [n, n_frames], knob offsets {knob: [n,
    n_frames]}).
  """
  from interpret_ddsp.score import controls  # pylint: disable=g-import-not-at-top
  import expression as expression_bench  # pylint: disable=g-import-not-at-top  # benchmarks/
  scores = {source: notes for source, _, notes, _ in
            expression_bench._sources(note_table)}  # pylint: disable=protected-access
  n = len(ex['source_file'])
  f0, ld = np.zeros((n, n_frames)), np.zeros((n, n_frames))
  offsets = {}
  for source in dict.fromkeys(ex['source_file']):
    if source not in scores:
      raise ValueError(f'No notes of {source} in the note table.')
    notes = scores[source]
    rows = np.where(ex['source_file'] == source)[0]
    until = float(ex['start_secs'][rows].max()) + n_frames / frame_rate
    if hasattr(player, 'render_controls'):
      c = player.render_controls(notes, frame_rate, until_secs=until)
    else:
      c = controls.render_controls(notes, player, frame_rate,
                                   until_secs=until)
    for r in rows:
      a = int(round(ex['start_secs'][r] * frame_rate))
      f0[r], ld[r] = c.f0_hz[a:a + n_frames], c.loudness_db[a:a + n_frames]
      for knob, o in c.knob_offsets.items():
        offsets.setdefault(knob, np.zeros((n, n_frames)))[r] = (
            o[a:a + n_frames])
  return f0, ld, offsets


def register_z(ex, train_z, train_pitch, names, knob_names, components,
               rng):
  """z [n, D] drawn given each eval example's pitch from a mixture (at most
  `components`, chosen by BIC as fit-prior does) fitted to [z, pitch]."""
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  keep = np.isfinite(train_pitch)
  joint, _ = prior_lib.fit_prior(
      np.concatenate([train_z[keep], train_pitch[keep, None]], 1),
      list(names) + ['pitch'], knob_names, max_components=components,
      covariance_types=(('full',) if components == 1
                        else prior_lib.COVARIANCE_TYPES))
  pitch = prior_lib.register_pitch(ex['f0_hz'], ex['loudness_db'])
  z = np.zeros((len(pitch), len(names)))
  for i, p in enumerate(pitch):
    fixed = {'pitch': float(p)} if np.isfinite(p) else None
    z[i] = joint.sample(1, fixed=fixed, seed=rng)[0, :len(names)]
  return z


def arm_z(arm, ex, train_z, prior_path, seed, train=None):
  """z [n, D] of one arm for the eval examples `ex` (`train`: the training
  z file's arrays, for the register arms)."""
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  n = len(ex['z'])
  rng = np.random.default_rng(seed)
  if arm in REGISTER_ARMS:
    global_prior = prior_lib.GaussianMixturePrior.load(prior_path)
    pitch = prior_lib.register_pitch(train['f0_hz'], train['loudness_db'])
    cap = inspect.signature(prior_lib.fit_z_file).parameters[
        'max_components'].default  # fit-prior's own cap.
    return register_z(ex, train_z, pitch, global_prior.dim_names,
                      global_prior.knob_names,
                      1 if arm == 'register_gaussian' else cap, rng)
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
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  return np.stack([metrics.sound_features(a, sample_rate, f0_hz=f0)
                   for a, f0 in zip(audio, ex['f0_hz'])])


def distances(gen, real, n_splits, seed=0, every=False):
  """Fréchet distance of gen on one random half of the examples vs real on
  the other half, over n_splits random halvings: (median, [2.5, 97.5]
  percentiles), and with every=True the n_splits distances too (the same
  seed gives every arm the same halvings, so arms compare split by
  split). Halves, not bootstrap resamples: duplicated rows would
  shrink the covariances and inflate the distance."""
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(seed)
  m = len(real) // 2
  fds = []
  for _ in range(n_splits):
    idx = rng.permutation(len(real))
    fds.append(metrics.frechet_distance(gen[idx[:m]], real[idx[m:2 * m]]))
  summary = float(np.median(fds)), np.percentile(fds, [2.5, 97.5]).tolist()
  return summary + (np.array(fds),) if every else summary


def paired(fds, arm, other):
  """arm's distance minus other's on the same halvings: median, [2.5,
  97.5] percentiles and the share of halvings where arm reads lower."""
  d = fds[arm] - fds[other]
  return {'median': float(np.median(d)),
          'spread': np.percentile(d, [2.5, 97.5]).tolist(),
          'share_lower': float(np.mean(d < 0))}


def main():
  parser = argparse.ArgumentParser()
  bench_common.add_data_and_model(parser)
  parser.add_argument('--prior', default=None)
  parser.add_argument('--z', default=None,
                      help='training z (extract-z; default the shipped one)')
  parser.add_argument('--expression', default=None,
                      help='expression model (default: the model folder\'s)')
  parser.add_argument('--max_examples', type=int, default=224)
  parser.add_argument('--n_splits', type=int, default=200)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--no_curves', action='store_true',
                      help='skip the score-made curve arms')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'generation.json'))
  args = parser.parse_args()
  from tqdm import auto as tqdm  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import shipped  # pylint: disable=g-import-not-at-top
  model_dir, prior_path, z_path = shipped.resolve(args.model, args.prior,
                                                  args.z)
  if prior_path is None or z_path is None:
    raise SystemExit(f'--model {args.model} needs its own --prior and --z '
                     '(fit-prior and extract-z of that model): a shipped '
                     "model's belong to another z space.")
  loaded = model_io.as_loaded(model_dir)
  train = contracts.read_npz(z_path, ('z',))
  train_z = train['z'].astype(np.float64)
  arm_names = ARMS + (REGISTER_ARMS if 'f0_hz' in train else ())
  if 'f0_hz' not in train:
    print(f'{z_path} keeps no f0 curves (a shipped z.npz): the register '
          'arms are skipped; pass --z from extract-z for them.')
  tick = time.time()
  ex = eval_examples(os.path.join(args.data, 'eval.tfrecord*'), loaded,
                     args.max_examples)
  sr = loaded.sample_rate
  real = features(ex['audio'], ex, sr)
  real_z = metrics.standardize(real, real)
  floor, floor_ci = distances(real_z, real_z, args.n_splits, args.seed)
  mean, std = train_z.mean(0), train_z.std(0) + 1e-8
  arms, fds = {}, {}
  for arm in tqdm.tqdm(arm_names, desc='arms'):
    z = arm_z(arm, ex, train_z, prior_path, args.seed,
              train).astype(np.float32)
    audio = np.concatenate([
        loaded.model.synthesize(ex['f0_hz'][i:i + 32],
                                ex['loudness_db'][i:i + 32],
                                z[i:i + 32]).numpy()
        for i in range(0, len(z), 32)])
    gen = metrics.standardize(features(audio, ex, sr), real)
    fd, ci, fds[arm] = distances(gen, real_z, args.n_splits, args.seed,
                                 every=True)
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
  # The same prior z, with f0/loudness (and per-note timbre) from the
  # score instead of the real curves: learned expression, and each
  # hand-written profile.
  from interpret_ddsp.generation import expression_model as em  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import controls  # pylint: disable=g-import-not-at-top
  table = em.load_note_table(os.path.join(args.data,
                                          contracts.NOTE_EXPRESSION))
  expression = em.ExpressionModel.load(
      args.expression or shipped.expression_model_path(model_dir))
  scale = em.timbre_scale(loaded.model.knob_units())
  z_prior = arm_z('prior', ex, train_z, prior_path,
                  args.seed).astype(np.float32)
  n_frames = ex['f0_hz'].shape[1]
  players = {'curves_learned': {
      inst: em.Performer(expression, inst, seed=args.seed, scale=scale)
      for inst in np.unique(ex['instrument'])}}
  players.update({f'curves_{name}': name for name in controls.PROFILES})
  curve_arms = {}
  if args.no_curves:
    players = {}
  for arm, player in tqdm.tqdm(players.items(), desc='curve arms'):
    f0, ld, offsets = np.zeros_like(ex['f0_hz']), None, {}
    if isinstance(player, dict):  # A performer per instrument.
      ld = np.zeros_like(ex['loudness_db'])
      for inst, performer in player.items():
        rows = ex['instrument'] == inst
        sub = {k: v[rows] for k, v in ex.items()}
        f0[rows], ld[rows], sub_off = score_curves(sub, table, performer,
                                                   n_frames)
        for knob, o in sub_off.items():
          offsets.setdefault(knob, np.zeros_like(f0))[rows] = o
    else:
      f0, ld, offsets = score_curves(ex, table, player, n_frames)
    z = np.repeat(z_prior[:, None, :], n_frames, axis=1)
    for knob, o in offsets.items():
      z[..., loaded.model.knob_index(knob)] += o.astype(np.float32)
    audio = np.concatenate([
        loaded.model.synthesize(f0[i:i + 32], ld[i:i + 32],
                                z[i:i + 32]).numpy()
        for i in range(0, len(z), 32)])
    gen = metrics.standardize(features(audio, {'f0_hz': f0}, sr), real)
    fd, ci = distances(gen, real_z, args.n_splits, args.seed)
    curve_arms[arm] = {'frechet_distance': fd, 'frechet_spread': ci,
                       'ratio_to_floor': fd / floor,
                       'diversity': metrics.mean_pairwise_distance(gen)}
    print(f'{arm:16s} FD {fd:7.2f} [{ci[0]:.2f}, {ci[1]:.2f}] '
          f'({fd / floor:.2f}x the floor)', flush=True)
  prior_fd = arms['prior']['frechet_distance']
  result = {
      'cpu': bench_common.cpu_name(), 'model': loaded.checkpoint,
      'prior': prior_path, 'data': args.data,
      'n_examples': int(len(ex['z'])), 'n_per_side': int(len(ex['z']) // 2),
      'seed': args.seed, 'n_splits': args.n_splits,
      'real_halves': {'frechet_distance': floor, 'frechet_spread': floor_ci,
                      'diversity': metrics.mean_pairwise_distance(real_z)},
      'arms': arms,
      # Split by split on the same halvings (the draws themselves are one
      # seed's).
      'paired': {
          **{f'prior_minus_{other}': paired(fds, 'prior', other)
             for other in ('gaussian', 'mean_z', 'encoder')},
          **{f'register_minus_{other}': paired(fds, 'register', other)
             for other in ('prior', 'gaussian', 'register_gaussian',
                           'encoder') if 'register' in fds}},
      'curve_arms': curve_arms,
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

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Why f0 L1 differs between 1 s and 4 s examples in example_length.py.

`example_length.py` scores each arm as `evaluate` does: CREPE tiny with
Viterbi on each example's reference and output (1 s pieces in one arm,
whole 4 s notes in the other), frames with reference confidence >= 0.5,
the mean over examples. Three things change between its arms at once: the
model's example length, the length of the signal CREPE decodes, and what
an example weighs in the mean. This holds two of them fixed at a time, on
the same 24 notes (prepared by `example_length.py`'s own functions):

  model:   the output of the 1 s examples (joined in time) or of the 4 s
           examples;
  tracker: CREPE on the whole 4 s signal or on each 1 s piece of it (the
           reference is tracked the same way, so both see the same frames);
  unit:    the mean over 1 s pieces or over 4 s notes.

Every arm is run over --seeds noise draws (the filtered-noise synth draws
anew each call). Each note's rendered ground-truth f0 (the JSON beside
the WAV) tells where CREPE is wrong on the reference itself; the figures
are given again on frames where the reference track is within 50 cents of
it. Per note: its share of all |cents| summed over scored frames.

  .venv/bin/python benchmarks/example_length_f0.py [--model DIR]

Writes benchmarks/results/example_length_f0.json (--out).
"""

import argparse
import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import numpy as np
import tensorflow as tf

from interpret_ddsp import data
from interpret_ddsp.analysis import features
from interpret_ddsp.analysis import metrics
from interpret_ddsp.dataset import soundfont_set
from interpret_ddsp.dataset import sources
from interpret_ddsp.support import audio_io
from interpret_ddsp.training import model_io
from interpret_ddsp.training import shipped
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import example_length  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
FRAME_RATE = metrics.FRAME_RATE  # 250 Hz.
NOTE_SECS = 4
PIECE = FRAME_RATE  # Frames per 1 s piece.


def examples_of(pattern, loaded):
  """Every example of the shards: (feature batches without strings,
  [(source_file, start_secs)] in their order)."""
  provider = data.provider_for(pattern, loaded, include_metadata=True)
  batches, where = [], []
  for batch in provider.get_batch(8, shuffle=False, repeats=1,
                                  drop_remainder=False):
    where += [(f.decode(), float(s)) for f, s in
              zip(batch['source_file'].numpy(), batch['start_secs'].numpy())]
    batches.append({k: v for k, v in batch.items() if v.dtype != tf.string})
  return batches, where


def synthesized(model, batches, seed):
  """The model's audio of every example, float32 [n_examples, n_samples],
  the noise drawn from TensorFlow's global seed `seed`."""
  tf.random.set_seed(seed)
  return np.concatenate([model(dict(b), training=False)['audio_synth'].numpy()
                         for b in batches])


def on_timeline(audio, where, files, sample_rate):
  """1 s examples placed on their notes' 4 s timeline.

  Args:
    audio: float [n_examples, sample_rate] 1 s examples.
    where: [(source_file, start_secs)] per example.
    files: The notes' source files, in row order.
    sample_rate: Samples per second.

  Returns:
    (float32 [n_files, NOTE_SECS * sample_rate], zeros where a piece is
    missing (prepare drops silent windows); bool [n_files, NOTE_SECS],
    which pieces exist).
  """
  out = np.zeros((len(files), NOTE_SECS * sample_rate), np.float32)
  have = np.zeros((len(files), NOTE_SECS), bool)
  for a, (source, start) in zip(audio, where):
    i, k = files.index(source), int(round(start))
    out[i, k * sample_rate:(k + 1) * sample_rate] = a
    have[i, k] = True
  return out, have


def track(audio, sample_rate, split):
  """CREPE tiny (Viterbi) f0 and confidence of a 4 s signal at 250 Hz.

  Args:
    audio: float [NOTE_SECS * sample_rate].
    sample_rate: Samples per second.
    split: Track each 1 s piece on its own (as a 1 s example is) instead
      of the whole signal.

  Returns:
    f0 Hz, confidence: float64 [NOTE_SECS * FRAME_RATE] each.
  """
  audio = audio_io.resample(np.asarray(audio, np.float32), sample_rate,
                            features.CREPE_SAMPLE_RATE)
  parts = np.split(audio, NOTE_SECS) if split else [audio]
  tracked = [features.compute_f0(p, FRAME_RATE, crepe_model='tiny')
             for p in parts]
  return (np.concatenate([f for f, _ in tracked]).astype(np.float64),
          np.concatenate([c for _, c in tracked]).astype(np.float64))


def ground_truth(path):
  """The render's f0 (Hz) and voicing at 250 Hz frames, [NOTE_SECS *
  FRAME_RATE] each (its 100 Hz frames, nearest in time)."""
  truth = soundfont_set.load_ground_truth(path)
  rate = truth['frame_rate']
  idx = np.minimum(np.round(np.arange(NOTE_SECS * FRAME_RATE) * rate /
                            FRAME_RATE).astype(int), len(truth['f0_hz']) - 1)
  return truth['f0_hz'][idx].astype(np.float64), truth['voiced'][idx]


def cents_off(f0, reference):
  """|1200 log2(f0 / reference)|, NaN where either is <= 0. float64."""
  f0, reference = np.asarray(f0, np.float64), np.asarray(reference,
                                                         np.float64)
  ok = (f0 > 0) & (reference > 0)
  out = np.full(f0.shape, np.nan)
  out[ok] = np.abs(1200.0 * np.log2(f0[ok] / reference[ok]))
  return out


def score(ref_f0, ref_conf, est_f0, have, unit, mask=None):
  """`metrics.f0_error_cents` per example, as `evaluate` averages it.

  Args:
    ref_f0, ref_conf, est_f0: float [n_files, NOTE_SECS * FRAME_RATE].
    have: bool [n_files, NOTE_SECS], the 1 s pieces that exist (both
      units score only frames in them).
    unit: 'piece' (an example is 1 s) or 'note' (4 s).
    mask: Optional bool like ref_f0: frames allowed besides the gate.

  Returns:
    {'l1_cents', 'outlier_rate': means over examples with a scored frame;
    'pooled_l1_cents', 'pooled_outlier_rate': over all scored frames;
    'n_frames'; 'cents_by_file': [n_files] sum of |cents| over scored
    frames}.
  """
  voiced = ref_conf >= metrics.F0_CONFIDENCE_THRESHOLD_SMALL
  frames = np.repeat(have, PIECE, axis=1) & voiced
  if mask is not None:
    frames &= mask
  err = cents_off(est_f0, ref_f0)
  frames &= np.isfinite(err)
  err = np.where(frames, err, 0.0)
  spans = ([(k * PIECE, (k + 1) * PIECE) for k in range(NOTE_SECS)]
           if unit == 'piece' else [(0, NOTE_SECS * PIECE)])
  l1, out = [], []
  for i in range(len(err)):
    for a, b in spans:
      n = frames[i, a:b].sum()
      if n:
        l1.append(err[i, a:b].sum() / n)
        out.append((err[i, a:b] > metrics.OUTLIER_CENTS)[frames[i, a:b]]
                   .mean())
  n = int(frames.sum())
  return {'l1_cents': float(np.mean(l1)), 'outlier_rate': float(np.mean(out)),
          'pooled_l1_cents': float(err.sum() / n),
          'pooled_outlier_rate': float(
              ((err > metrics.OUTLIER_CENTS) & frames).sum() / n),
          'n_frames': n, 'cents_by_file': err.sum(1).tolist()}


def spread(values):
  """[values over seeds] -> {'median', 'min', 'max'}."""
  return {'median': float(np.median(values)), 'min': float(np.min(values)),
          'max': float(np.max(values))}


def main():
  parser = argparse.ArgumentParser()
  example_length.add_arguments(parser)
  parser.add_argument('--seeds', default='0,1,2')
  parser.add_argument('--out', default=os.path.join(
      HERE, 'results', 'example_length_f0.json'))
  args = parser.parse_args()
  seeds = [int(s) for s in args.seeds.split(',')]
  manifest = example_length.chosen_files(args.audio, args.n_files)
  items = sources.rendered_items(args.audio, manifest)
  save_dir = shipped.model_dir(args.model)
  loaded = model_io.load_model(save_dir)
  rate = loaded.sample_rate
  one, where_one = examples_of(example_length.prepared(items, args.root, 1.0),
                               loaded)
  four, where_four = examples_of(
      example_length.prepared(items, args.root, 4.0), loaded)
  files = [f for f, _ in where_four]
  reference = np.concatenate([b['audio'].numpy() for b in four])
  pieces, have = on_timeline(np.concatenate([b['audio'].numpy() for b in one]),
                             where_one, files, rate)
  assert np.array_equal(pieces * np.repeat(have, rate, axis=1),
                        reference * np.repeat(have, rate, axis=1))
  truth = [ground_truth(f) for f in files]
  gt_f0 = np.stack([g for g, _ in truth])
  gt_voiced = np.stack([v for _, v in truth])
  ref = {split: [track(r, rate, split) for r in reference]
         for split in (False, True)}
  ref = {k: (np.stack([f for f, _ in v]), np.stack([c for _, c in v]))
         for k, v in ref.items()}
  # Frames where CREPE on the reference is within 50 cents of the render.
  ref_right = {k: gt_voiced & (cents_off(v[0], gt_f0) <= metrics.OUTLIER_CENTS)
               for k, v in ref.items()}
  rows = {}  # (model, tracker, unit, frames) -> [score per seed]
  by_file = {}
  for seed in seeds:
    outputs = {'1s': on_timeline(synthesized(loaded.model, one, seed),
                                 where_one, files, rate)[0],
               '4s': synthesized(loaded.model, four, seed)}
    for model, audio in outputs.items():
      for split, tracker in ((True, '1s pieces'), (False, 'whole 4s')):
        est = np.stack([track(a, rate, split)[0] for a in audio])
        vs_truth = cents_off(est, gt_f0)
        by_file.setdefault((model, tracker), []).append(np.nanmean(
            np.where(gt_voiced, vs_truth, np.nan), axis=1))
        for unit in ('piece', 'note'):
          for frames, mask in (('all', None), ('ref_right', ref_right[split])):
            rows.setdefault((model, tracker, unit, frames), []).append(
                score(*ref[split], est, have, unit, mask))
    print(f'seed {seed} done', flush=True)
  arms = []
  for (model, tracker, unit, frames), scores in rows.items():
    arm = {'model_examples': model, 'tracker': tracker, 'unit': unit,
           'frames': frames, 'n_frames': scores[0]['n_frames']}
    for key in ('l1_cents', 'outlier_rate', 'pooled_l1_cents',
                'pooled_outlier_rate'):
      arm[key] = spread([s[key] for s in scores])
    arm['share_of_cents_by_file'] = dict(zip(files, (
        np.median([s['cents_by_file'] for s in scores], 0) /
        max(np.median([sum(s['cents_by_file']) for s in scores]), 1e-9))
                                             .round(4).tolist()))
    arms.append(arm)
    print(f'{model} model, tracker {tracker:9s}, per {unit:5s}, {frames:9s}: '
          f'L1 {arm["l1_cents"]["median"]:6.2f} c '
          f'[{arm["l1_cents"]["min"]:.2f}, {arm["l1_cents"]["max"]:.2f}], '
          f'outliers {100 * arm["outlier_rate"]["median"]:.2f}%, '
          f'pooled {arm["pooled_l1_cents"]["median"]:6.2f} c', flush=True)
  vs_truth = {'reference, whole 4s': np.nanmean(np.where(
      gt_voiced, cents_off(ref[False][0], gt_f0), np.nan), axis=1).tolist()}
  for (model, tracker), values in by_file.items():
    vs_truth[f'{model} output, {tracker}'] = np.median(values, 0).tolist()
  result = {'cpu': bench_common.cpu_name(), 'model': save_dir,
            'seeds': seeds, 'files': files,
            'confidence_threshold': metrics.F0_CONFIDENCE_THRESHOLD_SMALL,
            'arms': arms,
            'mean_cents_vs_ground_truth_by_file': {
                k: dict(zip(files, np.round(v, 1).tolist()))
                for k, v in vs_truth.items()}}
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

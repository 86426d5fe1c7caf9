# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Note expression: how close is learned expression to real playing, and do
the expression controls come out of the synthesizer as asked?

Part `fidelity` (the note-expression issue's "learned expression vs real
notes"): an `ExpressionModel` is fitted on the train split's notes of a
`prepare` output; for the eval split's scores (their notes, in their own
sources' order and context), f0/loudness curves are made by
  learned            the model, with the note's instrument
  learned_global     the model's all-instrument mixture
  <profile>          each hand-written profile of controls.PROFILES
and every note's expression is measured back on those curves
(`expression.note_expression`), as prepare measured the real notes (on
their audio's loudness and ground-truth f0). Fréchet distance of the eight
modelled expression features (log where they span decades, z-scored by the
real train notes) against the real eval notes; the floor is real-vs-real
halves: each round splits the eval notes in two random halves a and b;
an arm's notes for the scores of a are compared with the real notes of b,
and the floor is real a against real b (the same halving for every arm;
a new model draw each round). Median and 5-95% spread over rounds.

Part `fidelity` also compares the learned per-note timbre (brightness and
attack noise about the instrument's mean) with the real notes'
(`timbre_fidelity`).

Part `accuracy` (MIDI-DDSP's Table 2 measure): expression values drawn
from the model for the eval scores (and, in a second arm `with_timbre`,
per-note brightness and attack noise offsets drawn uniformly in
TIMBRE_RANGE std: the model does not learn those) are rendered, synthesized by the shipped model (the prior's
mean timbre), and measured on the output audio (ddsp loudness; f0 by
CREPE full sought within 300 cents of each note's score pitch,
`features.compute_f0_near`, and, for comparison, by plain CREPE full with
Viterbi: `pearson_r_plain_crepe`; brightness and attack noise by the knob measurement at the
rendered f0, minus the sound's own knob values): Pearson r of requested
against measured, per control, and for the timbre offsets the slope too.

  .venv/bin/python benchmarks/expression.py --data runs/pretrained/data

Targets: expression features' FD <= 2x the real floor; control r: volume
>= 0.97, vibrato >= 0.9, volume peak position >= 0.8, volume fluctuation
>= 0.85, brightness >= 0.97, attack noise >= 0.93. Writes benchmarks/results/expression.json.
"""

import argparse
import os
import time

import numpy as np

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
CONTROLS_R = ('volume_db', 'volume_fluctuation_db', 'volume_peak_position',
              'vibrato_rate_hz', 'vibrato_extent_cents', 'attack_secs',
              'brightness', 'attack_noise')
TARGET_R = {'volume_db': 0.97, 'vibrato_extent_cents': 0.9,
            'volume_peak_position': 0.8, 'volume_fluctuation_db': 0.85,
            'brightness': 0.97, 'attack_noise': 0.93}
# A peak position is only heard where the note's level moves: the
# diagnostic r over notes asked to fluctuate at least this much (dB; about
# half the loudness difference a listener notices).
AUDIBLE_PEAK_DB = 0.5
# Per-note timbre offsets asked in the accuracy part (std units; the
# expression model does not draw them).
TIMBRE_RANGE = (-1.5, 1.5)


def _split(table, split):
  keep = np.asarray(table['split']).astype(str) == split
  return {k: np.asarray(v)[keep] for k, v in table.items()}


def _score_pitch_hz(notes, n_frames, frame_rate=250):
  """Each frame's score pitch in Hz (the note sounding then; 0 between
  notes): the reference `features.compute_f0_near` seeks f0 around."""
  from interpret_ddsp.support import signals  # pylint: disable=g-import-not-at-top
  out = np.zeros(n_frames)
  for n in sorted(notes, key=lambda n: n.start_secs):
    on = int(round(n.start_secs * frame_rate))
    off = int(round(n.end_secs * frame_rate))
    out[max(on, 0):max(off, 0)] = signals.midi_to_hz(n.pitch)
  return out


def _finite(x):
  """float(x), or None for a missing or non-finite value (JSON-safe)."""
  return None if x is None or not np.isfinite(x) else float(x)


def _sources(table):
  """[(source, instrument, [Note], row indices)] in the table's order."""
  from interpret_ddsp.score import controls  # pylint: disable=g-import-not-at-top
  src = np.asarray(table['source_file']).astype(str)
  out = []
  for s in dict.fromkeys(src):
    idx = np.where(src == s)[0]
    idx = idx[np.argsort(table['onset_secs'][idx])]
    notes = [controls.Note(float(table['pitch'][i]),
                           float(table['onset_secs'][i]),
                           float(table['onset_secs'][i] +
                                 table['duration_secs'][i]),
                           int(round(float(table['velocity'][i]))))
             for i in idx]
    out.append((s, str(table['instrument'][idx[0]]), notes, idx))
  return out


def phrases_first(sources, rng):
  """The sources shuffled, then those of more than one note (melodies)
  moved to the front, each group in its shuffled order: a --max_sources
  cut keeps every phrase, the only notes asked for vibrato, portamento
  and gaps (a random cut of today's 112 eval sources took none of its one
  melody, and the vibrato r then measured nothing).

  >>> rng = np.random.default_rng(0)
  >>> [s[0] for s in phrases_first([('a', 0, [1]), ('m', 0, [1, 2]),
  ...                               ('b', 0, [1])], rng)][0]
  'm'
  """
  sources = list(sources)
  rng.shuffle(sources)
  return ([s for s in sources if len(s[2]) > 1] +
          [s for s in sources if len(s[2]) <= 1])


def _features(values):
  """[n, 8] modelled expression features of value dicts/arrays: those the
  f0/loudness curves carry (the timbre ones are knob offsets, not in the
  curves)."""
  from interpret_ddsp.generation import expression_model as em  # pylint: disable=g-import-not-at-top
  return em.to_dims({n: np.asarray(values[n], np.float64)
                     for _, n, _ in em.CURVE_EXPRESSION},
                    em.CURVE_EXPRESSION)


def _measured_rows(controls_obj, notes):
  from interpret_ddsp.score import expression  # pylint: disable=g-import-not-at-top
  return expression.note_expression(controls_obj.f0_hz,
                                    controls_obj.loudness_db, notes)


def _as_table(rows, like):
  """Measured rows -> a note table with `like`'s labels (fills NaNs as the
  model's training does)."""
  from interpret_ddsp.score import expression  # pylint: disable=g-import-not-at-top
  t = expression.as_arrays(rows)
  for label in ('instrument', 'source_file', 'split'):
    t[label] = like[label]
  return t


def fidelity(table, rounds, seed):
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import expression_model as em  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import controls  # pylint: disable=g-import-not-at-top
  train, ev = _split(table, 'train'), _split(table, 'eval')
  model, info = em.fit(table, split='train')
  real_train = _features(em.measured(train))
  real_eval_table = {k: np.concatenate([v[idx] for _, _, _, idx in
                                        _sources(ev)])
                     for k, v in ev.items()}
  real_eval = _features(em.measured(real_eval_table))
  mean, std = real_train.mean(0), real_train.std(0) + 1e-9
  z = lambda x: (x - mean) / std

  def arm_features(make):
    rows, like = [], []
    for _, inst, notes, idx in _sources(ev):
      c = make(notes, inst)
      rows += _measured_rows(c, notes)
      like.append(idx)
    t = _as_table(rows, {k: v[np.concatenate(like)] for k, v in ev.items()})
    return _features(em.measured(t))

  rng = np.random.default_rng(seed)
  n_eval = len(real_eval)
  result = {'n_train_notes': info['n_notes'], 'n_eval_notes': int(n_eval),
            'selected': info['selected'], 'fd': {}}
  real = z(real_eval)
  arms = {'learned': lambda r: z(arm_features(
              lambda notes, inst: model.render(notes, inst, seed=r))),
          'learned_global': lambda r: z(arm_features(
              lambda notes, inst: model.render(notes, None, seed=r)))}
  fixed = {f'profile_{name}': z(arm_features(
      lambda notes, inst, name=name: controls.render_controls(notes, name)))
           for name in controls.PROFILES}
  fd = {k: [] for k in ['real_floor'] + list(arms) + list(fixed)}
  for r in range(rounds):
    # The same halving for every arm and the floor: an arm's notes of half
    # a against the real notes of half b (the scores of a, not of b).
    order = rng.permutation(n_eval)
    a, b = order[:n_eval // 2], order[n_eval // 2:2 * (n_eval // 2)]
    fd['real_floor'].append(metrics.frechet_distance(real[a], real[b]))
    for name, make in arms.items():
      fd[name].append(metrics.frechet_distance(make(r)[a], real[b]))
    for name, feats in fixed.items():
      fd[name].append(metrics.frechet_distance(feats[a], real[b]))

  def summary(values):
    v = np.asarray(values, np.float64)
    return {'median': float(np.median(v)),
            'p5_p95': [float(np.percentile(v, 5)),
                       float(np.percentile(v, 95))]}
  result['fd'] = {k: summary(v) for k, v in fd.items()}
  floor_m = result['fd']['real_floor']['median']
  result['ratio_to_floor'] = {k: v['median'] / floor_m
                              for k, v in result['fd'].items()}
  result['meets_2x_floor'] = result['ratio_to_floor']['learned'] <= 2.0
  # Per-feature means: where the arms differ from real playing.
  names = [d for d, _, _ in em.CURVE_EXPRESSION]
  result['feature_means'] = {
      'real_eval': dict(zip(names, real_eval.mean(0).round(3).tolist())),
      'learned': dict(zip(names, arm_features(
          lambda notes, inst: model.render(notes, inst, seed=0)
      ).mean(0).round(3).tolist())),
      'profile_plain': dict(zip(names, arm_features(
          lambda notes, inst: controls.render_controls(notes, 'plain')
      ).mean(0).round(3).tolist()))}
  result['timbre'] = timbre_fidelity(model, train, real_eval_table, ev,
                                     rounds, seed)
  return result, model


def timbre_fidelity(model, train, real_eval_table, ev, rounds, seed):
  """Learned per-note brightness and attack noise against the real notes'
  (each about its instrument's mean, in the shipped model's std units):
  Fréchet distance over the two with the real-halves floor (the same
  halving scheme as the curves' features), against `none` (every note at
  the sound's own knobs, what plays without them), and how brightness
  follows pitch within an instrument (Pearson r over the eval notes)."""
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import expression_model as em  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import shipped  # pylint: disable=g-import-not-at-top
  scale = em.timbre_scale(generate._saved_knob_units(shipped.model_dir()))  # pylint: disable=protected-access
  names = em.TIMBRE

  def in_std(values):
    return np.stack([np.asarray(values[n]) / scale[n] for n in names], -1)

  real_train = in_std(em.measured(train))
  real = in_std(em.measured(real_eval_table))
  mean, std = real_train.mean(0), real_train.std(0) + 1e-9
  zs = lambda x: (x - mean) / std
  pitch = np.asarray(real_eval_table['pitch'], np.float64)

  def learned(r):
    rows = []
    for _, inst, notes, _ in _sources(ev):
      rows += model.sample(notes, inst, seed=r, scale=scale)
    return np.array([[row[n] for n in names] for row in rows])

  rng = np.random.default_rng(seed + 1)
  n = len(real)
  fd = {'real_floor': [], 'learned': [], 'none': []}
  r_pitch = []
  for r in range(rounds):
    draw = learned(r)
    r_pitch.append(np.corrcoef(pitch, draw[:, 0])[0, 1])
    order = rng.permutation(n)
    a, b = order[:n // 2], order[n // 2:2 * (n // 2)]
    fd['real_floor'].append(metrics.frechet_distance(zs(real[a]),
                                                     zs(real[b])))
    fd['learned'].append(metrics.frechet_distance(zs(draw[a]), zs(real[b])))
    fd['none'].append(metrics.frechet_distance(zs(np.zeros_like(real[a])),
                                               zs(real[b])))
  pct = lambda v: [float(np.percentile(v, 5)), float(np.percentile(v, 95))]
  out = {'scale': scale,
         'fd': {k: {'median': float(np.median(v)), 'p5_p95': pct(v)}
                for k, v in fd.items()},
         'brightness_pitch_r': {
             'real': float(np.corrcoef(pitch, real[:, 0])[0, 1]),
             'learned': {'median': float(np.median(r_pitch)),
                         'p5_p95': pct(r_pitch)}},
         'std': {'real': dict(zip(names, real.std(0).round(3).tolist()))}}
  floor = out['fd']['real_floor']['median']
  out['ratio_to_floor'] = {k: v['median'] / floor for k, v in out['fd'].items()}
  return out


def audible_peak_r(notes, min_fluctuation_db=AUDIBLE_PEAK_DB):
  """Pearson r of asked against measured volume peak position over the
  notes asked to fluctuate at least min_fluctuation_db (an accuracy arm's
  'notes'); the target's r takes every note, and on a note held level
  within a tenth of a dB the loudest frame is wherever the output's own
  ripple puts it."""
  import scipy.stats  # pylint: disable=g-import-not-at-top
  rows = [(n['asked']['volume_peak_position'],
           n['measured']['volume_peak_position']) for n in notes
          if (n['asked']['volume_fluctuation_db'] or 0) >= min_fluctuation_db
          and n['asked']['volume_peak_position'] is not None
          and n['measured']['volume_peak_position'] is not None]
  a, g = np.array(rows).T if rows else (np.array([]), np.array([]))
  return {'min_fluctuation_db': min_fluctuation_db, 'n_notes': len(rows),
          'of': len(notes),
          'r': (float(scipy.stats.pearsonr(a, g)[0])
                if len(rows) > 2 and np.std(a) > 0 else None)}


def accuracy(table, model, max_sources, seed):
  """Requested vs measured on the shipped model's output (module doc)."""
  from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import expression  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import performance  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import voices  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import shipped  # pylint: disable=g-import-not-at-top
  import scipy.stats  # pylint: disable=g-import-not-at-top
  loaded = model_io.as_loaded(shipped.DEFAULT_DIR)
  prior = prior_lib.GaussianMixturePrior.load(
      os.path.join(shipped.DEFAULT_DIR, 'prior.npz'))
  z = prior.mean()[np.newaxis].astype(np.float32)
  ev = _split(table, 'eval')
  rng = np.random.default_rng(seed)
  sources = phrases_first(_sources(ev), rng)
  own = {name: float(z[0, loaded.model.knob_index(knob)])
         for name, knob in performance.KNOB_OF.items()}
  draws = [model.sample(notes, inst, seed=seed + k)
           for k, (_, inst, notes, _) in enumerate(sources[:max_sources])]
  offsets = [[{name: float(rng.uniform(*TIMBRE_RANGE))
               for name in performance.KNOB_OF} for _ in values]
             for values in draws]

  def arm(with_timbre):
    asked, got_audio, got_plain, got_curves, where = [], [], [], [], []
    for (source, inst, notes, _), values, timbre_values in zip(
        sources, draws, offsets):
      if with_timbre:
        values = [dict(v, **t) for v, t in zip(values, timbre_values)]
      c = performance.render(notes, values)
      audio = voices.synthesize(loaded.model, [c], z)[0]
      audio16 = audio
      if loaded.sample_rate != 16000:
        import librosa  # pylint: disable=g-import-not-at-top
        audio16 = librosa.resample(audio, orig_sr=loaded.sample_rate,
                                   target_sr=16000)
      loud = features.compute_loudness(audio16, 250)[:c.n_frames]
      f0_plain = features.compute_f0(audio16, 250,
                                     crepe_model='full')[0][:c.n_frames]
      reference = _score_pitch_hz(c.notes, features.n_frames(
          len(audio16) / 16000, 250))
      f0 = features.compute_f0_near(audio16, 250, reference,
                                    crepe_model='full')[0][:c.n_frames]
      rows = expression.note_expression(f0, loud, c.notes)
      got_plain += expression.note_expression(f0_plain, loud, c.notes)
      timbre = knob_metrics.note_timbre(loaded.model, audio, c)
      for row, t in zip(rows, timbre):
        row.update({name: t[name] - own[name] for name in own})
      got_audio += rows
      got_curves += expression.note_expression(c.f0_hz, c.loudness_db,
                                               c.notes)
      asked += [performance.checked_values(v) for v in values]
      where += [{'source_file': os.path.basename(source), 'instrument': inst,
                 'pitch': float(n.pitch)} for n in sorted(
                     c.notes, key=lambda n: n.start_secs)]
    res = {'n_notes': len(asked), 'pearson_r': {}, 'pearson_r_curves': {},
           'pearson_r_plain_crepe': {}, 'slope': {}}
    # Every note's asked and measured values, so a figure can be traced
    # to the notes that make it.
    res['notes'] = [
        dict(w, asked={k: _finite(a.get(k)) for k in CONTROLS_R},
             measured={k: _finite(g.get(k)) for k in CONTROLS_R})
        for w, a, g in zip(where, asked, got_audio)]
    for name in CONTROLS_R:
      if name in performance.KNOB_OF and not with_timbre:
        continue  # Not asked: every note at the sound's own knobs.
      a = np.array([r[name] for r in asked])
      for key, got in (('pearson_r', got_audio), ('pearson_r_curves',
                                                  got_curves),
                       ('pearson_r_plain_crepe', got_plain)):
        if key != 'pearson_r' and name in performance.KNOB_OF:
          continue  # Timbre is not in the curves: only in the audio.
        g = np.array([r[name] for r in got])
        ok = np.isfinite(a) & np.isfinite(g)
        res[key][name] = (float(scipy.stats.pearsonr(a[ok], g[ok])[0])
                          if ok.sum() > 2 and np.std(a[ok]) > 0 else None)
        if key == 'pearson_r' and name in performance.KNOB_OF:
          res['slope'][name] = float(np.polyfit(a[ok], g[ok], 1)[0])
    res['pearson_r_audible_peak'] = audible_peak_r(res['notes'])
    return res

  # Arm 1: the f0/loudness controls alone (every note at the sound's own
  # knobs); arm 2: the same with each note's timbre offsets too, for the
  # timbre controls and for what those offsets do to the others' reading.
  out = arm(False)
  out['with_timbre'] = arm(True)
  out['timbre_range'] = list(TIMBRE_RANGE)
  out['meets'] = {}
  for name, target in TARGET_R.items():
    r = (out['with_timbre'] if name in performance.KNOB_OF
         else out)['pearson_r'].get(name)
    if r is not None:
      out['meets'][name] = r >= target
  return out


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--data', default=os.path.join('runs', 'pretrained',
                                                     'data'))
  parser.add_argument('--parts', default='fidelity,accuracy')
  parser.add_argument('--rounds', type=int, default=20)
  parser.add_argument('--max_sources', type=int, default=40)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'expression.json'))
  parser.add_argument('--rescore', action='store_true',
                      help='recompute the per-note summaries of an existing '
                      '--out from its notes (no synthesis)')
  args = parser.parse_args()
  if args.rescore:
    import json  # pylint: disable=g-import-not-at-top
    with open(args.out) as f:
      result = json.load(f)
    for arm in (result['accuracy'], result['accuracy']['with_timbre']):
      arm['pearson_r_audible_peak'] = audible_peak_r(arm['notes'])
      print(arm['pearson_r_audible_peak'])
    bench_common.write_result(result, args.out)
    return
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import expression_model as em  # pylint: disable=g-import-not-at-top
  table = em.load_note_table(os.path.join(args.data,
                                          contracts.NOTE_EXPRESSION))
  parts = args.parts.split(',')
  result = {'cpu': bench_common.cpu_name(), 'data': args.data,
            'seed': args.seed, 'rounds': args.rounds}
  start = time.perf_counter()
  result['fidelity'], model = fidelity(table, args.rounds, args.seed)
  if 'accuracy' in parts:
    result['accuracy'] = accuracy(table, model, args.max_sources, args.seed)
  result['secs'] = round(time.perf_counter() - start, 1)
  bench_common.write_result(result, args.out)
  import json  # pylint: disable=g-import-not-at-top
  print(json.dumps({k: result[k] for k in result if k != 'cpu'}, indent=1))


if __name__ == '__main__':
  main()

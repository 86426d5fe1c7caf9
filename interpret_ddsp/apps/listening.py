# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The listening test: do the knobs sound like what they say?

The brief asks to "let users tune the timbre parameters and tell if
they're smoothly varying along one characteristic". `make_test` renders,
for every knob of a model (one timbre: the prior's mean; one phrase, the
'plain' profile), two trials:

  sweep    the phrase with the knob at N_SWEEP values over its trained
           range (5th to 95th percentile under the prior), one after the
           other; the listener answers "Does it vary smoothly along
           <knob>?" on a 1-5 scale (RATING_RANGE).
  mushra   a MUSHRA-style trial (ITU-R BS.1534): a reference (the knob at
           REFERENCE_VALUE std) and, in an order the page shuffles, the
           hidden reference, an anchor (the reference low-passed at
           ANCHOR_HZ, as BS.1534's low anchor) and the knob moved by each
           step of MUSHRA_STEPS std; each rated 0-100 for "How close is it
           to the reference in <knob>?". A listener who hears no
           difference at 0.5 std rates it near the hidden reference.

Stimuli are WAVs in the test folder with opaque names (the page cannot
tell the hidden reference), listed with their conditions in
contracts.LISTENING_TEST. Answers go to an `answer_store.AnswerStore`;
`report` reads them back: each trial's mean with a bootstrap 95% interval
over listeners, after BS.1534's post-screening (a listener who rates the
hidden reference under 90 in more than 15% of their MUSHRA trials is left
out), a table (report.md, report.json) and one PNG per knob.
`pilot_answers` makes synthetic listeners (ids 'pilot-NN', labelled as
such in the report) to show the report before anyone has listened.

Example:
  >>> test = make_test('runs/listen')              # doctest: +SKIP
  >>> report(test, store, 'runs/listen/report')    # doctest: +SKIP
"""

import json
import os

import numpy as np

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.support import files

N_SWEEP = 5
RATING_RANGE = (1, 5)
SCORE_RANGE = (0, 100)
REFERENCE_VALUE = 1.0  # Knob value of the MUSHRA reference (std units).
MUSHRA_STEPS = (-1.0, -0.5, 0.5)  # Knob moves of the test conditions.
ANCHOR_HZ = 3500.0
PHRASE = 'A3:0.5,C4:0.5,E4:0.5,A4:1.0'
GAP_SECS = 0.3
# BS.1534-3 post-screening: the hidden reference under this score ...
SCREEN_SCORE = 90.0
# ... in more than this share of a listener's MUSHRA trials excludes them.
SCREEN_SHARE = 0.15
PILOT_PREFIX = 'pilot-'
N_BOOTSTRAP = 2000


class ListeningError(errors.UserError):
  """A listening test that cannot be made or read; one sentence."""


def lowpass(audio, sample_rate, cutoff_hz=ANCHOR_HZ):
  """Audio with every FFT bin above cutoff_hz set to zero (the anchor).

  >>> a = np.sin(2 * np.pi * 5000 * np.arange(16000) / 16000)
  >>> float(np.abs(lowpass(a, 16000)).max()) < 1e-6
  True
  """
  spec = np.fft.rfft(np.asarray(audio, np.float64))
  freqs = np.fft.rfftfreq(len(audio), 1.0 / sample_rate)
  spec[freqs > cutoff_hz] = 0.0
  return np.fft.irfft(spec, len(audio)).astype(np.float32)


def _token(rng):
  return ''.join(rng.choice(list('abcdefghjkmnpqrstuvwxyz23456789'), 8))


def make_test(output_dir, save_dir=None, prior_path=None, seed=0,
              notes=PHRASE, progress=True):
  """Renders the stimuli and writes contracts.LISTENING_TEST.

  Args:
    output_dir: The test folder (WAVs and the test file).
    save_dir: A trained timbre model folder; None: the shipped model.
    prior_path: Its prior (None: the model folder's own prior.npz).
    seed: Names the stimuli (opaque tokens) reproducibly.
    notes: The phrase every stimulus plays (controls.parse_notes).
    progress: A tqdm bar over the knobs.

  Returns:
    The test dict as written: {'model', 'sample_rate', 'notes', 'trials':
    [{'id', 'kind', 'knob', 'question', 'stimuli': [{'id', 'wav',
    'condition', 'value'}], ...}]}.
  """
  from interpret_ddsp.apps import demo  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import shipped  # pylint: disable=g-import-not-at-top
  import tqdm  # pylint: disable=g-import-not-at-top
  model_dir, prior_path, _ = shipped.resolve(save_dir, prior_path)
  prior_path = prior_path or os.path.join(model_dir, contracts.PRIOR_FILE)
  if not os.path.exists(prior_path):
    raise ListeningError(f'No prior at {prior_path}: the listening test '
                         'draws its timbre from one (fit-prior).')
  loaded = model_io.load_model(model_dir)
  model, sr = loaded.model, loaded.sample_rate
  prior = prior_lib.GaussianMixturePrior.load(prior_path)
  base = prior.mean().astype(np.float32)
  ctrl, _ = generate.make_controls(notes, profile='plain')
  rng = np.random.default_rng(seed)
  os.makedirs(output_dir, exist_ok=True)
  gap = np.zeros(int(GAP_SECS * sr), np.float32)
  trials = []

  def wav(audio, condition, value):
    name = _token(rng) + '.wav'
    generate.write_wav(os.path.join(output_dir, name), audio, sr)
    return {'id': name[:-4], 'wav': name, 'condition': condition,
            'value': value}

  for knob in tqdm.tqdm(model.knob_names, desc='listening test',
                        unit='knob', disable=not progress):
    lo, hi = demo.trained_range(prior, knob)
    sweep = knob_metrics.knob_sweep(
        model, knob, np.linspace(lo, hi, N_SWEEP), ctrl.f0_hz[None],
        ctrl.loudness_db[None], base[None])
    joined = np.concatenate([np.concatenate([a, gap])
                             for a in sweep['audio'][0]])
    trials.append({
        'id': f'sweep_{knob}', 'kind': 'rating', 'knob': knob,
        'question': f'Does the sound vary smoothly along {knob} from one '
                    'note group to the next? (1: not at all, 5: perfectly '
                    'smoothly)',
        'range': list(RATING_RANGE),
        'values': [float(v) for v in sweep['values']],
        'measured': [float(v) for v in sweep['measured'][0]],
        'stimuli': [wav(joined, 'sweep', None)]})
    values = [REFERENCE_VALUE] + [REFERENCE_VALUE + s for s in MUSHRA_STEPS]
    moved = knob_metrics.knob_sweep(model, knob, np.array(values),
                                    ctrl.f0_hz[None], ctrl.loudness_db[None],
                                    base[None])['audio'][0]
    reference = moved[0]
    stimuli = [wav(reference, 'reference', REFERENCE_VALUE),
               wav(lowpass(reference, sr), 'anchor', REFERENCE_VALUE)]
    stimuli += [wav(a, f'{s:+.1f} std', v)
                for a, s, v in zip(moved[1:], MUSHRA_STEPS, values[1:])]
    trials.append({
        'id': f'mushra_{knob}', 'kind': 'mushra', 'knob': knob,
        'question': f'How close is each sound to the reference in {knob}? '
                    '(0-100; one of them is the reference itself)',
        'range': list(SCORE_RANGE),
        'reference': stimuli[0]['wav'],
        'stimuli': [stimuli[i] for i in rng.permutation(len(stimuli))]})
  test = {'model': model_dir, 'model_step': loaded.step, 'sample_rate': sr,
          'notes': notes, 'prior': prior_path, 'trials': trials}
  files.write_json(os.path.join(output_dir, contracts.LISTENING_TEST), test)
  return test


def load_test(test_dir):
  """The test dict of a folder `make_test` wrote (ListeningError if none)."""
  path = os.path.join(test_dir, contracts.LISTENING_TEST)
  try:
    with open(path) as f:
      test = json.load(f)
    test['trials']  # pylint: disable=pointless-statement
  except (OSError, ValueError, KeyError, TypeError):
    raise ListeningError(f'{test_dir} holds no listening test '
                         f'({contracts.LISTENING_TEST}); make one first '
                         '(interpret_ddsp.apps.listening.make_test).') from None
  return test


def public_test(test):
  """What the page is told: trials without conditions or knob values (the
  hidden reference stays hidden), each stimulus by its opaque id."""
  out = []
  for t in test['trials']:
    row = {'id': t['id'], 'kind': t['kind'], 'knob': t['knob'],
           'question': t['question'], 'range': t['range'],
           'stimuli': [{'id': s['id'], 'url': f'audio/{s["wav"]}'}
                       for s in t['stimuli']]}
    if t['kind'] == 'mushra':
      row['reference_url'] = f'audio/{t["reference"]}'
    out.append(row)
  return {'trials': out}


def pilot_answers(test, store, n_listeners=12, seed=0):
  """Synthetic listeners ('pilot-NN'): sweep ratings around 4, the hidden
  reference around 97, the anchor around 30, and a score falling with the
  knob's distance from the reference (about 80 at 0.5 std, 60 at 1 std),
  with listener-to-listener spread; one listener rates the hidden
  reference low (post-screening leaves them out). Returns answers added."""
  rng = np.random.default_rng(seed)
  n = 0
  for i in range(n_listeners):
    listener = f'{PILOT_PREFIX}{i:02d}'
    careless = i == n_listeners - 1
    for t in test['trials']:
      for s in t['stimuli']:
        if t['kind'] == 'rating':
          value = float(np.clip(np.round(rng.normal(4.0, 0.8)), 1, 5))
        elif s['condition'] == 'reference':
          value = rng.normal(60.0 if careless else 97.0, 2.0)
        elif s['condition'] == 'anchor':
          value = rng.normal(30.0, 10.0)
        else:
          step = abs(float(s['value']) - REFERENCE_VALUE)
          value = rng.normal(100.0 - 40.0 * step, 10.0)
        store.add({'listener': listener, 'trial': t['id'],
                   'stimulus': s['id'],
                   'value': float(np.clip(value, *SCORE_RANGE))})
        n += 1
  return n


def _bootstrap(values, rng, n=N_BOOTSTRAP):
  """Mean and 95% percentile interval of the mean (resampling answers)."""
  v = np.asarray(values, np.float64)
  if len(v) == 0:
    return None, [None, None]
  means = rng.choice(v, (n, len(v))).mean(axis=1)
  return float(v.mean()), [float(np.percentile(means, 2.5)),
                           float(np.percentile(means, 97.5))]


def screened_out(test, answers):
  """Listeners BS.1534's post-screening leaves out (sorted)."""
  conditions = {(t['id'], s['id']): s['condition'] for t in test['trials']
                if t['kind'] == 'mushra' for s in t['stimuli']}
  low, seen = {}, {}
  for a in answers:
    if conditions.get((a['trial'], a['stimulus'])) == 'reference':
      seen[a['listener']] = seen.get(a['listener'], 0) + 1
      low[a['listener']] = (low.get(a['listener'], 0) +
                            (a['value'] < SCREEN_SCORE))
  return sorted(k for k in seen if low[k] / seen[k] > SCREEN_SHARE)


def summarize(test, answers, seed=0):
  """Per trial and condition: n, mean and bootstrap 95% interval, after
  post-screening (module doc). Each listener's last answer to a stimulus
  counts.

  Returns:
    {'n_listeners', 'screened_out', 'synthetic', 'trials': {trial id:
    {'kind', 'knob', 'conditions': {condition: {'n', 'mean', 'ci95'}}}}}.
  """
  rng = np.random.default_rng(seed)
  out_listeners = set(screened_out(test, answers))
  last = {}
  for a in answers:
    if a['listener'] not in out_listeners:
      last[(a['listener'], a['trial'], a['stimulus'])] = a['value']
  listeners = sorted({a['listener'] for a in answers})
  result = {'n_listeners': len(listeners),
            'screened_out': sorted(out_listeners),
            'synthetic': any(l.startswith(PILOT_PREFIX) for l in listeners),
            'trials': {}}
  order = ['sweep', 'reference'] + [f'{s:+.1f} std' for s in MUSHRA_STEPS] + [
      'anchor']
  rank = lambda s: (order.index(s['condition']) if s['condition'] in order
                    else len(order))
  for t in test['trials']:
    conds = {}
    for s in sorted(t['stimuli'], key=rank):
      v = [value for (l, tr, st), value in last.items()
           if tr == t['id'] and st == s['id']]
      mean, ci = _bootstrap(v, rng)
      conds[s['condition']] = {'n': len(v), 'mean': mean, 'ci95': ci}
    result['trials'][t['id']] = {'kind': t['kind'], 'knob': t['knob'],
                                 'conditions': conds}
  return result


def _plot(path, knob, sweep, mushra, synthetic=False):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4),
                               gridspec_kw={'width_ratios': [1, 3]})
  for ax, row, lim in ((a1, sweep, RATING_RANGE), (a2, mushra, SCORE_RANGE)):
    names = [c for c in row['conditions'] if row['conditions'][c]['n']]
    means = [row['conditions'][c]['mean'] for c in names]
    err = np.array([[m - row['conditions'][c]['ci95'][0],
                     row['conditions'][c]['ci95'][1] - m]
                    for c, m in zip(names, means)]).T.reshape(2, -1)
    ax.bar(range(len(names)), means, yerr=err, capsize=4, color='#4a7ab5')
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(lim[0] - (lim[0] > 0), lim[1])
  a1.set_title('sweep: varies smoothly? (1-5)', fontsize=9)
  a2.set_title(f'MUSHRA: close to the reference in {knob}? (0-100)',
               fontsize=9)
  fig.suptitle(f'{knob}: means with bootstrap 95% intervals' +
               (' (SYNTHETIC pilot answers)' if synthetic else ''))
  fig.tight_layout()
  files.save_figure(fig, path, dpi=100)
  plt.close(fig)


def report(test, answers, output_dir, seed=0):
  """Writes report.json, report.md and listening_<knob>.png; returns the
  summary (`summarize`).

  Raises:
    ListeningError: no answers to report.
  """
  if not answers:
    raise ListeningError('No answers yet: nobody has taken this listening '
                         'test (or pass a pilot run).')
  summary = summarize(test, answers, seed)
  os.makedirs(output_dir, exist_ok=True)
  lines = ['# Listening test', '']
  if summary['synthetic']:
    lines += ['**Synthetic answers (a pilot run): these figures show the '
              'report, not what anyone heard.**', '']
  lines += [f'{summary["n_listeners"]} listeners; left out by BS.1534 '
            f'post-screening: {len(summary["screened_out"])} '
            f'({", ".join(summary["screened_out"]) or "none"}). Means with '
            'bootstrap 95% intervals over answers.', '',
            '| trial | condition | n | mean | 95% interval |',
            '| --- | --- | --- | --- | --- |']
  for tid, row in summary['trials'].items():
    for cond, c in row['conditions'].items():
      if c['n']:
        lines.append(f'| {tid} | {cond} | {c["n"]} | {c["mean"]:.1f} | '
                     f'{c["ci95"][0]:.1f}-{c["ci95"][1]:.1f} |')
  knobs_ = sorted({row['knob'] for row in summary['trials'].values()})
  for knob in knobs_:
    png = f'listening_{knob}.png'
    _plot(os.path.join(output_dir, png), knob,
          summary['trials'][f'sweep_{knob}'],
          summary['trials'][f'mushra_{knob}'], summary['synthetic'])
    lines += ['', f'![{knob}]({png})']
  files.write_json(os.path.join(output_dir, 'report.json'), summary)
  files.write_text(os.path.join(output_dir, contracts.REPORT_MD),
                   '\n'.join(lines) + '\n')
  return summary

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""`interpret-ddsp evaluate`: one report on a trained model (and its prior).

Sections (each a function returning a JSON-ready dict; `evaluate` runs them,
writes metrics.json, report.md, PNGs and example WAVs):
1. reconstruction on eval data: multi-scale spectral distance, SNR, MCD,
   f0 L1 in cents (CREPE re-run on the output) with outlier rate, loudness
   L1; ViSQOL is reported absent (no offline build).
2. knob control: sweeps of each knob over its trained range, descriptor of
   the output vs knob (Spearman, monotonicity, smoothness/non-linearity),
   cross-talk between knobs.
3. disentanglement of z vs the descriptors: interpretability, MIG, SAP,
   Spearman per named dim.
4. generation from the prior: Fréchet distance of sound features vs real
   eval sounds, diversity, novelty, pitch adherence.
"""

import os
import warnings

import numpy as np

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.support import files

# The melody generation and the user-path calibration play.
GENERATION_NOTES = 'A3:0.9,E4:0.9'


GENERATION_EXAMPLES = 32  # Real eval sounds the generated ones are scored on.


def _provider(file_pattern, loaded):
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  return data.provider_for(file_pattern, loaded, include_metadata=False)


def _batches(provider, batch_size, max_examples):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  ds = provider.get_batch(batch_size, shuffle=False, repeats=1,
                          drop_remainder=False)
  seen = 0
  for batch in ds:
    batch = {k: v for k, v in batch.items() if v.dtype != tf.string}
    if max_examples:
      batch = {k: v[:max_examples - seen] for k, v in batch.items()}
    yield batch
    seen += int(batch['audio'].shape[0])
    if max_examples and seen >= max_examples:
      return


def reconstruction(model, provider, max_examples=64, batch_size=16,
                   out_dir=None, sample_rate=16000):
  """Eval audio vs the model's reconstruction.

  Args:
    model: Called as model(features, training=False), returns
      {'audio_synth': [batch, n_samples]} at sample_rate.
    provider: Its get_batch(...) yields dicts with 'audio' [batch,
      n_samples] at sample_rate (see `_batches`).
    max_examples: Examples scored (0 or None: all).
    batch_size: Examples per model call.
    out_dir: If set, the first 3 pairs are written there as WAVs at
      sample_rate.
    sample_rate: Samples per second of the audio and the model's output.

  Returns:
    `metrics.reconstruction_row`'s keys ('spectral_distance', 'snr_db',
    'mcd_db', 'f0_l1_cents', 'f0_outlier_rate', 'loudness_l1_db') averaged
    over examples (`metrics.mean_of_rows`), plus 'visqol' (ViSQOL's
    MOS-LQO, audio mode at 48 kHz) and 'n_examples'.
  """
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  rows, examples = [], []
  for batch in _batches(provider, batch_size, max_examples):
    audio = batch['audio'].numpy()
    synth = model(dict(batch), training=False)['audio_synth'].numpy()
    rows += metrics.reconstruction_metrics(audio, synth, sample_rate,
                                           with_visqol=True)['per_example']
    examples += list(zip(audio, synth))[:3 - len(examples)]
  if not examples:
    raise errors.UserError('The eval TFRecords hold no examples (is the eval '
                           'split empty? see prepare --eval_fraction).')
  result = metrics.mean_of_rows(rows)
  result['n_examples'] = len(rows)
  if out_dir:
    _write_examples(out_dir, examples, sample_rate)
  return result


def _write_examples(out_dir, examples, sample_rate):
  """Writes (input, output) pairs [n_samples] as reconstruction_{i}_*.wav
  at sample_rate."""
  for i, (a, s) in enumerate(examples):
    files.write_audio(os.path.join(out_dir, f'reconstruction_{i}_input.wav'),
                    a, sample_rate)
    files.write_audio(os.path.join(out_dir, f'reconstruction_{i}_output.wav'),
                    s, sample_rate)


def sweep_examples(encoded, n_examples=32):
  """Indices of the examples the knob sweeps use: the first n_examples
  whose every knob has a fifth of its frames' weight (loud, voiced,
  steady), else the first n_examples.

  Args:
    encoded: `knob_metrics.encode_dataset`'s dict ('target_weights'
      [n, n_knobs], 'f0_hz' [n, n_frames]).
    n_examples: How many.

  Returns:
    int np array.
  """
  loud = np.flatnonzero(encoded['target_weights'].min(axis=1) >=
                        0.2 * encoded['f0_hz'].shape[1])
  return loud[:n_examples] if len(loud) else np.arange(
      min(n_examples, len(encoded['f0_hz'])))


def knob_control(model, encoded, n_examples=32, n_values=9, out_dir=None,
                 sample_rate=16000, extremes=(-3.0, 3.0), reach=(-10.0, 10.0),
                 n_boot=1000):
  """Knob calibration with the rest of z held, on loud eval examples.

  Each knob is swept over its trained range (5th..95th percentile of the
  eval z) at n_values values, plus the `extremes` beyond it; every knob's
  descriptor is measured on each output. Headline figures per knob (in the
  trained range, `calibration.calibration`): Pearson r, slope, intercept,
  MAE, each with a bootstrap 95% interval; the cross-talk matrix of slopes;
  beyond the range, the slope from the range's edge to each extreme. Rank
  figures (Spearman, monotonic share) and path smoothness stay as secondary.

  The knob is also set to the far `reach` values (+-10 std), where the
  sound has long stopped following: what is measured there is the wall the
  knob runs into on each side (a sound cannot be darker than its
  fundamental alone; noise far under the partials is under what the
  measurement can see, e.g. a fast release through ddsp's raised-cosine
  amplitude upsampling, whose ripple at the frame rate reads as noise:
  gin/models/timbre_ae.gin), so a miss beyond the range can be told apart
  from a knob that stops following early (`beyond_range['wall']`, and
  'slope_within_reach': `calibration.walls`).
  """
  from interpret_ddsp.analysis import calibration  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  idx = sweep_examples(encoded, n_examples)
  f0, ld = encoded['f0_hz'][idx], encoded['loudness_db'][idx]
  result, curves, sweeps = {}, {}, {}
  for i, knob in enumerate(model.knob_names):
    lo, hi = np.percentile(encoded['z'][:, i], [5, 95])
    inside = np.linspace(lo, hi, n_values)
    values = np.concatenate([[e for e in extremes if e < lo], inside,
                             [e for e in extremes if e > hi]])
    walls = np.array([r for r in reach if r < values[0] or r > values[-1]])
    sw = knob_metrics.knob_sweep(model, knob, np.concatenate([values, walls]),
                                 f0, ld, encoded['z'][idx])
    at_wall = {float(r): sw['measured'][:, len(values) + j]
               for j, r in enumerate(walls)}
    sw = {**sw, 'measured': sw['measured'][:, :len(values)],
          'measured_all': {k: m[:, :len(values)]
                           for k, m in sw['measured_all'].items()},
          'audio': sw['audio'][:, :len(values)]}
    keep = (values >= lo - 1e-6) & (values <= hi + 1e-6)
    sweeps[knob] = {'values': inside, 'measured': {
        k: m[:, keep] for k, m in sw['measured_all'].items()}}
    own = sw['measured'][:, keep]
    mono = [metrics.monotonicity(inside, row) for row in own]
    paths = [metrics.path_metrics(np.stack(
        [sweeps[knob]['measured'][o][e] for o in model.knob_names], -1))
             for e in range(len(idx))]
    result[knob] = {
        'range': [float(lo), float(hi)],
        'calibration': calibration.calibration(inside, own, n_boot=n_boot),
        'beyond_range': dict(calibration.edge_slopes(values, sw['measured'],
                                                     lo, hi),
                             values=[float(v) for v in values[~keep]],
                             measured_mean=[float(v) for v in np.mean(
                                 sw['measured'][:, ~keep], 0)],
                             **calibration.walls(values, sw['measured'],
                                                 lo, hi, at_wall)),
        'calibration_within_reach': _within_reach(inside, own, at_wall,
                                                  n_boot),
        'spearman_mean': float(np.nanmean([m['spearman'] for m in mono])),
        'share_monotonic': float(np.mean([m['nondecreasing_share'] == 1.0
                                          for m in mono])),
        'smoothness': float(np.mean([p['smoothness'] for p in paths])),
        'nonlinearity': float(np.mean([p['nonlinearity'] for p in paths])),
        'n_examples': int(len(idx))}
    curves[knob] = (values, sw['measured'])
    if out_dir and i == 0:
      files.write_audio(os.path.join(out_dir, f'sweep_{knob}.wav'),
                      np.concatenate(list(sw['audio'][0])), sample_rate)
  result['cross_talk'] = calibration.cross_talk(sweeps, n_boot=n_boot)
  result['cross_talk_rank'] = metrics.cross_talk(sweeps)
  for knob in model.knob_names:
    row = result['cross_talk']['slope'][model.knob_index(knob)]
    result[knob]['max_cross_talk'] = float(max(
        abs(v) for j, v in enumerate(row) if j != model.knob_index(knob)))
    result[knob]['meets_targets'] = calibration.meets_targets(
        result[knob]['calibration'], result[knob]['max_cross_talk'])
  if out_dir:
    calibration.plot_calibration(
        curves, os.path.join(out_dir, contracts.KNOB_CALIBRATION_PNG),
        'Knob calibration, rest of z held (eval examples); beyond the '
        'shaded trained range: extrapolation to +-3 std',
        ranges={k: result[k]['range'] for k in model.knob_names})
    calibration.plot_cross_talk(result['cross_talk'],
                                os.path.join(out_dir, contracts.CROSS_TALK_PNG))
  return result


def knob_control_prior(model, prior_path, n_draws=8, n_values=9, seed=0,
                       notes=GENERATION_NOTES, out_dir=None, n_boot=1000):
  """Knob calibration through the user path (`sample --set k=v`): each
  knob fixed at n_values values over its trained range (5th..95th
  percentile under the prior), the other dims drawn from the prior (the
  same seed for every value), on a melody, in both modes of prior.OTHERS.
  'marginal' (the default of `sample --set`) draws the other dims from the
  unconditional prior, the same draws at every value; with 'conditional'
  (`sample --set ... --others conditional`) the cross-talk includes what
  the prior learned (e.g. brighter sounds of the data are also noisier).
  The PNG (out_dir) shows the default's curves.
  """
  from interpret_ddsp.analysis import calibration  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  prior = prior_lib.GaussianMixturePrior.load(prior_path)
  prior.check_knobs(model.knob_names, model.z_dims)
  ctrl, _ = generate.make_controls(notes)
  f0 = np.tile(ctrl.f0_hz[None], (n_draws, 1))
  ld = np.tile(ctrl.loudness_db[None], (n_draws, 1))
  out = {}
  for mode in prior_lib.OTHERS:
    sweeps, curves = {}, {}
    for i, knob in enumerate(model.knob_names):
      lo, hi = np.percentile(prior.sample(2000, seed=seed + 1)[:, i], [5, 95])
      values = np.linspace(lo, hi, n_values)
      measured = np.zeros((n_draws, n_values, len(model.knob_names)))
      for j, v in enumerate(values):
        with warnings.catch_warnings():
          warnings.simplefilter('ignore', prior_lib.KnobRangeWarning)
          z = prior.sample(n_draws, fixed={knob: float(v)}, seed=seed,
                           others=mode)
        _, measured[:, j] = knob_metrics.synthesize_and_measure(
            model, f0, ld, z.astype(np.float32))
      sweeps[knob] = {'values': values, 'measured': {
          k: measured[..., m] for m, k in enumerate(model.knob_names)}}
      curves[knob] = (values, measured[..., i])
    table = calibration.cross_talk(sweeps, n_boot=n_boot)
    out[mode] = {'cross_talk': table, 'n_draws': n_draws, 'notes': notes}
    for i, knob in enumerate(model.knob_names):
      out[mode][knob] = calibration.calibration(*curves[knob], n_boot=n_boot)
    if out_dir and mode == 'marginal':
      calibration.plot_calibration(
          curves, os.path.join(out_dir, contracts.KNOB_CALIBRATION_PRIOR_PNG),
          'Knob calibration through sample --set (other dims from the '
          'unconditional prior, the default)')
  return out


def disentanglement(model, encoded):
  """z vs the input descriptors (standardized knob targets)."""
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  ok = encoded['target_weights'].min(axis=1) >= 1.0
  z, attrs = encoded['z'][ok], encoded['knob_targets'][ok]
  k = len(model.knob_names)
  return {'interpretability': metrics.interpretability_score(z, attrs)[
              'score'],
          'mig': metrics.mig(z, attrs)['mig'],
          'sap': metrics.sap(z, attrs)['sap'],
          'spearman_per_dim': dict(zip(
              model.knob_names,
              metrics.spearman_per_dim(z[:, :k], attrs)['diagonal'])),
          'n_examples': int(ok.sum())}


def phrase_pitch_errors(model, z, ctrl, sample_rate=16000):
  """Plays each z [n, z_dims] on one phrase (`generate.make_controls`'s
  controls) and reads each output's pitch back by CREPE: the outputs
  [n, samples] and each one's `metrics.f0_error_cents` against the asked
  f0 on its audible frames (loudness above -50 dB)."""
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  n = len(z)
  f0 = np.tile(ctrl.f0_hz[None], (n, 1))
  ld = np.tile(ctrl.loudness_db[None], (n, 1))
  audio = model.synthesize(f0, ld, z).numpy()
  errors = []
  for a in audio:
    track = metrics.f0_track(a, sample_rate)
    n_f = len(track)
    errors.append(metrics.f0_error_cents(
        ctrl.f0_hz[:n_f], track, ctrl.loudness_db[:n_f] > -50))
  return audio, errors


def generation(model, prior_path, eval_audio, train_z, n=16, seed=0,
               out_dir=None, sample_rate=16000, notes=GENERATION_NOTES):
  """Prior samples with no input audio vs real eval sounds."""
  from interpret_ddsp.analysis import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  prior = prior_lib.GaussianMixturePrior.load(prior_path)
  prior.check_knobs(model.knob_names, model.z_dims)
  z = prior.sample(n, seed=seed).astype(np.float32)
  ctrl, _ = generate.make_controls(notes)
  audio, adherence = phrase_pitch_errors(model, z, ctrl, sample_rate)
  real_raw = np.stack([metrics.sound_features(a, sample_rate)
                       for a in eval_audio])
  # Mixed units (MFCCs, octaves, dB): z-scores against the real sounds.
  gen_feats = metrics.standardize(np.stack(
      [metrics.sound_features(a, sample_rate) for a in audio]), real_raw)
  real_feats = metrics.standardize(real_raw, real_raw)
  if out_dir:
    for i in range(min(4, n)):
      files.write_audio(os.path.join(out_dir, f'generated_{i}.wav'), audio[i],
                      sample_rate)
  return {
      'frechet_distance': metrics.frechet_distance(gen_feats, real_feats),
      'frechet_distance_real_halves': metrics.frechet_distance(
          real_feats[::2], real_feats[1::2]),
      'diversity_generated': metrics.mean_pairwise_distance(gen_feats),
      'diversity_real': metrics.mean_pairwise_distance(real_feats),
      'novelty_z': (metrics.novelty(z, train_z) if train_z is not None
                    else 'absent: pass --z (training z from extract-z)'),
      'pitch_l1_cents': float(np.mean([a['l1_cents'] for a in adherence])),
      'pitch_outlier_rate': float(np.mean([a['outlier_rate']
                                           for a in adherence])),
      'n_generated': n, 'n_real': int(len(eval_audio))}


def evaluate(save_dir, file_pattern, output_dir, prior_path=None,
             max_examples=64, progress=True, z_path=None, knob_examples=32,
             n_boot=1000, prior_draws=8, n_generated=16):
  """Runs every section; writes metrics.json and report.md. Returns the
  metrics dict.

  Args:
    save_dir: Trained model folder.
    file_pattern: Eval TFRecords.
    output_dir: Where the report goes.
    prior_path: fit-prior's .npz: adds generation and the calibration
      through `sample --set`.
    max_examples: Eval examples for reconstruction (and encoded for the
      knob sections).
    progress: Show a progress bar.
    z_path: Training z (extract-z) for the novelty figure.
    knob_examples: Eval examples each knob is swept on.
    n_boot: Bootstrap resamples of the calibration intervals.
    prior_draws: Prior draws per knob value for the calibration through
      the prior (`sample --set`).
    n_generated: Sounds generated from the prior for the generation
      figures.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import extract  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  for count, what in ((knob_examples, 'eval examples per knob sweep'),
                      (prior_draws, 'prior draws per knob value'),
                      (n_generated, 'generated sounds')):
    if count < 1:
      raise errors.BadInput(f'evaluate needs at least 1 of {what}, not '
                            f'{count}.')
  if not tf.io.gfile.glob(file_pattern):
    raise errors.UserError(f'No TFRecords match {file_pattern}.')
  os.makedirs(output_dir, exist_ok=True)
  loaded = model_io.load_model(save_dir)
  model = loaded.model
  provider = _provider(file_pattern, loaded)
  if max_examples:
    # The same examples from any prepare run of the same recipe (its shards
    # differ by Beam bundle): every section reads this subset.
    from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
    provider = data.StableSubsetProvider(
        provider, max(max_examples, knob_examples, GENERATION_EXAMPLES))
  sections = ['reconstruction']
  timbre = hasattr(model, 'knob_names')
  if timbre and prior_path:  # Before minutes of work, not after.
    from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
    prior_lib.GaussianMixturePrior.load(prior_path).check_knobs(
        model.knob_names, model.z_dims)
  if timbre:
    sections += ['knob_control', 'disentanglement']
    if prior_path:
      sections += ['knob_control_prior', 'generation']
  bar = None
  if progress:
    from tqdm import auto as tqdm  # pylint: disable=g-import-not-at-top
    bar = tqdm.tqdm(total=len(sections), desc='evaluate', unit='section')
  out = {'model': os.path.abspath(save_dir), 'step': loaded.step,
         'eval': file_pattern,
         'eval_selection': ('all examples' if not max_examples else
                            f'{len(provider)} examples by audio hash')}
  out['reconstruction'] = reconstruction(
      model, provider, max_examples, out_dir=output_dir,
      sample_rate=loaded.sample_rate)
  if bar:
    bar.update(1)
  if timbre:
    n_batches = -(-max(max_examples, knob_examples) // 16)
    encoded = knob_metrics.encode_dataset(model, provider,
                                          with_reconstruction=False,
                                          max_batches=max(1, n_batches))
    out['knob_control'] = knob_control(
        model, encoded, n_examples=knob_examples, out_dir=output_dir,
        sample_rate=loaded.sample_rate, n_boot=n_boot)
    if bar:
      bar.update(1)
    out['disentanglement'] = disentanglement(model, encoded)
    if bar:
      bar.update(1)
    if prior_path:
      out['knob_control_prior'] = knob_control_prior(
          model, prior_path, n_draws=prior_draws, out_dir=output_dir,
          n_boot=n_boot)
      if bar:
        bar.update(1)
      eval_audio = np.concatenate([
          b['audio'].numpy() for b in _batches(
              provider, 16, GENERATION_EXAMPLES)])[:GENERATION_EXAMPLES]
      train_z = extract.load_z(z_path)['z'] if z_path else None
      out['generation'] = generation(model, prior_path, eval_audio, train_z,
                                     n=n_generated, out_dir=output_dir,
                                     sample_rate=loaded.sample_rate)
      if bar:
        bar.update(1)
  if bar:
    bar.close()
  files.write_json(os.path.join(output_dir, contracts.METRICS_JSON), out)
  files.write_text(os.path.join(output_dir, contracts.REPORT_MD),
                   report_markdown(out))
  return out


def report_markdown(m):
  """A readable report of the metrics dict."""
  lines = [f'# Evaluation of {m["model"]} (step {m["step"]})', '',
           f'Eval data: `{m["eval"]}`' + (
               f' ({m["eval_selection"]}: the same ones from any prepare '
               'run of the same data)' if 'eval_selection' in m and
               m['eval_selection'] != 'all examples' else ''), '',
           '## Reconstruction', '',
           '| metric | value |', '| --- | --- |']
  r = m['reconstruction']
  for key, label in (('spectral_distance', 'multi-scale spectral distance'),
                     ('snr_db', 'SNR (dB)'), ('mcd_db', 'MCD (dB)'),
                     ('f0_l1_cents', 'f0 L1 (cents, CREPE on output)'),
                     ('f0_outlier_rate', 'f0 outlier rate'),
                     ('loudness_l1_db', 'loudness L1 (dB)'),
                     ('visqol', 'ViSQOL MOS-LQO (audio mode, 48 kHz; '
                      'identical = 4.73)')):
    if isinstance(r.get(key), (int, float)):  # Older reports: a note.
      lines.append(f'| {label} | {r[key]:.3f} |')
  lines += ['', 'Examples: `reconstruction_*_input.wav` / `_output.wav`.',
            '']
  if 'knob_control' in m:
    lines += _knob_report(m['knob_control'], m.get('knob_control_prior'))
  if 'disentanglement' in m:
    d = m['disentanglement']
    lines += ['## Disentanglement', '',
              f'Interpretability {d["interpretability"]:.3f}, MIG '
              f'{d["mig"]:.3f}, SAP {d["sap"]:.3f}; Spearman per named dim: '
              + ', '.join(f'{k} {v:.3f}'
                          for k, v in d['spearman_per_dim'].items()), '']
  if 'generation' in m:
    g = m['generation']
    lines += ['## Generation from the prior (no input audio)', '',
              '| metric | value |', '| --- | --- |']
    for k, v in g.items():
      lines.append(f'| {k} | {v:.3f} |' if isinstance(v, float)
                   else f'| {k} | {v} |')
    lines.append('')
  return '\n'.join(lines)


def _ci(cal, key, fmt='.2f'):
  """'value [lo, hi]' of a calibration figure."""
  lo, hi = cal.get('ci', {}).get(key, [np.nan, np.nan])
  return f'{cal[key]:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]'


def _slope_table(table):
  names = table['knobs']
  lines = ['| swept \\ measured | ' + ' | '.join(names) + ' |',
           '|---' * (len(names) + 1) + '|']
  for name, row, lo, hi in zip(names, table['slope'], table['ci_low'],
                               table['ci_high']):
    lines.append(f'| {name} | ' + ' | '.join(
        f'{v:+.2f} [{a:+.2f}, {b:+.2f}]' for v, a, b in zip(row, lo, hi)) +
                 ' |')
  return lines


def _within_reach(values, measured, at_wall, n_boot):
  """`calibration` of the requests each example could meet (its walls at
  the far values of at_wall, {value: [n_examples]}), with the share of
  requests left out ('share_out_of_reach')."""
  from interpret_ddsp.analysis import calibration  # pylint: disable=g-import-not-at-top
  sides = calibration.wall_sides(at_wall, values[0])
  kept, share = calibration.within_reach(values, measured, sides['low'],
                                         sides['high'])
  return dict(calibration.calibration(values, kept, n_boot=n_boot),
              share_out_of_reach=share)


def _knob_report(kc, prior=None):
  """Markdown of the knob sections: calibration first, ranks after."""
  names = kc['cross_talk']['knobs']
  lines = ['## Knob calibration (rest of z held)', '',
           f'Each knob swept at {kc[names[0]]["calibration"]["n_values"]} '
           'values over its trained range (5th-95th percentile of the eval '
           f'z) on {kc[names[0]]["n_examples"]} eval examples; the knob\'s '
           'descriptor measured on each output, in std units of the '
           'training set. Targets: Pearson r >= 0.97, slope 0.85-1.15, MAE '
           '<= 0.2, |cross-talk slope| <= 0.2. [95% bootstrap intervals '
           'over examples.]', '', f'![calibration]({contracts.KNOB_CALIBRATION_PNG})',
           '', '| knob | range | Pearson r | slope | intercept | MAE | max '
           '\\|cross-talk\\| | targets met |',
           '| --- | --- | --- | --- | --- | --- | --- | --- |']
  for knob in names:
    k = kc[knob]
    cal = k['calibration']
    met = k['meets_targets']
    missed = [t for t, ok in met.items() if not ok]
    lines.append(
        f'| {knob} | {k["range"][0]:+.2f}..{k["range"][1]:+.2f} | '
        f'{_ci(cal, "pearson_r", ".3f")} | {_ci(cal, "slope")} | '
        f'{_ci(cal, "intercept")} | {_ci(cal, "mae")} | '
        f'{k["max_cross_talk"]:.2f} | '
        f'{"all" if not missed else "missed: " + ", ".join(missed)} |')
  if all('calibration_within_reach' in kc[knob] for knob in names):
    lines += ['', 'Within reach: the same sweeps without the requests that '
              'lie past an example\'s own wall (what it measures at +-10 '
              'std; e.g. a high note has few partials below Nyquist, so its '
              'brightness tops out inside the range pooled over notes).', '',
              '| knob | requests out of reach | Pearson r | slope | MAE |',
              '| --- | --- | --- | --- | --- |']
    for knob in names:
      cal = kc[knob]['calibration_within_reach']
      lines.append(f'| {knob} | {100 * cal["share_out_of_reach"]:.1f}% | '
                   f'{_ci(cal, "pearson_r", ".3f")} | {_ci(cal, "slope")} | '
                   f'{_ci(cal, "mae")} |')
  lines += ['', 'Cross-talk: slope of each knob\'s descriptor (columns) per '
            'unit of the swept knob (rows); the diagonal is each knob\'s own '
            'slope.', '', f'![cross-talk]({contracts.CROSS_TALK_PNG})', '']
  lines += _slope_table(kc['cross_talk'])
  lines += ['', 'Beyond the trained range (to +-3 std): slope from the '
            'range\'s edge to the extreme (target >= 0.7), and whether the '
            'mean curve stays monotonic. The wall is what the knob measures '
            'when set to +-10 std, where the sound (or the measurement) has '
            'stopped; the slope within reach cuts the requested change '
            'there, so a knob that follows until a wall reads 1.', '',
            '| knob | low side | high side | monotonic | wall low / high | '
            'slope within reach low / high |',
            '| --- | --- | --- | --- | --- | --- |']
  fmt = lambda v: 'n/a' if v is None else f'{v:.2f}'
  for knob in names:
    br = kc[knob]['beyond_range']
    wall = br.get('wall', {})
    reach = br.get('slope_within_reach', {})
    lines.append(f'| {knob} | {fmt(br["low"])} | {fmt(br["high"])} | '
                 f'{br["monotonic"]} | {fmt(wall.get("low"))} / '
                 f'{fmt(wall.get("high"))} | {fmt(reach.get("low"))} / '
                 f'{fmt(reach.get("high"))} |')
  if prior:
    for mode, title in (('marginal', 'other dims from the unconditional '
                         'prior (`sample --set`, the default)'),
                        ('conditional', 'other dims from the prior\'s '
                         'conditional (`sample --set ... --others '
                         'conditional`)')):
      p = prior[mode]
      lines += ['', f'### Through the prior: {title}', '',
                f'{p["n_draws"]} prior draws (the same seed at every value) '
                f'playing `{p["notes"]}`.', '',
                '| knob | Pearson r | slope | MAE |', '| --- | --- | --- | '
                '--- |']
      for knob in names:
        cal = p[knob]
        lines.append(f'| {knob} | {_ci(cal, "pearson_r", ".3f")} | '
                     f'{_ci(cal, "slope")} | {_ci(cal, "mae")} |')
      lines += ['', 'Cross-talk slopes:', ''] + _slope_table(p['cross_talk'])
    lines += ['', f'![calibration through the prior, `sample --set`]'
              f'({contracts.KNOB_CALIBRATION_PRIOR_PNG})']
  lines += ['', '### Rank figures (secondary)', '',
            '| knob | Spearman (mean) | monotonic share | smoothness | '
            'non-linearity |', '| --- | --- | --- | --- | --- |']
  for knob in names:
    k = kc[knob]
    lines.append(f'| {knob} | {k["spearman_mean"]:.3f} | '
                 f'{k["share_monotonic"]:.2f} | {k["smoothness"]:.3f} | '
                 f'{k["nonlinearity"]:.3f} |')
  rank = kc['cross_talk_rank']
  lines += ['', '|Spearman| cross-talk (a rank measure: 1.00 even for a '
            'tiny side effect):', '', '| | ' + ' | '.join(names) + ' |',
            '|---' * (len(names) + 1) + '|']
  for name, row in zip(names, rank['abs_spearman']):
    lines.append(f'| {name} | ' + ' | '.join(f'{v:.2f}' for v in row) + ' |')
  lines.append('')
  return lines

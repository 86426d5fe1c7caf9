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

import json
import os

import numpy as np

from interpret_ddsp import errors

VISQOL_NOTE = ('ViSQOL: absent. No offline build of ViSQOL (a Bazel/C++ '
               'project fetched from GitHub) installs from the package index, '
               'and this tool never downloads at run time.')


def _provider(file_pattern, loaded):
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import extract  # pylint: disable=g-import-not-at-top
  secs = extract._example_secs(file_pattern, loaded.example_secs)  # pylint: disable=protected-access
  return data.TimbreTFRecordProvider(file_pattern, example_secs=secs,
                                     sample_rate=loaded.sample_rate,
                                     include_metadata=False)


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
    over examples (`metrics.mean_of_rows`), plus 'n_examples' and
    'visqol' (a note).
  """
  from interpret_ddsp import metrics  # pylint: disable=g-import-not-at-top
  rows, examples = [], []
  for batch in _batches(provider, batch_size, max_examples):
    audio = batch['audio'].numpy()
    synth = model(dict(batch), training=False)['audio_synth'].numpy()
    rows += metrics.reconstruction_metrics(audio, synth, sample_rate)[
        'per_example']
    examples += list(zip(audio, synth))[:3 - len(examples)]
  if not examples:
    raise errors.UserError('The eval TFRecords hold no examples (is the eval '
                           'split empty? see prepare --eval_fraction).')
  result = metrics.mean_of_rows(rows)
  result['n_examples'] = len(rows)
  result['visqol'] = VISQOL_NOTE
  if out_dir:
    _write_examples(out_dir, examples, sample_rate)
  return result


def _write_examples(out_dir, examples, sample_rate):
  """Writes (input, output) pairs [n_samples] as reconstruction_{i}_*.wav
  at sample_rate."""
  import soundfile  # pylint: disable=g-import-not-at-top
  for i, (a, s) in enumerate(examples):
    soundfile.write(os.path.join(out_dir, f'reconstruction_{i}_input.wav'),
                    a, sample_rate)
    soundfile.write(os.path.join(out_dir, f'reconstruction_{i}_output.wav'),
                    s, sample_rate)


def knob_control(model, encoded, n_examples=8, n_values=7, out_dir=None):
  """Sweeps every knob over its trained range (5th..95th percentile of the
  eval z) on loud eval examples; descriptor of the output vs knob."""
  from interpret_ddsp import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import metrics  # pylint: disable=g-import-not-at-top
  loud = np.flatnonzero(encoded['target_weights'].min(axis=1) >=
                        0.2 * encoded['f0_hz'].shape[1])
  idx = loud[:n_examples] if len(loud) else np.arange(
      min(n_examples, len(encoded['z'])))
  result, curves, sweeps = {}, {}, {}
  for i, knob in enumerate(model.knob_names):
    lo, hi = np.percentile(encoded['z'][:, i], [5, 95])
    values = np.linspace(lo, hi, n_values)
    f0 = encoded['f0_hz'][idx]
    ld = encoded['loudness_db'][idx]
    sw = knob_metrics.knob_sweep(model, knob, values, f0, ld,
                                 encoded['z'][idx])
    # Every knob's descriptor on this sweep's audio (for cross-talk).
    # (The swept knob's own descriptor is already in sw['measured'].)
    measured = {other: sw['measured'] if other == knob else np.stack([
        knob_metrics.measure_knob(
            model, sw['audio'][e], np.repeat(f0[e:e + 1], n_values, 0),
            np.repeat(ld[e:e + 1], n_values, 0), other)
        for e in range(len(idx))]) for other in model.knob_names}
    sweeps[knob] = {'values': values, 'measured': measured}
    mono = [metrics.monotonicity(values, row) for row in sw['measured']]
    paths = [generate.path_metrics(np.stack(
        [measured[o][e] for o in model.knob_names], -1))
             for e in range(len(idx))]
    result[knob] = {
        'range': [float(lo), float(hi)],
        'spearman_mean': float(np.nanmean([m['spearman'] for m in mono])),
        'spearman_median': float(np.nanmedian([m['spearman'] for m in mono])),
        'share_monotonic': float(np.mean([m['nondecreasing_share'] == 1.0
                                          for m in mono])),
        'smoothness': float(np.mean([p['smoothness'] for p in paths])),
        'nonlinearity': float(np.mean([p['nonlinearity'] for p in paths])),
        'n_examples': int(len(idx))}
    curves[knob] = (values, sw['measured'])
    if out_dir and i == 0:
      import soundfile  # pylint: disable=g-import-not-at-top
      soundfile.write(os.path.join(out_dir, f'sweep_{knob}.wav'),
                      np.concatenate(list(sw['audio'][0])), 16000)
  result['cross_talk'] = metrics.cross_talk(sweeps)
  if out_dir:
    _plot_curves(curves, os.path.join(out_dir, 'knob_sweeps.png'))
  return result


def _plot_curves(curves, path):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(curves), figsize=(4 * len(curves), 3.5))
  for ax, (knob, (values, measured)) in zip(np.atleast_1d(axes),
                                            curves.items()):
    for m in measured:
      ax.plot(values, m, alpha=0.5)
    ax.plot(values, values, 'k--', lw=1, label='knob = descriptor')
    ax.set_xlabel(f'{knob} knob (std units)')
    ax.set_ylabel('descriptor of the output (std units)')
    ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)


def disentanglement(model, encoded):
  """z vs the input descriptors (standardized knob targets)."""
  from interpret_ddsp import metrics  # pylint: disable=g-import-not-at-top
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


def generation(model, prior_path, eval_audio, train_z, n=16, seed=0,
               out_dir=None, sample_rate=16000, notes='A3:0.9,E4:0.9'):
  """Prior samples with no input audio vs real eval sounds."""
  from interpret_ddsp import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import prior as prior_lib  # pylint: disable=g-import-not-at-top
  prior = prior_lib.GaussianMixturePrior.load(prior_path)
  prior.check_knobs(model.knob_names, model.z_dims)
  z = prior.sample(n, seed=seed).astype(np.float32)
  ctrl, _ = generate.make_controls(notes)
  f0 = np.tile(ctrl.f0_hz[None], (n, 1))
  ld = np.tile(ctrl.loudness_db[None], (n, 1))
  audio = model.synthesize(f0, ld, z).numpy()
  real_raw = np.stack([metrics.sound_features(a, sample_rate)
                       for a in eval_audio])
  # Mixed units (MFCCs, octaves, dB): z-scores against the real sounds.
  gen_feats = metrics.standardize(np.stack(
      [metrics.sound_features(a, sample_rate) for a in audio]), real_raw)
  real_feats = metrics.standardize(real_raw, real_raw)
  adherence = []
  for a in audio:
    f0 = _f0_of(a)
    n_f = len(f0)
    adherence.append(metrics.f0_error_cents(
        ctrl.f0_hz[:n_f], f0, ctrl.loudness_db[:n_f] > -50))
  if out_dir:
    import soundfile  # pylint: disable=g-import-not-at-top
    for i in range(min(4, n)):
      soundfile.write(os.path.join(out_dir, f'generated_{i}.wav'), audio[i],
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


def _f0_of(audio):
  from interpret_ddsp import features  # pylint: disable=g-import-not-at-top
  n = len(audio) // 64
  f0, _ = features.compute_f0(audio[:n * 64].astype(np.float32), 250,
                              crepe_model='tiny')
  return f0


def evaluate(save_dir, file_pattern, output_dir, prior_path=None,
             max_examples=64, progress=True, z_path=None):
  """Runs every section; writes metrics.json and report.md. Returns the
  metrics dict."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import extract  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import model_io  # pylint: disable=g-import-not-at-top
  if not tf.io.gfile.glob(file_pattern):
    raise errors.UserError(f'No TFRecords match {file_pattern}.')
  os.makedirs(output_dir, exist_ok=True)
  loaded = model_io.load_model(save_dir)
  model = loaded.model
  provider = _provider(file_pattern, loaded)
  sections = ['reconstruction']
  timbre = hasattr(model, 'knob_names')
  if timbre:
    sections += ['knob_control', 'disentanglement']
    if prior_path:
      sections.append('generation')
  bar = None
  if progress:
    from tqdm import auto as tqdm  # pylint: disable=g-import-not-at-top
    bar = tqdm.tqdm(total=len(sections), desc='evaluate', unit='section')
  out = {'model': os.path.abspath(save_dir), 'step': loaded.step,
         'eval': file_pattern}
  out['reconstruction'] = reconstruction(
      model, provider, max_examples, out_dir=output_dir,
      sample_rate=loaded.sample_rate)
  if bar:
    bar.update(1)
  if timbre:
    encoded = knob_metrics.encode_dataset(model, provider,
                                          with_reconstruction=False,
                                          max_batches=max(1, max_examples //
                                                          16))
    out['knob_control'] = knob_control(model, encoded, out_dir=output_dir)
    if bar:
      bar.update(1)
    out['disentanglement'] = disentanglement(model, encoded)
    if bar:
      bar.update(1)
    if prior_path:
      eval_audio = np.concatenate([
          b['audio'].numpy() for b in _batches(provider, 16, 32)])[:32]
      train_z = extract.load_z(z_path)['z'] if z_path else None
      out['generation'] = generation(model, prior_path, eval_audio, train_z,
                                     out_dir=output_dir,
                                     sample_rate=loaded.sample_rate)
      if bar:
        bar.update(1)
  if bar:
    bar.close()
  with open(os.path.join(output_dir, 'metrics.json'), 'w') as f:
    json.dump(out, f, indent=1)
  with open(os.path.join(output_dir, 'report.md'), 'w') as f:
    f.write(report_markdown(out))
  return out


def report_markdown(m):
  """A readable report of the metrics dict."""
  lines = [f'# Evaluation of {m["model"]} (step {m["step"]})', '',
           f'Eval data: `{m["eval"]}`', '', '## Reconstruction', '',
           '| metric | value |', '| --- | --- |']
  r = m['reconstruction']
  for key, label in (('spectral_distance', 'multi-scale spectral distance'),
                     ('snr_db', 'SNR (dB)'), ('mcd_db', 'MCD (dB)'),
                     ('f0_l1_cents', 'f0 L1 (cents, CREPE on output)'),
                     ('f0_outlier_rate', 'f0 outlier rate'),
                     ('loudness_l1_db', 'loudness L1 (dB)')):
    lines.append(f'| {label} | {r[key]:.3f} |')
  lines += ['', r['visqol'], '',
            'Examples: `reconstruction_*_input.wav` / `_output.wav`.', '']
  if 'knob_control' in m:
    kc = m['knob_control']
    lines += ['## Knob control', '', '![sweeps](knob_sweeps.png)', '',
              '| knob | range | Spearman (mean) | monotonic share | '
              'smoothness | non-linearity |',
              '| --- | --- | --- | --- | --- | --- |']
    for knob in kc['cross_talk']['knobs']:
      k = kc[knob]
      lines.append(f'| {knob} | {k["range"][0]:+.2f}..{k["range"][1]:+.2f} '
                   f'| {k["spearman_mean"]:.3f} | {k["share_monotonic"]:.2f}'
                   f' | {k["smoothness"]:.3f} | {k["nonlinearity"]:.3f} |')
    names = kc['cross_talk']['knobs']
    lines += ['', 'Cross-talk (|Spearman| of descriptor B, rows: knob A '
              'swept):', '', '| | ' + ' | '.join(names) + ' |',
              '|---' * (len(names) + 1) + '|']
    for name, row in zip(names, kc['cross_talk']['abs_spearman']):
      lines.append(f'| {name} | ' + ' | '.join(f'{v:.2f}' for v in row) +
                   ' |')
    lines.append('')
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

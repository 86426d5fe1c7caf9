# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""How accurate the pitch and loudness estimators are on rendered ground truth.

On a set made by `render-soundfont` (WAV + JSON with the true f0), runs the
estimators the data pipeline uses (`interpret_ddsp.analysis.features`: CREPE through
ddsp's `compute_f0`, ddsp's A-weighted loudness) and reports, per instrument:
median absolute f0 error in cents and the share of voiced frames within
50 cents, voicing recall (CREPE confidence above a threshold where a note is
held), the share of single notes whose median f0 is within 30 cents of the
MIDI pitch, and the Spearman correlation of loudness with MIDI velocity
(within each key, averaged over keys).

`interpret-ddsp validate-data` is a thin layer over `validate_set`.
"""

import collections
import json
import os

import numpy as np
import scipy.stats
import tqdm

from interpret_ddsp.analysis import features
from interpret_ddsp import compat
from interpret_ddsp import contracts
from interpret_ddsp.dataset import soundfont_set
from interpret_ddsp import errors
from interpret_ddsp.support import audio_io
from interpret_ddsp.support import files
from interpret_ddsp.support import signals

SAMPLE_RATE = 16000


def _file_metrics(f0, confidence, loudness, truth, threshold):
  """Frame-level comparison of one file's estimates with its ground truth."""
  n = min(len(f0), len(truth['f0_hz']))
  voiced = truth['voiced'][:n]
  error = np.abs(signals.cents(f0[:n][voiced], truth['f0_hz'][:n][voiced]))
  out = {'errors_cents': error,
         'recall_hits': int(np.sum(confidence[:n][voiced] > threshold)),
         'voiced_frames': int(voiced.sum()),
         'mean_loudness_db': float(np.mean(loudness[:n][voiced]))
                             if voiced.any() else float('nan')}
  if truth['kind'] == 'note' and voiced.any():
    median_f0 = np.median(f0[:n][voiced])
    out['note_error_cents'] = float(abs(signals.cents(
        median_f0, signals.midi_to_hz(truth['midi_pitch']))))
  return out


def _summarize(per_file):
  """Aggregates file metrics of one instrument."""
  errors_all = np.concatenate([m['errors_cents'] for m in per_file])
  notes = [m for m in per_file if 'note_error_cents' in m]
  summary = {
      'files': len(per_file),
      'voiced_frames': int(errors_all.size),
      'median_abs_error_cents': float(np.median(errors_all)),
      'share_within_50_cents': float(np.mean(errors_all < 50)),
      'voicing_recall': float(sum(m['recall_hits'] for m in per_file) /
                              max(1, sum(m['voiced_frames']
                                         for m in per_file))),
  }
  if notes:
    summary['notes'] = len(notes)
    summary['notes_within_30_cents'] = float(np.mean(
        [m['note_error_cents'] < 30 for m in notes]))
    # Loudness must rise with velocity for the same key (keys differ in
    # level, so the correlation is taken within each key, then averaged).
    by_key = collections.defaultdict(list)
    for m in notes:
      by_key[m['midi_pitch']].append((m['velocity'], m['mean_loudness_db']))
    rhos = [scipy.stats.spearmanr(*zip(*pairs)).statistic
            for pairs in by_key.values() if len({v for v, _ in pairs}) > 1]
    if rhos:
      summary['loudness_velocity_spearman'] = float(np.mean(rhos))
  return summary


def plot_melody(path, f0, confidence, truth, frame_rate, threshold):
  """PNG: estimated vs true f0 over time for one melody."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  n = min(len(f0), len(truth['f0_hz']))
  t = np.arange(n) / frame_rate
  fig, ax = plt.subplots(figsize=(9, 3.5))
  true = np.where(truth['voiced'][:n], truth['f0_hz'][:n], np.nan)
  est = np.where(confidence[:n] > threshold, f0[:n], np.nan)
  ax.plot(t, true, 'k-', lw=4, alpha=0.3, label='ground truth (rendered)')
  ax.plot(t, est, 'C1-', lw=1, label='CREPE via ddsp compute_f0')
  ax.set_yscale('log')
  ax.set_xlabel('time (s)')
  ax.set_ylabel('f0 (Hz)')
  ax.set_title(f'{truth["instrument"]} melody, vibrato '
               f'{truth["vibrato_hz"]:.1f} Hz / ±{truth["vibrato_cents"]:.0f}'
               ' cents')
  ax.legend(loc='upper right')
  fig.tight_layout()
  files.save_figure(fig, path, dpi=100)
  plt.close(fig)


def validate_set(data_dir, output_dir=None, crepe_model='full',
                 frame_rate=100, threshold=0.5, progress=True):
  """Compares estimated f0/loudness with the ground truth of a rendered set.

  Args:
    data_dir: Folder written by `render-soundfont` (has render_manifest.json).
    output_dir: Where to write contracts.ESTIMATOR_REPORT and _PLOT; default
      `data_dir`.
    crepe_model: CREPE capacity.
    frame_rate: Frame rate of the estimates, Hz (must equal the set's).
    threshold: CREPE confidence above which a frame counts as voiced.
    progress: Show a tqdm progress bar.

  Returns:
    {'instruments': {name: summary}, 'config': {...}}, also written as JSON.
  """
  manifest_path = os.path.join(data_dir, contracts.RENDER_MANIFEST)
  if not os.path.isfile(manifest_path):
    raise errors.UserError(
        f'{data_dir} has no {contracts.RENDER_MANIFEST}: validate-data needs a '
        'set made by `interpret-ddsp render-soundfont` (it has ground truth).')
  with open(manifest_path) as f:
    manifest = json.load(f)
  if manifest['config']['frame_rate'] != frame_rate:
    raise errors.UserError(
        f'The set has ground truth at {manifest["config"]["frame_rate"]} '
        f'frames/s, not {frame_rate}.')
  compat.require_crepe_capacity(crepe_model)
  output_dir = output_dir or data_dir
  os.makedirs(output_dir, exist_ok=True)
  per_instrument = collections.defaultdict(list)
  plotted = False
  for name in tqdm.tqdm(manifest['files'], desc='validate', unit='file',
                        disable=not progress):
    path = os.path.join(data_dir, name)
    truth = soundfont_set.load_ground_truth(path)
    audio, _ = audio_io.load_audio(path, SAMPLE_RATE)
    # The very functions `prepare` stores features with.
    f0, confidence = features.compute_f0(audio, frame_rate, frame_rate,
                                         viterbi=True, crepe_model=crepe_model)
    loudness = features.compute_loudness(audio, frame_rate)
    metrics = _file_metrics(f0, confidence, loudness, truth, threshold)
    metrics['velocity'] = truth.get('velocity')
    metrics['midi_pitch'] = truth.get('midi_pitch')
    per_instrument[truth['instrument']].append(metrics)
    if truth['kind'] == 'melody' and not plotted:
      plot_melody(os.path.join(output_dir, contracts.ESTIMATOR_PLOT), f0, confidence,
                  truth, frame_rate, threshold)
      plotted = True
  report = {
      'instruments': {k: _summarize(v) for k, v in per_instrument.items()},
      'config': {'data_dir': data_dir, 'crepe_model': crepe_model,
                 'frame_rate': frame_rate, 'confidence_threshold': threshold,
                 'soundfont': manifest['config']['soundfont']},
  }
  files.write_json(os.path.join(output_dir, contracts.ESTIMATOR_REPORT), report,
                   indent=2)
  return report

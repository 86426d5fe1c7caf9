# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""`interpret-ddsp demo`: the README's first command.

With no arguments it uses the shipped pretrained model and prior
(interpret_ddsp/pretrained_model) and writes, in about 25 s on 2 cores:

  samples/            new timbres drawn from the prior (no input audio)
                      playing one melody with learned expression (how the
                      training set's players shaped notes like these):
                      WAV + spectrogram PNG with f0
  expression/         one timbre playing the melody twice: learned.wav
                      (learned note expression) and plain.wav (the
                      hand-written 'plain' profile), with PNGs
  brightness_sweep/   the same melody with the brightness knob swept over
                      its trained range (5th..95th percentile of the
                      prior): WAVs, sweep.wav, sweep.png (spectrogram) and
                      curve.png (measured brightness vs knob, with the ideal
                      line and the +-0.2 std target band)
  exaggerated/        brightness at +3 std, beyond anything in training
  interpolation/      a z path between two instruments' priors vs a crossfade
  mood_<name>/        a mood preset (knob values + expression profile)
  z_scatter.png       training z with the prior's components and the samples
  demo.json           what was made, with the measured numbers

`run(..., train=True)` (`demo --train`) first runs the whole pipeline on a
small rendered dataset (interpret_ddsp.apps.pipeline, recipe 'quick') and then
makes the same outputs with that model.
"""

import json
import os

import numpy as np

from interpret_ddsp.analysis import calibration
from interpret_ddsp.support import files
from interpret_ddsp.training import shipped

# The demo's sweep must lie this close to the ideal line (std units).
CALIBRATION_BAND = calibration.TARGETS['mae']

MELODY = 'E4:0.4,G4:0.4,A4:0.4,C5:0.8,B4:0.4,G4:0.4,E4:0.9'
N_SWEEP = 5  # Values of the brightness sweep, over its trained range.
EXAGGERATED = {'brightness': 3.0}  # Beyond the trained range (std units).
MOOD = 'warm'
# Interpolation endpoints, first pair present in the prior wins.
INSTRUMENT_PAIRS = (('flute', 'trumpet'), ('violin', 'trumpet'),
                    ('violin', 'flute'))


def _read_wav(path):
  import soundfile  # pylint: disable=g-import-not-at-top
  audio, _ = soundfile.read(path, dtype='float32')
  return audio


def expression_pair(loaded, prior_path, output_dir, expression_path=None,
                    log=print):
  """One timbre (the prior's first draw) playing MELODY with learned
  expression and with the 'plain' profile: learned.wav / plain.wav (+ PNG)
  in output_dir. Returns {'learned', 'plain'} file names, or None (with a
  line) when the model has no expression model."""
  import shutil  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import errors  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  os.makedirs(output_dir, exist_ok=True)
  log('Playing the melody with learned expression and with the plain '
      'profile ...')
  made = {}
  for name in (generate.LEARNED, 'plain'):
    tmp = os.path.join(output_dir, f'_{name}')
    try:
      result = generate.sample_sounds(
          loaded, prior_path, tmp, n=1, notes=MELODY, seed=0, profile=name,
          expression_path=expression_path)
    except errors.UserError as e:
      log(f'Expression: skipped ({e})')
      shutil.rmtree(tmp, ignore_errors=True)
      return None
    row = result['samples'][0]
    for ext in ('.wav', '.png'):
      os.replace(os.path.splitext(row['wav'])[0] + ext,
                 os.path.join(output_dir, name + ext))
    shutil.rmtree(tmp, ignore_errors=True)
    made[name] = {'wav': name + '.wav', 'expression': result['expression']}
  return made


def _pick_instruments(groups):
  for a, b in INSTRUMENT_PAIRS:
    if a in groups and b in groups:
      return a, b
  named = sorted(g for g in groups if g)
  return tuple(named[:2]) if len(named) >= 2 else None


def trained_range(prior, knob, seed=0):
  """(5th, 95th) percentile of a knob under the prior (std units)."""
  samples = prior.sample(4000, seed=seed)[:, prior.dim_index(knob)]
  return tuple(float(v) for v in np.percentile(samples, [5, 95]))


def brightness_sweep(loaded, z, output_dir, values, notes=MELODY,
                     knob='brightness'):
  """Renders `notes` with `knob` at each value (rest of z fixed).

  Args:
    loaded: model_io.LoadedModel of a timbre model.
    z: Base z [z_dims].
    output_dir: Folder for knob_XX.wav, sweep.wav, sweep.png, curve.png.
    notes: Note text (controls.parse_notes).
    values: Knob settings, standardized units.
    knob: Knob name.

  Returns:
    {'knob', 'values', 'measured' (descriptor of each output, standardized),
     'spearman', 'monotonic'}.
  """
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  model, sr = loaded.model, loaded.sample_rate
  ctrl, _ = generate.make_controls(notes)
  sweep = knob_metrics.knob_sweep(model, knob, values, ctrl.f0_hz[None],
                                  ctrl.loudness_db[None],
                                  np.asarray(z, np.float32)[None])
  os.makedirs(output_dir, exist_ok=True)
  audio = sweep['audio'][0]
  gap = np.zeros(int(0.25 * sr), np.float32)
  for i, a in enumerate(audio):
    generate.write_wav(os.path.join(output_dir, f'{knob}_{i:02d}.wav'), a, sr)
  joined = np.concatenate([np.concatenate([a, gap]) for a in audio])
  generate.write_wav(os.path.join(output_dir, 'sweep.wav'), joined, sr)
  f0 = np.concatenate([np.concatenate([ctrl.f0_hz, np.zeros(
      int(0.25 * 250))]) for _ in audio])
  generate.plot_sound(os.path.join(output_dir, 'sweep.png'), joined, sr, f0,
                      250, f'{knob} knob: ' + ', '.join(
                          f'{v:+.1f}' for v in values))
  measured = sweep['measured'][0]
  fit = calibration.line_fit(values, measured[None])
  _plot_curve(os.path.join(output_dir, 'curve.png'), values, measured, knob,
              fit)
  return {'knob': knob, 'values': list(map(float, values)),
          'measured': measured.tolist(),
          'max_error': float(np.max(np.abs(measured - values))),
          'calibration': fit,
          'spearman': float(sweep['spearman'][0]),
          'monotonic': bool(sweep['monotonic'][0])}


def _plot_curve(path, values, measured, knob, fit, band=CALIBRATION_BAND):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  values = np.asarray(values)
  fig, ax = plt.subplots(figsize=(5, 3.8))
  ax.fill_between(values, values - band, values + band, color='0.85',
                  label=f'ideal +-{band:g} std')
  ax.plot(values, values, 'k--', lw=1, label='ideal (measured = knob)')
  ax.plot(values, measured, 'o-', label='measured on the output')
  ax.set_title(f'slope {fit["slope"]:.2f}, r {fit["pearson_r"]:.3f}, '
               f'MAE {fit["mae"]:.2f} std', fontsize=9)
  ax.set_xlabel(f'{knob} knob (std units of the training set)')
  ax.set_ylabel(f'{knob} of the output (std units)')
  ax.legend(fontsize=8)
  fig.tight_layout()
  files.save_figure(fig, path, dpi=100)
  plt.close(fig)


def run(output_dir='demo_output', save_dir=None, prior_path=None,
        z_path=None, train=False, train_dir=None, recipe=None,
        progress=True, log=print):
  """Makes every demo output; returns the dict written to demo.json.

  Args:
    output_dir: Where the outputs go.
    save_dir: Model folder (default: the shipped pretrained model).
    prior_path: Its prior .npz (default: the pretrained model's).
    z_path: Its training z .npz for the scatter (optional).
    train: First run the whole pipeline (`recipe`) and use its model.
    train_dir: Folder of that run (default output_dir/pipeline); re-running
      continues it.
    recipe: pipeline recipe for `train` (name or pipeline.Recipe; None:
      pipeline.DEFAULT_RECIPE).
    progress: tqdm bars for the pipeline.
    log: Called with one line per step.
  """
  from interpret_ddsp.evaluation import knob_metrics  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  os.makedirs(output_dir, exist_ok=True)
  summary = {}
  if train:
    from interpret_ddsp.apps import pipeline  # pylint: disable=g-import-not-at-top
    train_dir = train_dir or os.path.join(output_dir, 'pipeline')
    result = pipeline.run(train_dir, recipe, progress=progress, log=log)
    p = result['paths']
    save_dir, prior_path, z_path = p['model'], p['prior'], p['z']
    expression_path = (p['expression'] if os.path.exists(p['expression'])
                       else None)
    summary['pipeline'] = {'dir': train_dir, 'recipe': result['recipe'],
                           'steps': result['steps'],
                           'secs': result['secs'],
                           'evaluation': p['evaluation']}
  else:
    save_dir, prior_path, z_path = shipped.resolve(save_dir, prior_path,
                                                   z_path)
    expression_path = None  # The model folder's own, if it has one.
  if not prior_path:
    from interpret_ddsp import errors  # pylint: disable=g-import-not-at-top
    raise errors.UserError('A model given without its prior: pass --prior.')
  loaded = model_io.as_loaded(save_dir)
  summary['model'] = {'checkpoint': loaded.checkpoint, 'step': loaded.step,
                      'knobs': list(loaded.model.knob_names)}
  out = lambda *p: os.path.join(output_dir, *p)

  log('Sampling new timbres from the prior ...')
  samples = generate.sample_sounds(loaded, prior_path, out('samples'), n=4,
                                   notes=MELODY, seed=0,
                                   expression_path=expression_path)
  summary['samples'] = [{'wav': os.path.relpath(r['wav'], output_dir),
                         'knobs': r['knobs']} for r in samples['samples']]
  summary['expression'] = expression_pair(
      loaded, prior_path, out('expression'), expression_path, log)

  log('Sweeping the brightness knob ...')
  groups = prior_lib.load_priors(prior_path)
  lo, hi = trained_range(groups[''], 'brightness')
  summary['brightness_sweep'] = brightness_sweep(
      loaded, groups[''].mean(), out('brightness_sweep'),
      np.linspace(lo, hi, N_SWEEP))

  log('Exaggerating: ' + ', '.join(f'{k}={v:+g} std'
                                   for k, v in EXAGGERATED.items()) + ' ...')
  # The plain profile: the knobs are measured at its known curves.
  exaggerated = generate.sample_sounds(
      loaded, prior_path, out('exaggerated'), n=1, notes=MELODY, seed=0,
      profile='plain', settings={k: v for k, v in EXAGGERATED.items()
                if k in loaded.model.knob_names})
  ctrl, _ = generate.make_controls(MELODY)
  audio = _read_wav(exaggerated['samples'][0]['wav'])
  summary['exaggerated'] = {
      'settings': exaggerated['fixed'], 'messages': exaggerated['messages'],
      'measured': dict(zip(loaded.model.knob_names, knob_metrics.measure_knobs(
          loaded.model, audio[None], ctrl.f0_hz[None],
          ctrl.loudness_db[None])[0].tolist()))}

  pair = _pick_instruments(groups)
  if pair:
    log(f'Interpolating from {pair[0]} to {pair[1]} ...')
    interp = generate.interpolate(
        loaded, out('interpolation'), f'instrument:{pair[0]}',
        f'instrument:{pair[1]}', steps=5, prior_path=prior_path,
        notes=MELODY, expression_path=expression_path)
    summary['interpolation'] = {
        'from': pair[0], 'to': pair[1],
        'z_interpolation': interp['z_interpolation'],
        'crossfade': interp['crossfade']}

  log(f'Rendering the mood {MOOD!r} ...')
  mood = generate.sample_sounds(loaded, prior_path, out(f'mood_{MOOD}'),
                                n=1, notes=MELODY, mood=MOOD, seed=0,
                                expression_path=expression_path)
  summary['mood'] = {'name': MOOD, 'knobs': mood['samples'][0]['knobs']}

  if z_path and os.path.exists(z_path):
    with np.load(z_path, allow_pickle=False) as data:
      z = data['z']
      labels = data['instrument'] if 'instrument' in data else None
    prior_lib.plot_z_scatter(
        groups[''], z, out('z_scatter.png'), labels=labels,
        dims=(['brightness', 'noisiness'] if {'brightness', 'noisiness'} <=
              set(groups[''].dim_names) else None),
        samples=np.array([r['z'] for r in samples['samples']]))
  files.write_json(out('demo.json'), summary)
  return summary

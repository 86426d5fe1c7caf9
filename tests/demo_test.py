# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""`interpret-ddsp demo` with the shipped pretrained model and prior, and
the model itself (interpret_ddsp/pretrained_model)."""

import json
import os

import numpy as np
import pytest
import soundfile

from interpret_ddsp import cli
from interpret_ddsp.generation import prior as prior_lib
from interpret_ddsp.training import shipped


def centroid_hz(path):
  """librosa's spectral centroid of a WAV, averaged with frame energy."""
  import librosa  # pylint: disable=g-import-not-at-top
  audio, sr = soundfile.read(path, dtype='float32')
  mag = np.abs(librosa.stft(audio, n_fft=2048, hop_length=512))
  centroid = librosa.feature.spectral_centroid(S=mag, sr=sr)[0]
  energy = np.sum(mag ** 2, axis=0)
  return float(np.sum(centroid * energy) / np.sum(energy))


@pytest.fixture(scope='module')
def demo_dir(tmp_path_factory):
  out = str(tmp_path_factory.mktemp('demo'))
  assert cli.main(['demo', '--output_dir', out]) == 0
  with open(os.path.join(out, 'demo.json')) as f:
    return out, json.load(f)


def test_pretrained_model_is_complete_and_small():
  path = shipped.model_dir()
  names = os.listdir(path)
  for name in ('checkpoint', 'operative_config-0.gin', 'knobs.json',
               'prior.npz', 'z.npz', 'metrics.json', 'MODEL_CARD.md'):
    assert name in names, name
  assert sum(os.path.getsize(os.path.join(path, n)) for n in names) < 8e6
  priors = prior_lib.load_priors(shipped.prior_path())
  assert len([g for g in priors if g]) >= 5  # One prior per instrument.


def test_model_card_numbers_are_the_measured_ones():
  with open(os.path.join(shipped.model_dir(), 'MODEL_CARD.md')) as f:
    card = f.read()
  m = shipped.metrics()
  assert 'FluidR3_GM.sf2' in card and 'MIT' in card
  assert f'{m["reconstruction"]["spectral_distance"]:.3f}' in card
  cal = m['knob_control']['brightness']['calibration']
  assert f'{cal["slope"]:.2f} [{cal["ci"]["slope"][0]:.2f}' in card


def test_readme_knob_table_is_the_shipped_models():
  """The README's hand-written knob table (rows rebuilt here from the
  committed metrics.json) and its sample --set figures match the shipped
  model: a retrained model with a stale README fails here."""
  from conftest import REPO  # pylint: disable=g-import-not-at-top
  with open(os.path.join(REPO, 'README.md')) as f:
    readme = f.read()
  m = shipped.metrics()
  kc = m['knob_control']
  for knob in kc['cross_talk']['knobs']:
    c, b = kc[knob]['calibration'], kc[knob]['beyond_range']
    ci = c['ci']
    cell = lambda name, fmt: (f'{fmt.format(c[name])} [{fmt.format(ci[name][0])}'
                              f', {fmt.format(ci[name][1])}]')
    row = (f'| {knob} | {cell("pearson_r", "{:.3f}")} | '
           f'{cell("slope", "{:.2f}")} | {cell("intercept", "{:.2f}")} | '
           f'{cell("mae", "{:.2f}")} | {kc[knob]["max_cross_talk"]:.2f} | '
           f'{b["low"]:.2f} / {b["high"]:.2f} |')
    assert row in readme, row
  marginal = m['knob_control_prior']['marginal']
  h = marginal['hollowness']
  assert (f'hollowness r {h["pearson_r"]:.3f} [{h["ci"]["pearson_r"][0]:.3f}, '
          f'{h["ci"]["pearson_r"][1]:.3f}]') in ' '.join(readme.split())
  assert (f'max cross-talk {marginal["cross_talk"]["max_off_diagonal"]:.2f}'
          in ' '.join(readme.split()))


def test_pretrained_knobs_are_calibrated_by_value():
  """evaluate's numbers for the shipped model against the knob targets:
  a knob at v gives its descriptor at v (std units), alone."""
  kc = shipped.metrics()['knob_control']
  for knob in kc['cross_talk']['knobs']:
    cal = kc[knob]['calibration']
    assert cal['pearson_r'] >= 0.97, (knob, cal)
    assert 0.85 <= cal['slope'] <= 1.15, (knob, cal)
    assert cal['mae'] <= 0.2, (knob, cal)
    assert cal['n_examples'] >= 32 and cal['n_values'] >= 9
  assert kc['cross_talk']['max_off_diagonal'] <= 0.2


def test_demo_writes_every_output(demo_dir):
  out, summary = demo_dir
  for name in ('samples/sample_00.wav', 'samples/sample_00.png',
               'brightness_sweep/sweep.wav', 'brightness_sweep/sweep.png',
               'brightness_sweep/curve.png', 'interpolation/path.wav',
               'interpolation/crossfade.wav', 'interpolation/interpolation.png',
               'mood_warm/sample_00.wav', 'z_scatter.png'):
    assert os.path.getsize(os.path.join(out, name)) > 1000, name
  assert summary['model']['knobs'][0] == 'brightness'


def test_demo_brightness_sweep_rises(demo_dir):
  out, summary = demo_dir
  sweep = summary['brightness_sweep']
  assert sweep['spearman'] >= 0.9 and sweep['monotonic']
  # Inside the trained range, within the knobs issue's 0.2 std of the
  # ideal line (demo.CALIBRATION_BAND).
  assert sweep['max_error'] <= 0.2, sweep
  # Independently of the model's own measure: librosa on the WAVs.
  sweep_dir = os.path.join(out, 'brightness_sweep')
  centroids = [centroid_hz(os.path.join(sweep_dir, f'brightness_{i:02d}.wav'))
               for i in range(len(sweep['values']))]
  assert np.all(np.diff(centroids) > 0), centroids
  assert centroids[-1] > 1.3 * centroids[0], centroids


def test_demo_exaggerates_beyond_the_trained_range(demo_dir):
  out, summary = demo_dir
  ex, sweep = summary['exaggerated'], summary['brightness_sweep']
  assert ex['settings'] == {'brightness': 3.0}
  assert any('extrapolating' in m for m in ex['messages'])
  # Brighter than the top of the trained range, by librosa too.
  assert ex['measured']['brightness'] > sweep['measured'][-1] + 0.5
  top = centroid_hz(os.path.join(out, 'brightness_sweep',
                                 f'brightness_{len(sweep["values"]) - 1:02d}'
                                 '.wav'))
  assert centroid_hz(os.path.join(out, 'exaggerated', 'sample_00.wav')) > top


def test_demo_prior_samples_differ_in_timbre(demo_dir):
  out, summary = demo_dir
  centroids = []
  for row in summary['samples']:
    audio, _ = soundfile.read(os.path.join(out, row['wav']))
    assert np.sqrt(np.mean(audio ** 2)) > 1e-3  # Not silent.
    centroids.append(centroid_hz(os.path.join(out, row['wav'])))
  assert max(centroids) > 1.15 * min(centroids), centroids


def test_sample_and_interpolate_default_to_the_pretrained_model(tmp_path):
  out = str(tmp_path / 'sample')
  assert cli.main(['sample', '--n', '2', '--notes', 'A4:1.0',
                   '--set', 'brightness=1.5', '--output_dir', out]) == 0
  with open(os.path.join(out, 'samples.json')) as f:
    result = json.load(f)
  assert result['model'].startswith(shipped.model_dir())
  assert result['prior'] == shipped.prior_path()
  assert all(r['knobs']['brightness'] == 1.5 for r in result['samples'])
  path = str(tmp_path / 'path')
  assert cli.main(['interpolate', '--start', 'instrument:flute', '--end',
                   'instrument:trumpet', '--steps', '3', '--notes', 'C4:1.0',
                   '--output_dir', path]) == 0
  with open(os.path.join(path, 'interpolation.json')) as f:
    interp = json.load(f)
  priors = prior_lib.load_priors(shipped.prior_path())
  np.testing.assert_allclose(interp['z_start'], priors['flute'].mean(),
                             rtol=1e-5, atol=1e-5)


def test_unknown_instrument_endpoint_lists_the_known_ones(capsys):
  assert cli.main(['interpolate', '--start', 'instrument:banjo', '--end',
                   'instrument:flute', '--output_dir', '/tmp/unused']) == 2
  err = capsys.readouterr().err
  assert "No prior for instrument 'banjo'" in err and 'flute' in err


def test_own_model_without_prior_is_one_sentence(capsys):
  assert cli.main(['sample', '--save_dir', shipped.model_dir(),
                   '--output_dir', '/tmp/unused']) == 2
  err = capsys.readouterr().err.strip()
  assert 'needs its prior: pass --prior' in err and '\n' not in err

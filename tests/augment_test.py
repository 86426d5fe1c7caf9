# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Timbre augmentation: the equalizer against closed forms, and `prepare
--augment` end to end on rendered notes (copies in train only, f0 kept,
the documented equalizer applied, bookkeeping intact)."""

import glob
import math
import os

import numpy as np
import pytest
import soundfile

from interpret_ddsp import data
from interpret_ddsp import errors
from interpret_ddsp.dataset import augment
from interpret_ddsp.dataset import prepare
from interpret_ddsp.dataset import sources
from interpret_ddsp.score import soundfont

IN_MEMORY = ['--runner=DirectRunner', '--direct_num_workers=1',
             '--direct_running_mode=in_memory']
SR = 16000


def _level_db(x):
  """Peak level of a steady sine, away from its ends, dB."""
  return 20 * math.log10(np.max(np.abs(x[SR // 4:-SR // 4])))


def _sine(freq):
  return np.sin(2 * np.pi * freq * np.arange(2 * SR) / SR)


@pytest.mark.parametrize('freq, expected_db', [
    (1000.0, 6.0),  # The bump's centre.
    (2000.0, 6.0 * math.exp(-0.5)),  # One width (1 octave) away.
    (250.0, 6.0 * math.exp(-2.0)),  # Two widths below.
])
def test_a_bump_has_its_gaussian_gain_in_octaves(freq, expected_db):
  eq = {'centres_hz': np.array([1000.0]), 'gains_db': np.array([6.0]),
        'widths_oct': np.array([1.0]), 'tilt_db_per_oct': 0.0}
  y = augment.equalize(_sine(freq), SR, eq)
  assert _level_db(y) == pytest.approx(expected_db, abs=0.05)


@pytest.mark.parametrize('freq, expected_db', [
    (4000.0, 2 * 2.0),  # Two octaves above the 1 kHz pivot.
    (250.0, -2 * 2.0),
    (60.0, -2 * 3.0),  # Beyond three octaves: flat.
])
def test_the_tilt_is_linear_in_octaves_then_flat(freq, expected_db):
  eq = {'centres_hz': np.array([1000.0]), 'gains_db': np.array([0.0]),
        'widths_oct': np.array([1.0]), 'tilt_db_per_oct': 2.0}
  y = augment.equalize(_sine(freq), SR, eq)
  assert _level_db(y) == pytest.approx(expected_db, abs=0.05)


def test_a_copy_keeps_its_rms_and_is_reproducible():
  tone = soundfont.render_note(71, 60, held_secs=1.0, release_secs=0.2)
  a, a16 = augment.augment_pair(tone, tone, SR, seed=7)
  rms = lambda x: np.sqrt(np.mean(np.square(x, dtype=np.float64)))
  assert rms(a16) == pytest.approx(rms(tone), rel=1e-4)
  assert np.max(np.abs(a16)) <= 0.99 + 1e-6
  again, _ = augment.augment_pair(tone, tone, SR, seed=7)
  other, _ = augment.augment_pair(tone, tone, SR, seed=8)
  np.testing.assert_array_equal(a, again)
  assert np.max(np.abs(a - other)) > 1e-2
  assert np.max(np.abs(a - tone)) > 1e-2


def _harmonic_amplitudes(audio, f0, n_harmonics=6):
  """|DFT| of a 1-s window at the first harmonics of f0 (whole Hz)."""
  spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
  hz_per_bin = SR / len(audio)
  return np.array([spectrum[int(round(h * f0 / hz_per_bin))]
                   for h in range(1, n_harmonics + 1)])


@pytest.fixture(scope='module')
def augmented(tmp_path_factory):
  root = tmp_path_factory.mktemp('augment')
  folder = root / 'in'
  folder.mkdir()
  # A harmonic tone at 200 Hz (an exact DFT bin) and a rendered violin note.
  t = np.arange(2 * SR) / SR
  tone = sum(0.3 / h * np.sin(2 * np.pi * 200 * h * t) for h in range(1, 7))
  soundfile.write(str(folder / 'tone.wav'), tone.astype(np.float32), SR)
  soundfile.write(str(folder / 'violin.wav'), soundfont.render_note(
      40, 67, held_secs=1.8, release_secs=0.2), SR)
  manifest = prepare.run(
      sources.recording_items(str(folder)), str(root / 'out'),
      example_secs=1.0, hop_secs=0.5, eval_fraction=0.0, augment=2,
      pipeline_options=IN_MEMORY, progress=False, compute_ddsp_stats=False)
  provider = data.TimbreTFRecordProvider(str(root / 'out' / 'train.tfrecord*'),
                                         example_secs=1, include_metadata=True)
  examples = [{k: v.numpy() for k, v in ex.items()}
              for ex in provider.get_dataset(shuffle=False)]
  return manifest, examples, str(folder / 'tone.wav')


def test_each_train_window_comes_with_its_copies(augmented):
  manifest, examples, _ = augmented
  counts = manifest['counts']
  # Two 2-s files, 1-s windows every 0.5 s: 3 windows each, 3 copies each.
  assert counts['windows_expected'] == 2 * 3 * 3
  assert counts['examples_train'] == 18
  assert counts['examples_augmented'] == 12
  assert counts['windows_missing'] == 0
  assert counts['windows_written_twice'] == 0
  assert sorted(int(e['augmentation']) for e in examples) == [0] * 6 + [
      1] * 6 + [2] * 6


def test_a_copy_keeps_f0_and_gets_the_documented_equalizer(augmented):
  _, examples, tone_path = augmented
  by_key = {(e['source_file'].decode(), round(float(e['start_secs']), 3),
             int(e['augmentation'])): e for e in examples}
  original = by_key[(tone_path, 0.5, 0)]
  for k in (1, 2):
    copy = by_key[(tone_path, 0.5, k)]
    np.testing.assert_array_equal(copy['f0_hz'], original['f0_hz'])
    # The harmonics' level ratios follow the equalizer drawn for this chunk
    # (the scale factor cancels in ratios to the fundamental).
    eq = augment.random_eq(np.random.default_rng(
        augment.seed_of(tone_path, 0.0, k)))
    freqs = 200.0 * np.arange(1, 7)
    expected = augment.gain_db(freqs, eq)
    measured = 20 * np.log10(_harmonic_amplitudes(copy['audio_16k'], 200) /
                             _harmonic_amplitudes(original['audio_16k'], 200))
    np.testing.assert_allclose(measured - measured[0],
                               expected - expected[0], atol=0.1)
    # Loudness is measured on the copy: it moves with the equalizer.
    assert np.max(np.abs(copy['loudness_db'] - original['loudness_db'])) > 0.1


def test_eval_windows_are_never_augmented(tmp_path):
  """A long tone split by time: its eval windows come once, its train
  windows three times."""
  folder = tmp_path / 'rec'
  folder.mkdir()
  t = np.arange(10 * SR) / SR
  soundfile.write(str(folder / 'long.wav'),
                  (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), SR)
  manifest = prepare.run(
      sources.recording_items(str(folder)), str(tmp_path / 'out'),
      example_secs=1.0, hop_secs=0.5, eval_fraction=0.1, augment=2,
      pipeline_options=IN_MEMORY, progress=False, compute_ddsp_stats=False)
  counts = manifest['counts']
  assert manifest['config']['split_by'] == 'time'
  # Starts 0.0-8.0 train (17), 8.5 dropped, 9.0 eval (see prepare_test).
  assert counts['examples_train'] == 17 * 3
  assert counts['examples_augmented'] == 17 * 2
  assert counts['examples_eval'] == 1
  assert counts['windows_missing'] == 0
  assert len(glob.glob(os.path.join(tmp_path / 'out', 'eval.tfrecord-*')))


def test_a_lost_copy_is_made_again_alone(tmp_path, monkeypatch):
  # The runner losing a window (prepare_test's case) for one copy only: the
  # retry makes that copy's window, not its original again.
  folder = tmp_path / 'in'
  folder.mkdir()
  soundfile.write(str(folder / 'violin.wav'), soundfont.render_note(
      40, 67, held_secs=1.8, release_secs=0.2), SR)
  flag = str(tmp_path / 'dropped')
  windows = prepare.FeaturizeFn._windows

  def lossy(self, chunk, audio, audio_16k, feats, k):
    for kind, value in windows(self, chunk, audio, audio_16k, feats, k):
      if (kind == prepare.MAIN and k == 1 and value['start_secs'] == 0.5
          and not os.path.exists(flag)):
        open(flag, 'w').close()
        continue
      yield kind, value

  monkeypatch.setattr(prepare.FeaturizeFn, '_windows', lossy)
  manifest = prepare.run(
      sources.recording_items(str(folder)), str(tmp_path / 'out'),
      example_secs=1.0, hop_secs=0.5, eval_fraction=0.0, augment=1,
      pipeline_options=IN_MEMORY, progress=False, compute_ddsp_stats=False)
  counts = manifest['counts']
  assert counts['windows_retried'] == 1
  assert counts['windows_missing'] == 0
  assert counts['windows_written_twice'] == 0
  assert counts['examples_train'] == 6


def test_a_negative_count_is_a_clear_error(tmp_path):
  with pytest.raises(errors.UserError, match='augment'):
    prepare.run([{'source_file': 'x.wav'}], str(tmp_path), augment=-1)

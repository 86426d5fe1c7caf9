# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Rendered soundfont sets: files, ground-truth f0 that CREPE agrees with,
silent keys skipped and counted, no silent mixing of sets."""

import json
import os

import numpy as np
import pytest
import soundfile

from interpret_ddsp import cli
from interpret_ddsp import compat
from interpret_ddsp import contracts
from interpret_ddsp.dataset import soundfont_set
from interpret_ddsp import errors
from interpret_ddsp.score import soundfont
from interpret_ddsp.support import signals


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
  out = str(tmp_path_factory.mktemp('set'))
  manifest = soundfont_set.render_set(
      out, [40, 65], key_step=15, velocities=(40, 110), n_melodies=1,
      held_secs=1.0, release_secs=0.5, melody_secs=3.0, progress=False)
  return out, manifest


def test_notes_have_constant_ground_truth_at_their_midi_pitch(rendered):
  out, manifest = rendered
  notes = [f for f in manifest['files'] if 'note_' in f]
  assert notes
  for name in notes:
    truth = soundfont_set.load_ground_truth(os.path.join(out, name))
    audio, rate = soundfile.read(os.path.join(out, name))
    assert rate == 16000 and len(audio) == int(1.5 * 16000)
    assert truth['voiced'].sum() == 100  # 1.0 s held at 100 frames/s.
    np.testing.assert_allclose(truth['f0_hz'][truth['voiced']],
                               signals.midi_to_hz(truth['midi_pitch']),
                               rtol=1e-5)
    assert np.all(truth['f0_hz'][~truth['voiced']] == 0)


def test_louder_velocity_gives_louder_audio(rendered):
  out, manifest = rendered
  rms = {}
  for name in manifest['files']:
    if 'note_' in name:
      truth = soundfont_set.load_ground_truth(os.path.join(out, name))
      audio, _ = soundfile.read(os.path.join(out, name))
      key = (truth['program'], truth['midi_pitch'])
      rms.setdefault(key, {})[truth['velocity']] = np.sqrt(np.mean(
          audio[:16000] ** 2))
  assert rms
  for by_velocity in rms.values():
    assert by_velocity[110] > 1.5 * by_velocity[40]


def test_melody_vibrato_ground_truth_is_what_crepe_hears(rendered):
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  out, manifest = rendered
  melodies = [f for f in manifest['files'] if 'melody_' in f]
  assert len(melodies) == 2
  for name in melodies:
    truth = soundfont_set.load_ground_truth(os.path.join(out, name))
    assert truth['vibrato_cents'] >= 15 and len(truth['notes']) >= 3
    audio, _ = soundfile.read(os.path.join(out, name), dtype='float32')
    with compat.crepe_capacity('tiny'):
      f0, _ = spectral_ops.compute_f0(audio, 100, viterbi=True)
    n = min(len(f0), len(truth['f0_hz']))
    # Judge frames inside notes, away from note boundaries (transitions).
    inside = truth['voiced'][:n].copy()
    for note in truth['notes']:
      first = int(round(note['start'] * 100))
      inside[first:first + 8] = False
      last = int(round((note['start'] + note['duration']) * 100))
      inside[max(0, last - 3):last] = False
    error = np.abs(signals.cents(f0[:n][inside], truth['f0_hz'][:n][inside]))
    assert np.mean(error < 50) > 0.9, name
    # The vibrato is in the ground truth: a flat note-pitch line is worse.
    flat = np.zeros(n, np.float32)
    for note in truth['notes']:
      flat[int(round(note['start'] * 100)):] = signals.midi_to_hz(
          note['key'])
    flat_error = np.abs(signals.cents(f0[:n][inside], flat[inside]))
    assert np.median(error) < np.median(flat_error)


@pytest.mark.parametrize('program', sorted(soundfont_set.INSTRUMENTS))
def test_named_instruments_sound_at_both_ends_of_their_range(program):
  # The table's playing ranges: the lowest and highest key of every named
  # instrument sound in the package's soundfont at the key's pitch (YIN,
  # librosa's, over the held part). FluidR3 agrees: its contrabass stops
  # at A3, hence the range's top there.
  import librosa  # pylint: disable=g-import-not-at-top
  name, low, high = soundfont_set.INSTRUMENTS[program]
  assert soundfont_set.parse_programs(name) == [program]
  for key in (low, high):
    audio = soundfont.render_note(program, key, 100, held_secs=0.6,
                                  release_secs=0.1).astype(np.float64)
    held = audio[1600:8000]
    assert np.sqrt(np.mean(held ** 2)) > 0.01, (name, key)
    f0 = librosa.yin(held, fmin=25, fmax=4200, sr=16000, frame_length=2048)
    cents = 1200 * np.log2(np.median(f0) / signals.midi_to_hz(key))
    assert abs(cents) < 50, (name, key, cents)


def test_silent_keys_are_skipped_and_counted(tmp_path):
  # TimGM6mb's alto sax (program 65) has no sample at key 64.
  manifest = soundfont_set.render_set(
      str(tmp_path), [65], key_step=1, velocities=(100,), n_melodies=0,
      held_secs=0.3, release_secs=0.1, progress=False)
  skipped = [s['file'] for s in manifest['skipped']]
  assert 'alto_sax_065/note_k064_v100.wav' in skipped
  assert manifest['counts']['written'] + manifest['counts']['skipped'] == (
      manifest['counts']['planned'])
  assert not os.path.exists(tmp_path / 'alto_sax_065/note_k064_v100.wav')
  with open(tmp_path / contracts.RENDER_MANIFEST) as f:
    assert json.load(f)['counts'] == manifest['counts']


def test_existing_set_is_not_silently_mixed(rendered):
  out, _ = rendered
  with pytest.raises(errors.UserError, match='--overwrite'):
    soundfont_set.render_set(out, [40], n_melodies=0, progress=False)


def test_cli_render_soundfont(tmp_path, capsys):
  out = str(tmp_path / 'cli')
  assert cli.main(['render-soundfont', '--programs', 'flute',
                   '--output_dir', out, '--key_step', '36',
                   '--velocities', '90', '--melodies', '0']) == 0
  assert 'Wrote 2 WAVs' in capsys.readouterr().out  # Keys 60 and 96.
  assert cli.main(['render-soundfont', '--programs', 'kazoo',
                   '--output_dir', out]) == 2
  assert "Unknown GM program 'kazoo'" in capsys.readouterr().err


def test_a_note_file_name_gives_its_program_key_and_velocity(rendered):
  """parse_note_stem against the ground truth the render stored with each
  file (melodies are not notes)."""
  out, manifest = rendered
  parsed = 0
  for skipped in manifest['skipped']:  # Silent renders, named all the same.
    assert soundfont_set.parse_note_stem(skipped['file']) is not None
  for name in manifest['files']:
    truth = soundfont_set.load_ground_truth(os.path.join(out, name))
    note = soundfont_set.parse_note_stem(name)
    if 'melody_' in name:
      assert note is None
      continue
    assert note == (truth['program'], truth['midi_pitch'], truth['velocity'])
    parsed += 1
  keys = sum(len(range(soundfont_set.instrument(p)[1],
                       soundfont_set.instrument(p)[2] + 1, 15))
             for p in (40, 65))
  # Every key 15 apart, at 2 velocities, written or skipped as silent.
  assert parsed + len(manifest['skipped']) == 2 * keys

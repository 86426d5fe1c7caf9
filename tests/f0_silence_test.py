# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""features.compute_f0 skips CREPE on silence: the network sees the same
input on every sounding frame, skipped frames get confidence 0 and the
neighbouring pitch, and pitch near silences gets better, not worse."""

import numpy as np
import pytest

from interpret_ddsp.analysis import features
from interpret_ddsp import compat
from interpret_ddsp.score import soundfont
from interpret_ddsp.support import signals

RATE = 100  # CREPE frames per second.
LEAD_SECS = 0.3
# (GM program, MIDI key): violin G4, flute C5, clarinet C4.
NOTES = [(40, 67), (73, 72), (71, 60)]
HELD_SECS, RELEASE_SECS, GAP_SECS = 0.8, 0.3, 0.4


@pytest.fixture(scope='module')
def notes_with_gaps():
  """Silence, then notes (held + release) each followed by digital silence;
  the true pitch per CREPE frame (0 outside held parts)."""
  lead = np.zeros(int(LEAD_SECS * 16000), np.float32)
  parts, truth = [lead], [np.zeros(int(LEAD_SECS * RATE))]
  for program, key in NOTES:
    note = soundfont.render_note(program, key, velocity=100,
                                 held_secs=HELD_SECS,
                                 release_secs=RELEASE_SECS)
    parts += [note, np.zeros(int(GAP_SECS * 16000), np.float32)]
    held = int(HELD_SECS * RATE)
    truth += [np.full(held, signals.midi_to_hz(key)),
              np.zeros(len(note) // 160 - held + int(GAP_SECS * RATE))]
  return np.concatenate(parts), np.concatenate(truth)


def _kept(segments, n):
  kept = np.zeros(n, bool)
  for a, b in segments:
    kept[a:b] = True
  return kept


def test_segments_leave_out_silent_windows_only(notes_with_gaps):
  audio, truth = notes_with_gaps
  n = len(truth)
  segments = features.sounding_segments(audio, RATE, n)
  assert len(segments) == len(NOTES)
  # Frame i sees samples [160 i - 512, 160 i + 512): the first frame whose
  # window reaches the first note (at sample 4800) is frame 27.
  assert segments[0][0] == 27
  kept = _kept(segments, n)
  peaks = features.crepe_window_peaks(audio, RATE, n)
  assert np.all(peaks[~kept] < 1e-4)  # -80 dBFS.
  assert np.all(kept[truth > 0])  # Every held frame is analysed.
  assert 0.25 < 1 - kept.mean() < 0.5  # Work saved on this signal.


def test_sounding_frames_get_the_same_network_output(notes_with_gaps):
  audio, truth = notes_with_gaps
  n = len(truth)
  kept = _kept(features.sounding_segments(audio, RATE, n), n)
  f0, confidence = features.compute_f0(audio, RATE, RATE, viterbi=False)
  f0_all, confidence_all = features.compute_f0(audio, RATE, RATE,
                                               viterbi=False, silence_db=None)
  # Without Viterbi each frame's f0 is its own: identical where analysed.
  np.testing.assert_allclose(f0[kept], f0_all[kept], rtol=1e-5)
  np.testing.assert_allclose(confidence[kept], confidence_all[kept],
                             atol=1e-5)
  assert np.all(confidence[~kept] == 0)
  # Skipped frames hold the previous analysed frame's pitch (the first
  # analysed one before the first note).
  last = np.maximum.accumulate(np.where(kept, np.arange(n), -1))
  last[last < 0] = np.argmax(kept)
  np.testing.assert_array_equal(f0[~kept], f0[last][~kept])


def test_viterbi_is_unchanged_away_from_silence_and_better_near_it(
    notes_with_gaps):
  audio, truth = notes_with_gaps
  n = len(truth)
  kept = _kept(features.sounding_segments(audio, RATE, n), n)
  f0, _ = features.compute_f0(audio, RATE, RATE)
  f0_all, confidence_all = features.compute_f0(audio, RATE, RATE,
                                               silence_db=None)
  # Viterbi moves at most 11 of CREPE's 360 bins a frame, so whatever pulls
  # it at a silence reaches at most 33 frames: further away the decoded
  # path is the same.
  distance = np.full(n, n)
  for i in np.flatnonzero(~kept):
    distance = np.minimum(distance, np.abs(np.arange(n) - i))
  far = distance > 33
  assert far.sum() > 100
  np.testing.assert_allclose(f0[far], f0_all[far], rtol=1e-5)
  # Near silence, whole-signal Viterbi is dragged towards CREPE's constant
  # output on digital silence; decoding each sounding stretch alone is not.
  voiced = (truth > 0) & (confidence_all > 0.5)
  error = np.abs(signals.cents(f0[voiced], truth[voiced]))
  error_all = np.abs(signals.cents(f0_all[voiced], truth[voiced]))
  assert np.mean(error < 50) >= np.mean(error_all < 50)
  assert np.mean(error < 50) > 0.95
  assert np.median(error) < 20


def test_no_silence_is_the_plain_ddsp_call():
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  audio, _ = signals.harmonic_tone(247.0, 1.0, 16000, vibrato_hz=5.0,
                                   vibrato_cents=40.0)
  f0, confidence = features.compute_f0(audio, RATE, RATE)
  assert features.sounding_segments(audio, RATE, RATE) == [(0, RATE)]
  with compat.crepe_capacity('tiny'):
    f0_ddsp, confidence_ddsp = spectral_ops.compute_f0(
        audio, RATE, viterbi=True, padding='center')
  np.testing.assert_array_equal(f0, f0_ddsp[:RATE])
  np.testing.assert_array_equal(confidence, confidence_ddsp[:RATE])


def test_short_gaps_and_quiet_sound_are_analysed():
  tone, _ = signals.harmonic_tone(330.0, 0.5, 16000)
  quiet = 2e-4 * tone / np.abs(tone).max()  # -74 dBFS: above the floor.
  gap = np.zeros(800, np.float32)  # 50 ms: shorter than MIN_SILENCE_SECS.
  audio = np.concatenate([tone, gap, tone, quiet])
  n = len(audio) // 160
  assert features.sounding_segments(audio, RATE, n) == [(0, n)]


def test_all_silent_runs_no_network_and_gives_zeros(monkeypatch):
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  def fail(*args, **kwargs):
    raise AssertionError('CREPE ran on silence')
  monkeypatch.setattr(spectral_ops, 'compute_f0', fail)
  audio = np.full(16000, 5e-5, np.float32)  # -86 dBFS.
  f0, confidence = features.compute_f0(audio, 250, RATE)
  assert f0.shape == confidence.shape == (250,)
  assert not f0.any() and not confidence.any()


def test_feature_rate_output_holds_pitch_across_gaps(notes_with_gaps):
  audio, truth = notes_with_gaps
  f0, confidence = features.compute_f0(audio, 250, RATE)
  assert f0.shape == confidence.shape == (len(audio) // 64,)
  assert np.all(f0 > 0) and np.all(np.isfinite(f0))
  assert np.all((confidence >= 0) & (confidence <= 1))
  # Mid-gap after the first note: confidence 0, pitch still near the note.
  gap = int((LEAD_SECS + HELD_SECS + RELEASE_SECS + GAP_SECS / 2) * 250)
  assert confidence[gap] == 0
  assert abs(signals.cents(f0[gap], signals.midi_to_hz(NOTES[0][1]))) < 100

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""ddsp.spectral_ops.compute_f0 works offline with CREPE tiny and full, and
lands within 20 cents of the true pitch on a known tone and on real sampled
instruments (rendered from the TimGM6mb soundfont in the pretty_midi wheel)."""

import librosa
import numpy as np
import pytest

from interpret_ddsp import compat
from interpret_ddsp.score import soundfont
from interpret_ddsp.support import signals

FRAME_RATE = 100
CAPACITIES = ('tiny', 'full')


def compute_f0(audio, capacity):
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  with compat.crepe_capacity(capacity):
    return spectral_ops.compute_f0(audio, FRAME_RATE, viterbi=True)


@pytest.mark.parametrize('capacity', CAPACITIES)
def test_vibrato_tone_is_tracked_within_20_cents(capacity):
  audio, f0_curve = signals.harmonic_tone(
      247.0, 2.0, 16000, vibrato_hz=5.0, vibrato_cents=60.0)
  f0, confidence = compute_f0(audio, capacity)
  truth = signals.frame_values(f0_curve, FRAME_RATE, 16000, len(f0))
  error = np.abs(signals.cents(f0, truth))[5:-5]
  assert np.median(error) < 20
  assert np.mean(error < 20) > 0.9
  # And it follows the vibrato: a constant 247 Hz would be up to 60 cents off.
  assert np.mean(np.abs(signals.cents(f0, 247.0))[5:-5]) > 20
  assert np.median(confidence[5:-5]) > 0.5


# (GM program, MIDI key): violin, flute, clarinet, trumpet, cello, guitar.
NOTES = [(40, 69), (73, 72), (71, 60), (56, 62), (42, 48), (24, 57)]


@pytest.fixture(scope='module')
def rendered_notes():
  return {note: soundfont.render_note(*note, velocity=100, held_secs=1.0,
                                      release_secs=0.0) for note in NOTES}


@pytest.mark.parametrize('capacity', CAPACITIES)
def test_soundfont_notes_are_within_20_cents_of_their_midi_pitch(
    rendered_notes, capacity):
  for (program, key), audio in rendered_notes.items():
    assert np.sqrt(np.mean(audio ** 2)) > 0.01, f'program {program} silent'
    f0, confidence = compute_f0(audio, capacity)
    steady = slice(10, -5)  # Skip the attack.
    voiced = confidence[steady] > 0.5
    assert voiced.mean() > 0.6, (program, key, capacity)
    error = signals.cents(f0[steady][voiced], signals.midi_to_hz(key))
    assert abs(np.median(error)) < 20, (program, key, capacity,
                                        np.median(error))


def test_midi_to_hz():
  np.testing.assert_allclose(signals.midi_to_hz([57, 69, 81]),
                             [220.0, 440.0, 880.0])
  assert signals.cents(880.0, 440.0) == pytest.approx(1200.0)


def test_hz_to_midi_matches_librosa_and_inverts_midi_to_hz():
  f0 = np.array([27.5, 98.0, 261.63, 440.0, 1975.5, 4186.0])
  np.testing.assert_allclose(signals.hz_to_midi(f0), librosa.hz_to_midi(f0),
                             atol=1e-9)
  pitch = np.array([21.0, 43.5, 69.0, 108.0])
  np.testing.assert_allclose(signals.hz_to_midi(signals.midi_to_hz(pitch)),
                             pitch, atol=1e-9)
  # Unvoiced frames (0 Hz) stay finite, far below any played pitch.
  assert np.isfinite(signals.hz_to_midi(0.0)) and signals.hz_to_midi(0.0) < -30


def test_compute_f0_near_finds_the_sought_one_of_two_tones():
  """A louder E6 (1175 Hz) under a G6 (1568 Hz) at half its level: CREPE
  answers E6; sought near G6 it answers G6, near E6 it answers E6, and a
  frame with no reference gets 0 Hz."""
  from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
  loud, _ = signals.harmonic_tone(1175.0, 1.0, n_harmonics=3, amplitude=0.3)
  soft, _ = signals.harmonic_tone(1568.0, 1.0, n_harmonics=2, amplitude=0.15)
  audio = loud + soft
  inside = slice(25, -25)
  plain, _ = features.compute_f0(audio, 250, crepe_model='tiny')
  assert np.median(np.abs(signals.cents(plain[inside], 1175.0))) < 20
  for sought in (1568.0, 1175.0):
    reference = np.full(250, sought)
    reference[:10] = 0.0
    f0, confidence = features.compute_f0_near(audio, 250, reference,
                                              crepe_model='tiny')
    assert np.median(np.abs(signals.cents(f0[inside], sought))) < 20
    np.testing.assert_array_equal(f0[:8], 0.0)
    np.testing.assert_array_equal(confidence[:8], 0.0)


def test_compute_f0_near_measures_a_vibrato_inside_its_window():
  """A G6 with a 0, 20 or 40-cent vibrato at 5.5 Hz, sought at its score
  pitch: the measured extent grows with the played one and a steady note
  reads none (the window is +-300 cents, so the reference does not
  flatten a vibrato). CREPE's 64 ms frames average a 5.5 Hz swing, so
  the extent reads low: sinc(5.5 Hz x 64 ms) = 0.81 of it at most."""
  from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import expression  # pylint: disable=g-import-not-at-top
  extents = []
  for cents in (0.0, 20.0, 40.0):
    audio, _ = signals.harmonic_tone(1568.0, 1.0, n_harmonics=5,
                                     vibrato_hz=5.5, vibrato_cents=cents)
    f0, _ = features.compute_f0_near(audio, 250, np.full(250, 1568.0),
                                     crepe_model='tiny')
    rate, extent = expression.vibrato(signals.cents(f0[25:-25], 1568.0), 250)
    extents.append(extent)
    if cents:
      assert rate == pytest.approx(5.5, abs=0.3)
  assert extents[0] < 3.0
  assert 0.5 * 20.0 < extents[1] < extents[2] < 0.85 * 40.0
  assert extents[2] > 0.5 * 40.0

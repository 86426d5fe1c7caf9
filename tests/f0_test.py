# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""ddsp.spectral_ops.compute_f0 works offline with CREPE tiny and full, and
lands within 20 cents of the true pitch on a known tone and on real sampled
instruments (rendered from the TimGM6mb soundfont in the pretty_midi wheel)."""

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
    error = signals.cents(f0[steady][voiced], soundfont.midi_to_hz(key))
    assert abs(np.median(error)) < 20, (program, key, capacity,
                                        np.median(error))


def test_midi_to_hz():
  np.testing.assert_allclose(soundfont.midi_to_hz([57, 69, 81]),
                             [220.0, 440.0, 880.0])
  assert signals.cents(880.0, 440.0) == pytest.approx(1200.0)

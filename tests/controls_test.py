# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Tests for interpret_ddsp.score.controls: notes -> f0/loudness curves, moods."""

import json

import numpy as np
import pretty_midi
import pytest

from interpret_ddsp.analysis import knobs
from interpret_ddsp.score import controls
from interpret_ddsp.score import voices
from interpret_ddsp.support import signals

FR = 250
QUIET = dict(vibrato_depth_cents=0.0, glide_secs=0.0)


def at(c, secs):
  """Index of the frame at `secs` (a frame time, or at most 1/2 frame on)."""
  return int(round(secs * c.frame_rate))


# --- parse_notes ------------------------------------------------------------
def test_parse_notes_pitches_times_and_velocities():
  notes = controls.parse_notes(
      'A4:1.0, C4:0.5,r:0.25,Bb3:2:90,C#5:0.5,Db5:0.5 E#4:1,Cb4:1,rest:1,'
      'c-1:0.5,G9:0.5,61.5:0.5')
  assert [n.pitch for n in notes] == [69, 60, 58, 73, 73, 65, 59, 0, 127,
                                      61.5]
  starts = [0.0, 1.0, 1.75, 3.75, 4.25, 4.75, 5.75, 7.75, 8.25, 8.75]
  assert [n.start_secs for n in notes] == pytest.approx(starts)
  assert notes[2].end_secs == pytest.approx(3.75)
  assert [n.velocity for n in notes[:4]] == [100, 100, 90, 100]


@pytest.mark.parametrize('text', [
    'H4:1', 'C4', 'C4:abc', 'C4:-1', 'C4:0', 'C4:1:0', 'C4:1:128', 'C4:1:1.5',
    'C4:1:2:3', 'r:1', '', 'r:1:80', 'G9#:1', 'G#9:1', 'C4:inf', '130:1'])
def test_parse_notes_rejects_bad_tokens(text):
  with pytest.raises(ValueError):
    controls.parse_notes(text)


def test_parse_notes_error_names_the_token():
  with pytest.raises(ValueError, match=r"Note 2 'X4:1'.*C4:0\.5"):
    controls.parse_notes('C4:1,X4:1')


# --- render_controls: pitch -------------------------------------------------
def test_a4_is_440_hz():
  c = controls.render_controls(controls.parse_notes('A4:1'),
                               controls.get_profile('plain', **QUIET), FR)
  assert c.frame_rate == FR and c.n_frames == 1.5 * FR  # 0.5 s tail.
  assert c.secs == pytest.approx(1.5)
  cents = signals.cents(c.f0_hz, 440.0)
  assert np.abs(cents).max() < 0.1


def test_vibrato_depth_and_rate():
  profile = controls.get_profile('plain', vibrato_rate_hz=5.5,
                                 vibrato_depth_cents=30.0,
                                 vibrato_delay_secs=0.2)
  c = controls.render_controls(controls.parse_notes('A4:3'), profile, FR)
  cents = signals.cents(c.f0_hz, 440.0)
  assert np.abs(cents[:at(c, 0.2)]).max() < 0.1  # Delay: none yet.
  body = cents[at(c, 0.3):at(c, 2.9)]
  assert np.abs(body).max() == pytest.approx(30.0, abs=0.3)
  # Rate from the zero crossings (linearly interpolated).
  t = np.arange(len(cents)) / FR
  i = np.where(np.diff(body >= 0))[0]  # An exact 0 counts once.
  tb = t[at(c, 0.3):at(c, 2.9)]
  crossings = tb[i] - body[i] * (tb[i + 1] - tb[i]) / (body[i + 1] - body[i])
  rate = (len(crossings) - 1) / 2 / (crossings[-1] - crossings[0])
  assert rate == pytest.approx(5.5, rel=1e-3)
  # Spectrum of the cents curve peaks at the rate too.
  spectrum = np.abs(np.fft.rfft(body, 16 * len(body)))
  freqs = np.fft.rfftfreq(16 * len(body), 1 / FR)
  assert freqs[np.argmax(spectrum)] == pytest.approx(5.5, abs=0.05)


def test_glide_duration_and_midpoint():
  profile = controls.get_profile('plain', glide_secs=0.2)
  c = controls.render_controls(controls.parse_notes('C4:1,E4:1'), profile, FR)
  midi = 69 + signals.cents(c.f0_hz, 440.0) / 100
  assert np.abs(midi[:at(c, 1.0)] - 60).max() < 1e-3
  assert midi[at(c, 1.1)] == pytest.approx(62.0, abs=1e-3)  # Cents-linear.
  assert np.abs(midi[at(c, 1.2):] - 64).max() < 1e-3
  gliding = (midi > 60.001) & (midi < 63.999)
  assert gliding.sum() / FR == pytest.approx(0.2, abs=1.5 / FR)
  assert np.all(np.diff(midi[at(c, 1.0):at(c, 1.2) + 1]) > 0)


def test_no_glide_after_a_rest_and_f0_held_through_rests():
  profile = controls.get_profile('plain', glide_secs=0.2, release_secs=0.1)
  c = controls.render_controls(controls.parse_notes('A4:0.5,r:1,A5:0.5'),
                               profile, FR)
  rest = slice(at(c, 0.6 + 0.01), at(c, 1.5))  # After the 0.1 s release.
  assert np.all(c.loudness_db[rest] == controls.SILENCE_DB)
  assert np.all(c.f0_hz[at(c, 0.5):at(c, 1.5)] == np.float32(440.0))
  assert np.all(c.f0_hz[at(c, 1.5):at(c, 2.0)] == np.float32(880.0))
  assert np.all(c.f0_hz[at(c, 2.0):] == np.float32(880.0))  # Tail held too.


def test_silence_db_is_ddsp_loudness_floor():
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  assert controls.SILENCE_DB == -spectral_ops.DB_RANGE


# --- render_controls: loudness ----------------------------------------------
def test_adsr_levels_at_known_times():
  profile = controls.Profile(attack_secs=0.1, decay_secs=0.2, sustain_db=-6.0,
                             release_secs=0.3)
  c = controls.render_controls(controls.parse_notes('A4:1:127'), profile, FR)
  expected = {0.0: -80.0, 0.06: -41.0, 0.1: -15.0, 0.2: -18.0, 0.3: -21.0,
              0.6: -21.0, 0.99: -21.0, 1.0: -21.0, 1.12: -44.6, 1.3: -80.0,
              1.4: -80.0}
  for secs, db in expected.items():
    assert c.loudness_db[at(c, secs)] == pytest.approx(db, abs=1e-3), secs


def test_release_during_attack_starts_from_reached_level():
  profile = controls.Profile(attack_secs=0.4, decay_secs=0.0, sustain_db=0.0,
                             release_secs=0.2)
  c = controls.render_controls(controls.parse_notes('A4:0.2:127'), profile, FR)
  # Attack reached -80 + 65 * 0.5 = -47.5 at note-off, then falls to -80.
  assert c.loudness_db[at(c, 0.2)] == pytest.approx(-47.5, abs=1e-3)
  assert c.loudness_db[at(c, 0.3)] == pytest.approx(-63.75, abs=1e-3)
  assert c.loudness_db.max() <= -47.5 + 1e-3


def test_legato_note_starts_from_previous_level():
  profile = controls.Profile(attack_secs=0.1, decay_secs=0.0, sustain_db=-6.0,
                             release_secs=0.3)
  c = controls.render_controls(controls.parse_notes('A4:1:127,B4:1:127'),
                               profile, FR)
  # No dip to the floor: the second attack goes -21 -> -15.
  assert c.loudness_db[at(c, 1.0)] == pytest.approx(-21.0, abs=1e-3)
  assert c.loudness_db[at(c, 1.04)] == pytest.approx(-18.6, abs=1e-3)
  assert c.loudness_db[at(c, 0.5):at(c, 2.0)].min() >= -21.0 - 1e-3


@pytest.mark.parametrize('velocity,db', [(1, -45.0), (64, -30.0),
                                         (127, -15.0), (32, -37.619)])
def test_velocity_to_peak_db(velocity, db):
  assert controls.peak_db(velocity) == pytest.approx(db, abs=1e-3)
  profile = controls.Profile(attack_secs=0.0, sustain_db=0.0, **QUIET)
  c = controls.render_controls(
      [controls.Note(69, 0.0, 1.0, velocity)], profile, FR)
  assert c.loudness_db[at(c, 0.5)] == pytest.approx(db, abs=1e-3)


def test_staccato_gate_shortens_sound_not_pitch():
  c = controls.render_controls(controls.parse_notes('A4:1,A5:1'), 'staccato',
                               FR)
  # gate 0.5, release 0.04 s: silent from 0.54 s until the next note.
  assert np.all(c.loudness_db[at(c, 0.55):at(c, 1.0)] == controls.SILENCE_DB)
  assert np.all(c.f0_hz[:at(c, 1.0)] == np.float32(440.0))


# --- MIDI -------------------------------------------------------------------
def write_midi(path, voices, drums=()):
  """voices: list of [(pitch, start, end, velocity)] per instrument."""
  midi = pretty_midi.PrettyMIDI(initial_tempo=120)
  if drums:
    drum = pretty_midi.Instrument(0, is_drum=True)
    drum.notes = [pretty_midi.Note(100, p, s, e) for p, s, e in drums]
    midi.instruments.append(drum)
  for program, notes in voices:
    inst = pretty_midi.Instrument(program)
    inst.notes = [pretty_midi.Note(v, p, s, e) for p, s, e, v in notes]
    midi.instruments.append(inst)
  midi.write(str(path))
  return str(path)


MELODY = [(60, 0.0, 0.5, 80), (62, 0.5, 1.0, 90), (64, 1.25, 2.0, 100),
          (67, 2.0, 3.0, 110)]


def test_midi_round_trip(tmp_path):
  path = write_midi(tmp_path / 'm.mid', [(40, MELODY)],
                    drums=[(36, 0.0, 0.1)])
  notes = controls.notes_from_midi(path)
  got = [(n.pitch, n.start_secs, n.end_secs, n.velocity) for n in notes]
  assert len(got) == len(MELODY)
  for g, m in zip(got, MELODY):
    assert g[0] == m[0] and g[3] == m[3]
    assert g[1:3] == pytest.approx(m[1:3], abs=2e-3)  # Tick rounding.


def test_midi_polyphony_keeps_every_note_and_one_voice_is_the_top(tmp_path):
  chord_then_line = [
      (60, 0.0, 1.0, 70), (64, 0.0, 1.0, 70), (67, 0.0, 1.0, 100),  # Chord.
      (71, 1.0, 2.0, 90),  # Melody.
      (62, 0.5, 1.5, 60),  # Always under a higher note: dropped.
      (57, 1.5, 3.0, 50),  # Under B4 until 2.0, then the top voice.
      (48, 0.0, 4.0, 40),  # A held bass: shows in the gap at 3..4 only.
  ]
  path = write_midi(tmp_path / 'poly.mid', [(0, chord_then_line)])
  notes = controls.notes_from_midi(path)
  assert sorted((n.pitch, round(n.start_secs, 2), round(n.end_secs, 2),
                 n.velocity) for n in notes) == sorted(chord_then_line)
  # --max_voices 1: the monophonic rule, the highest sounding note.
  (top,) = voices.allocate(notes, max_voices=1).voices
  got = [(n.pitch, round(n.start_secs, 2), round(n.end_secs, 2), n.velocity)
         for n in top]
  assert got == [(67, 0.0, 1.0, 100), (71, 1.0, 2.0, 90), (57, 2.0, 3.0, 50),
                 (48, 3.0, 4.0, 40)]


def test_top_voice_drops_resumed_and_tiny_fragments():
  notes = [controls.Note(60, 0.0, 3.0), controls.Note(72, 1.0, 2.0),
           controls.Note(55, 0.0, 0.005), controls.Note(67, 3.0, 3.004)]
  top = controls.top_voice(notes)
  assert [(n.pitch, n.start_secs, n.end_secs) for n in top] == [
      (60, 0.0, 1.0), (72, 1.0, 2.0)]


def test_midi_instrument_selection(tmp_path):
  path = write_midi(tmp_path / 'two.mid', [(40, MELODY[:2]), (73, MELODY[2:])])
  first = controls.notes_from_midi(path)
  assert [n.pitch for n in first] == [60, 62]
  by_index = controls.notes_from_midi(path, instrument=1)
  by_program = controls.notes_from_midi(path, program=73)
  assert [n.pitch for n in by_index] == [n.pitch for n in by_program] == [64,
                                                                          67]
  with pytest.raises(ValueError, match='no instrument 5'):
    controls.notes_from_midi(path, instrument=5)


def test_midi_without_notes_raises(tmp_path):
  empty = write_midi(tmp_path / 'empty.mid', [(0, [])])
  with pytest.raises(ValueError, match='has no notes'):
    controls.notes_from_midi(empty)
  drums = write_midi(tmp_path / 'drums.mid', [], drums=[(36, 0.0, 0.5)])
  with pytest.raises(ValueError, match='only drum notes'):
    controls.notes_from_midi(drums)
  junk = tmp_path / 'junk.mid'
  junk.write_bytes(b'not midi')
  with pytest.raises(ValueError, match='not a readable MIDI'):
    controls.notes_from_midi(junk)


# --- Moods ------------------------------------------------------------------
def test_moods_load_and_use_known_knobs():
  known = set(knobs.KNOB_DESCRIPTORS)
  moods = controls.load_moods()
  assert {'warm', 'bright', 'dark', 'aggressive', 'calm', 'airy'} <= set(moods)
  for name, entry in moods.items():
    assert set(entry['knobs']) <= known, name
    assert entry['description'] and '\n' not in entry['description']
    values, profile = controls.mood(name)
    assert set(values) == known
    assert all(-2.0 <= v <= 2.0 for v in values.values()), name
    assert isinstance(profile, controls.Profile)


def test_mood_values():
  warm, warm_profile = controls.mood('Warm')
  bright, _ = controls.mood('bright')
  assert warm['brightness'] < 0 < bright['brightness']
  assert warm_profile.vibrato_depth_cents == 15.0
  assert warm_profile.attack_secs == 0.08
  assert warm_profile.release_secs == controls.PROFILES['vibrato'].release_secs
  _, aggressive = controls.mood('aggressive')
  assert aggressive.peak_db_range == (-30.0, -10.0)
  sad, _ = controls.mood('sad')
  assert sad['noisiness'] == 0.0  # Unset knobs stay at the average.


def test_unknown_mood_lists_known_ones():
  with pytest.raises(ValueError, match=r'Unknown mood.*aggressive.*warm'):
    controls.mood('grumpy')


@pytest.mark.parametrize('entry,match', [
    ({'description': 'x', 'knobs': {'loudness': 1.0}}, 'unknown knob'),
    ({'description': 'x', 'profile': 'nope'}, 'Unknown profile'),
    ({'description': 'x', 'overrides': {'vibrato': 3}}, 'Unknown profile fi'),
    ({'knobs': {}}, 'description'),
])
def test_bad_moods_file_raises(tmp_path, entry, match):
  path = tmp_path / 'moods.json'
  path.write_text(json.dumps({'moods': {'m': entry}}))
  with pytest.raises(ValueError, match=match):
    controls.load_moods(path)


# --- Chunking ---------------------------------------------------------------
def test_chunk_and_trim_round_trip():
  c = controls.render_controls(controls.parse_notes('C4:1,r:0.3,G4:2.3'),
                               'vibrato', FR, tail_secs=0.548)
  assert c.n_frames == 1037
  chunks = controls.chunk_controls(c, 250)
  assert len(chunks) == 5
  assert all(f.shape == l.shape == (250,) for f, l in chunks)
  f0 = np.concatenate([f for f, _ in chunks])
  loud = np.concatenate([l for _, l in chunks])
  np.testing.assert_array_equal(f0[:c.n_frames], c.f0_hz)
  np.testing.assert_array_equal(loud[:c.n_frames], c.loudness_db)
  assert np.all(loud[c.n_frames:] == controls.SILENCE_DB)
  assert np.all(f0[c.n_frames:] == c.f0_hz[-1])
  # A stand-in model: one window of n frames -> n * hop samples.
  hop = 16000 // FR
  audio = [np.repeat(l, hop) for _, l in chunks]
  trimmed = controls.trim_audio(audio, c, sample_rate=16000)
  np.testing.assert_array_equal(trimmed, np.repeat(c.loudness_db, hop))
  with pytest.raises(ValueError):
    controls.trim_audio(trimmed[:-1], c, 16000)


def test_f0_uses_midi_to_hz():
  c = controls.render_controls(controls.parse_notes('C4:0.2'), 'plain', FR)
  np.testing.assert_allclose(c.f0_hz, signals.midi_to_hz(60), rtol=1e-7)


def test_a_note_list_token_can_set_learned_expression_on_its_note():
  notes = controls.parse_notes(
      'C4:1@vibrato_extent_cents=40;brightness=-0.5, r:0.5 E4:0.5:90')
  assert notes[0].expression == {'vibrato_extent_cents': 40.0,
                                 'brightness': -0.5}
  assert notes[1].expression == {} and notes[1].velocity == 90
  assert notes[1].start_secs == 1.5
  for text, says in (('C4:1@vibrato', 'name=number'),
                     ('C4:1@brightness=loud', 'name=number'),
                     ('C4:1@', 'nothing after'),
                     ('r:1@brightness=1', 'rest takes no')):
    with pytest.raises(controls.ControlsError, match=says):
      controls.parse_notes(text)
  # A hand-written profile would ignore them: one sentence instead.
  with pytest.raises(controls.ControlsError, match='hand-written'):
    controls.render_controls(notes, 'plain')

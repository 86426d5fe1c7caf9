# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Voice allocation against known chord sequences, and a chord rendered by
the shipped model checked by pitch on the mix."""

import numpy as np
import pytest
import soundfile

from controls_test import write_midi
from interpret_ddsp.generation import generate
from interpret_ddsp.score import controls
from interpret_ddsp.support import signals
from interpret_ddsp.score import voices
from interpret_ddsp.training import shipped

N = controls.Note


def _pitches(alloc):
  return [[n.pitch for n in v] for v in alloc.voices]


def test_chord_progression_keeps_each_voice_in_its_register():
  # C-E-G, F-A-C, G-B-D: each voice moves by the least squared distance.
  chords = [(0.0, (60, 64, 67)), (1.0, (65, 69, 72)), (2.0, (67, 71, 74))]
  notes = [N(p, t, t + 1.0) for t, chord in chords for p in chord]
  alloc = voices.allocate(notes)
  assert _pitches(alloc) == [[60, 65, 67], [64, 69, 71], [67, 72, 74]]
  assert alloc.stolen == alloc.dropped == 0


def test_melody_over_a_held_bass_is_two_voices():
  bass = N(36, 0.0, 4.0)
  melody = [N(72, 0.0, 1.0), N(74, 1.0, 2.0), N(76, 2.0, 3.0), N(79, 3, 4)]
  alloc = voices.allocate([bass] + melody)
  assert _pitches(alloc) == [[36], [72, 74, 76, 79]]


def test_legato_overlap_within_tolerance_stays_in_one_voice():
  notes = [N(60, 0.0, 1.005), N(62, 1.0, 2.0)]
  (voice,) = voices.allocate(notes).voices
  assert [(n.pitch, n.start_secs, n.end_secs) for n in voice] == [
      (60, 0.0, 1.0), (62, 1.0, 2.0)]
  assert notes[0].end_secs == 1.005  # The input is not changed.


def test_more_notes_than_voices_steal_the_oldest():
  notes = [N(60, 0.0, 4.0), N(64, 1.0, 4.0), N(67, 2.0, 4.0),
           N(72, 3.0, 4.0)]
  alloc = voices.allocate(notes, max_voices=3)
  assert alloc.stolen == 1 and alloc.dropped == 0
  ends = {v[0].pitch: [(n.pitch, n.end_secs) for n in v]
          for v in alloc.voices}
  assert ends[60] == [(60, 3.0), (72, 4.0)]  # Cut where C5 starts.
  assert 'cut short' in alloc.message(3)


def test_a_chord_wider_than_the_voices_keeps_its_outer_notes():
  chord = [N(p, 0.0, 1.0) for p in (48, 60, 64, 67, 72)]
  alloc = voices.allocate(chord, max_voices=4)
  assert sorted(v[0].pitch for v in alloc.voices) == [48, 60, 67, 72]
  assert alloc.dropped == 1
  with pytest.raises(ValueError, match='at least 1'):
    voices.allocate(chord, max_voices=0)


def test_voices_render_to_one_length_and_sound_where_their_notes_are():
  alloc = voices.allocate([N(48, 0.0, 2.0), N(72, 0.5, 1.0)])
  low, high = voices.render(alloc.voices, frame_rate=250)
  assert low.n_frames == high.n_frames == int(2.5 * 250)
  t = np.arange(high.n_frames) / 250
  assert high.loudness_db[(t > 0.6) & (t < 0.9)].min() > -40
  assert high.loudness_db[t > 1.6].max() <= -70  # Released by then.
  np.testing.assert_allclose(high.f0_hz[(t > 0.6) & (t < 0.9)],
                             signals.midi_to_hz(72), rtol=1e-3)


def _peak_db(audio, sr, f_hz, cents=20.0):
  """Level of the strongest bin within +-cents of f_hz, dB re the
  spectrum's median."""
  spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
  freqs = np.fft.rfftfreq(len(audio), 1.0 / sr)
  band = np.abs(1200 * np.log2(np.maximum(freqs, 1.0) / f_hz)) <= cents
  return 20 * np.log10(spec[band].max() / np.median(spec[freqs < 4000]))


def test_a_midi_chord_renders_as_a_chord(tmp_path):
  """C-E-G then F-A-C from a MIDI file through `sample` on the shipped
  model: the mix has a peak at every played fundamental (no played note
  is a harmonic of another here) and none at pitches not played. The
  plain profile: learned expression's vibrato (up to 60 cents) spreads
  each partial over the neighbouring semitones this test reads."""
  chords = [(0.0, (60, 64, 67)), (1.2, (65, 69, 72))]
  path = write_midi(tmp_path / 'chords.mid', [(0, [
      (p, t, t + 1.0, 90) for t, chord in chords for p in chord])])
  out = tmp_path / 'out'
  result = generate.sample_sounds(None, None, str(out), n=1, midi=path,
                                  profile='plain', settings={'brightness': 0.0,
                                            'hollowness': 0.0,
                                            'noisiness': -1.0})
  assert result['controls']['n_voices'] == 3
  assert result['controls']['n_notes'] == 6
  audio, sr = soundfile.read(str(out / 'sample_00.wav'), dtype='float32')
  for t, chord in chords:
    held = audio[int((t + 0.3) * sr):int((t + 0.8) * sr)]
    played = [_peak_db(held, sr, signals.midi_to_hz(p)) for p in chord]
    others = [_peak_db(held, sr, signals.midi_to_hz(p))
              for p in range(chord[0] - 3, chord[-1] + 1) if p not in chord
              and p - 12 not in chord]
    assert min(played) > max(others) + 40, (t, played, others)
  # The monophonic rule keeps only the top note of each chord.
  mono = generate.sample_sounds(None, None, str(tmp_path / 'mono'), n=1,
                                midi=path, max_voices=1, profile='plain',
                                settings={'brightness': 0.0,
                                          'hollowness': 0.0,
                                          'noisiness': -1.0})
  assert mono['controls']['n_voices'] == 1
  audio, sr = soundfile.read(str(tmp_path / 'mono' / 'sample_00.wav'),
                             dtype='float32')
  held = audio[int(0.3 * sr):int(0.8 * sr)]
  assert _peak_db(held, sr, signals.midi_to_hz(60)) < _peak_db(
      held, sr, signals.midi_to_hz(67)) - 20


def _band_db(audio, sr, f_hz, cents):
  spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio)))) ** 2
  freqs = np.fft.rfftfreq(len(audio), 1.0 / sr)
  band = np.abs(1200 * np.log2(np.maximum(freqs, 1.0) / f_hz)) <= cents
  return 10 * np.log10(spec[band].sum() / np.median(spec[freqs < 4000]))


def test_a_midi_chord_renders_as_a_chord_with_learned_expression(tmp_path):
  """The same chords with the shipped model's learned expression (the
  default): three voices, each drawn its own expression, each near its
  pitch; in the mix every played fundamental's band (+-80 cents, vibrato
  included) stands over the empty pitches below the chord."""
  chords = [(0.0, (60, 64, 67)), (1.2, (65, 69, 72))]
  path = write_midi(tmp_path / 'chords.mid', [(0, [
      (p, t, t + 1.0, 90) for t, chord in chords for p in chord])])
  out = tmp_path / 'out'
  # The knobs at the data's mean: a prior draw's brightness plus a note's
  # learned offset (+0.6 std on the G4) can leave its fundamental too weak
  # for the band test below (its upper partials carry it).
  result = generate.sample_sounds(None, None, str(out), n=1, midi=path,
                                  settings={'brightness': 0.0,
                                            'hollowness': 0.0,
                                            'noisiness': -1.0})
  assert result['expression'].startswith(generate.LEARNED)
  assert result['controls']['n_voices'] == 3
  voice_controls, _ = generate.make_voices(
      midi=path, profile=generate.expression_player(
          None, shipped.model_dir(), seed=0)[0])
  t = np.arange(voice_controls[0].n_frames) / 250
  loud = []
  for v, c in enumerate(voice_controls):
    for on, chord in chords:
      held = (t > on + 0.2) & (t < on + 0.9)
      cents = 1200 * np.log2(np.median(c.f0_hz[held]) /
                             signals.midi_to_hz(chord[v]))
      assert abs(cents) < 30, (v, on, cents)  # A vibrato of ~60 cents.
    loud.append(c.loudness_db)
  assert np.abs(loud[0] - loud[1]).max() > 1.0  # Drawn apart.
  audio, sr = soundfile.read(str(out / 'sample_00.wav'), dtype='float32')
  for on, chord in chords:
    held = audio[int((on + 0.3) * sr):int((on + 0.8) * sr)]
    played = [_band_db(held, sr, signals.midi_to_hz(p), 80) for p in chord]
    empty = [_band_db(held, sr, signals.midi_to_hz(p), 80)
             for p in range(chord[0] - 8, chord[0] - 2)]
    # 20 dB: the shipped model of 2026-12-06 plays the second chord's A4
    # 24 dB over the median and its F4 42, C5 52, while no empty band
    # reaches -5 dB (the model before cleared 30 dB; a learned brightness
    # offset weakens a note's fundamental, not its partials).
    assert min(played) > max(empty) + 20, (on, played, empty)


class _RecordingModel:
  """Stands in for a timbre model: records the z it is asked to play."""
  knob_names = ('brightness', 'hollowness', 'noisiness')

  def __init__(self):
    self.z = []

  def synthesize(self, f0_hz, loudness_db, z):
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    self.z.append(np.asarray(z))
    return tf.zeros((len(f0_hz), 64 * np.shape(f0_hz)[-1]))


def test_knob_offsets_reach_z_frame_by_frame():
  """Each voice's per-frame offsets add to its sound's named dims (z's
  first ones, in knob order); the free dims and other knobs stay."""
  n_frames = 10
  flat = np.zeros(n_frames, np.float32)
  ramp = np.linspace(-1, 1, n_frames).astype(np.float32)
  c0 = controls.Controls(np.full(n_frames, 220.0), flat - 30,
                         knob_offsets={'brightness': ramp})
  c1 = controls.Controls(np.full(n_frames, 330.0), flat - 30,
                         knob_offsets={'noisiness': 2 * ramp})
  model = _RecordingModel()
  z = np.arange(2 * 5, dtype=np.float32).reshape(2, 5)  # 2 sounds, 5 dims.
  voices.synthesize(model, [c0, c1], z)
  got = np.concatenate(model.z)  # [sound * voice, n_frames, 5]
  assert got.shape == (4, n_frames, 5)
  for s in range(2):
    np.testing.assert_allclose(got[2 * s, :, 0], z[s, 0] + ramp)
    np.testing.assert_allclose(got[2 * s, :, 1:], np.broadcast_to(
        z[s, 1:], (n_frames, 4)))
    np.testing.assert_allclose(got[2 * s + 1, :, 2], z[s, 2] + 2 * ramp)
    np.testing.assert_allclose(got[2 * s + 1, :, [0, 1, 3, 4]].T,
                               np.broadcast_to(z[s, [0, 1, 3, 4]],
                                               (n_frames, 4)))
  # Without offsets, one z per voice as before.
  model = _RecordingModel()
  voices.synthesize(model, [controls.Controls(c0.f0_hz, c0.loudness_db)], z)
  assert model.z[0].shape == (2, 5)
  # An offset for a knob the model lacks is one sentence.
  c2 = controls.Controls(c0.f0_hz, c0.loudness_db,
                         knob_offsets={'sharpness': ramp})
  with pytest.raises(controls.ControlsError, match='sharpness knob'):
    voices.synthesize(_RecordingModel(), [c2], z)

"""note_detection: notes found on curves with known notes (legato steps
under vibrato, rests, a re-struck pitch, CREPE-like confidence dips and
f0 noise), against the notes they were drawn from; the matching rule."""

import numpy as np

from interpret_ddsp.score import controls
from interpret_ddsp.score import note_detection as nd


def _truth():
  # Legato steps, a rest, a re-struck pitch after a short gap, a leap.
  return controls.parse_notes(
      'C4:0.5,D4:0.4,F4:0.8,r:0.3,F4:0.5,r:0.08,F4:0.5,C5:0.7,A4:0.6')


def test_notes_are_found_where_they_were_drawn():
  truth = _truth()
  c = controls.render_controls(truth, controls.get_profile(
      'vibrato', vibrato_depth_cents=40.0, glide_secs=0.03))
  rng = np.random.default_rng(0)
  f0 = c.f0_hz * 2 ** (rng.normal(0, 8, c.n_frames) / 1200)  # 8-cent noise.
  conf = np.full(c.n_frames, 0.9)
  conf[rng.choice(c.n_frames, 30, replace=False)] = 0.2  # Single-frame dips.
  found = nd.detect_notes(f0, c.loudness_db, 250, confidence=conf)
  m = nd.match(truth, found, onset_secs=0.03)
  assert m['recall'] == 1.0 and m['precision'] == 1.0, (
      [(n.pitch, n.start_secs) for n in found])
  # The gate opens 16 ms into a 50 ms attack from silence; a 30 ms glide
  # reaches the new pitch's side 20 ms in.
  assert max(m['onset_errors_secs']) <= 0.025
  # Each found note holds its pitch and ends near its note-off or the next
  # note-on.
  for t, f in zip(truth, found):
    assert abs(f.pitch - t.pitch) < 0.1
    assert f.end_secs >= t.start_secs + 0.5 * t.duration_secs


def test_a_legato_step_starts_where_crepes_confidence_falls():
  # A slow-bowed legato step (a sampled cello's): the new note sounds from
  # 1.0 s, under the old one's release, with no rise in loudness; CREPE's
  # estimate switches only at 1.06 s, but its confidence falls from 1.0 s
  # (two pitches at once) to 0.4 and recovers by 1.1 s.
  t = np.arange(500) / 250
  f0 = np.where(t < 1.06, 220.0, 261.63)
  loud = np.where(t < 0.02, -80.0, -20.0)
  conf = np.full(500, 0.9)
  fall = (t >= 1.0) & (t < 1.06)
  conf[fall] = 0.9 - 0.5 * (t[fall] - 1.0) / 0.06
  rise = (t >= 1.06) & (t < 1.1)
  conf[rise] = 0.4 + 0.5 * (t[rise] - 1.06) / 0.04
  found = nd.detect_notes(f0, loud, 250, confidence=conf)
  assert [round(n.pitch) for n in found] == [57, 60]
  assert abs(found[1].start_secs - 1.0) <= 0.012, found[1].start_secs
  # Without the confidence only the pitch tells, 60 ms late.
  late = nd.detect_notes(f0, loud, 250)
  assert late[1].start_secs - 1.0 >= 0.04, late[1].start_secs


def test_vibrato_and_tremolo_alone_start_no_notes():
  note = [controls.Note(57, 0.0, 3.0)]
  c = controls.render_controls(note, controls.get_profile(
      'vibrato', vibrato_depth_cents=60.0, vibrato_rate_hz=5.0))
  t = np.arange(c.n_frames) / 250
  held = (t > 0.2) & (t < 3.0)
  loud = c.loudness_db + np.where(held, 6 * np.sin(2 * np.pi * 6 * t), 0)
  found = nd.detect_notes(c.f0_hz, loud, 250)
  assert len(found) == 1 and round(found[0].pitch) == 57


def test_silence_and_empty_input_give_no_notes():
  assert nd.detect_notes(np.zeros(0), np.zeros(0)) == []
  assert nd.detect_notes(np.full(500, 440.0), np.full(500, -80.0)) == []


def test_match_is_one_to_one_and_checks_pitch():
  truth = [controls.Note(60, 0.0, 0.5), controls.Note(62, 0.5, 1.0)]
  found = [controls.Note(60.1, 0.01, 0.5), controls.Note(60.1, 0.02, 0.5),
           controls.Note(64, 0.5, 1.0)]
  m = nd.match(truth, found)
  assert (m['found'], m['recall'], m['precision']) == (1, 0.5, 1 / 3)

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Notes of a monophonic recording from its f0 and loudness curves.

For plain recordings, which come with no score: `detect_notes` finds where
notes start and end and what pitch each holds, from the per-frame f0 (CREPE)
and ddsp loudness that `prepare` computes anyway. A note starts where

  - the sound starts: the loudness rises over the gate (GATE_DB below the
    recording's loudest frame, and above FLOOR_DB), with hysteresis (when
    CREPE is unsure in the attack, back to where the gate opened, up to
    ONSET_BACK_SECS);
  - the pitch moves: the mean pitch over the next PITCH_WINDOW_SECS differs
    from the mean over the last by more than PITCH_STEP_SEMITONES (a mean
    over a 5 Hz vibrato's period, which averages the vibrato out), at the
    peak of that difference, moved back (up to ONSET_BACK_SECS) to where
    the loudness rises fastest (the new note's attack), if it rises by
    ATTACK_RISE_DB a frame; else, with CREPE's confidence, to where that
    fell CONFIDENCE_DROP under the old note's (a slow legato attack under
    the old note's release: two pitches sound at once, and CREPE grows
    unsure before its estimate switches, 50-80 ms after the note-on on
    FluidR3's cello);
  - the same pitch is struck again: the loudness rises by REATTACK_DB within
    REATTACK_SECS out of a dip REATTACK_DB below the last
    REATTACK_LOOKBACK_SECS (a sampled cello's tremolo reaches 12 dB).

Onsets closer than MIN_NOTE_SECS merge (the earlier kept); a note ends at
the next onset or where the sound stops, and holds the median pitch of its
frames (MIDI, float; unvoiced frames ignored). With CREPE's confidence,
frames under MIN_CONFIDENCE count as silent, except dips shorter than
GAP_SECS while the sound is loud.

Example:
  >>> from interpret_ddsp.score import controls
  >>> truth = controls.parse_notes('C4:0.5,E4:0.5,r:0.3,E4:0.6')
  >>> c = controls.render_controls(truth, 'legato')
  >>> [round(n.pitch) for n in detect_notes(c.f0_hz, c.loudness_db)]
  [60, 64, 64]
"""

import numpy as np

from interpret_ddsp.score import controls
from interpret_ddsp.support import signals

GATE_DB = 40.0
GATE_HYSTERESIS_DB = 6.0
FLOOR_DB = -70.0
PITCH_WINDOW_SECS = 0.2
PITCH_STEP_SEMITONES = 0.5
REATTACK_DB = 15.0
REATTACK_SECS = 0.04
REATTACK_LOOKBACK_SECS = 0.2
MIN_NOTE_SECS = 0.06
MIN_CONFIDENCE = 0.5
GAP_SECS = 0.08  # Confidence dips this short, while loud, are bridged.
ONSET_BACK_SECS = 0.08  # How far an onset moves back to its attack.
ATTACK_RISE_DB = 0.5  # Per frame: a rise that marks an attack.
CONFIDENCE_DROP = 0.05  # Under the old note's median confidence.


def _fill_gaps(mask, within, frames):
  """mask with its False runs shorter than `frames` set True where
  `within` holds throughout the run."""
  out = mask.copy()
  n, t = len(mask), 0
  while t < n:
    if mask[t]:
      t += 1
      continue
    end = t
    while end < n and not mask[end]:
      end += 1
    if 0 < t and end < n and end - t < frames and within[t:end].all():
      out[t:end] = True
    t = end
  return out


def _voiced(loudness_db, confidence=None, gap_frames=0):
  """bool [n]: sounding frames (gate with hysteresis, module doc); where
  the gate is open, confidence dips shorter than gap_frames are bridged."""
  top = float(np.max(loudness_db))
  on_level = max(top - GATE_DB, FLOOR_DB)
  off_level = on_level - GATE_HYSTERESIS_DB
  out = np.zeros(len(loudness_db), bool)
  state = False
  for i, level in enumerate(loudness_db):
    state = level > on_level if not state else level > off_level
    out[i] = state
  if confidence is not None:
    gated = out
    out = out & (np.asarray(confidence) >= MIN_CONFIDENCE)
    out = _fill_gaps(out, gated, gap_frames)
  return out


def _pitch_steps(midi, voiced, w):
  """Frames where the pitch moves by a note: peaks of |mean(next w) -
  mean(last w)| over PITCH_STEP_SEMITONES (voiced frames only)."""
  n = len(midi)
  x = np.where(voiced, midi, 0.0)
  c = np.concatenate([[0.0], np.cumsum(x)])
  k = np.concatenate([[0], np.cumsum(voiced.astype(np.int64))])
  d = np.zeros(n)
  for t in range(w, n - w + 1):
    n_prev, n_next = k[t] - k[t - w], k[t + w] - k[t]
    if n_prev < w // 2 or n_next < w // 2:
      continue
    d[t] = abs((c[t + w] - c[t]) / n_next - (c[t] - c[t - w]) / n_prev)
  steps = []
  for t in range(1, n - 1):
    if d[t] > PITCH_STEP_SEMITONES and d[t] >= d[t - 1] and d[t] > d[t + 1]:
      steps.append(t)
  return steps


def _reattacks(loudness_db, voiced, frames, lookback):
  """Frames where the loudness rises REATTACK_DB within `frames` frames out
  of a dip REATTACK_DB below the loudest of the `lookback` frames before
  (the rise's start): a note struck again, not a sample's tremolo."""
  out = []
  n = len(loudness_db)
  t = 1
  while t < n - frames:
    before = loudness_db[max(0, t - lookback):t]
    if (loudness_db[t + frames] - loudness_db[t] >= REATTACK_DB and
        before.max() - loudness_db[t] >= REATTACK_DB and
        loudness_db[t] <= loudness_db[t - 1] + 0.5 and voiced[t + frames]):
      out.append(t)
      t += frames
    else:
      t += 1
  return out


def _confidence_drop(confidence, t, back, w):
  """The frame, at most `back` before t, after which CREPE's confidence
  stays under the old note's (its median over the w frames before the
  search) by more than CONFIDENCE_DROP: where a second pitch starts to
  sound."""
  lo = max(0, t - back)
  before = confidence[max(0, lo - w):lo]
  if not len(before):
    return t
  level = float(np.median(before)) - CONFIDENCE_DROP
  k = t
  while k > lo and confidence[k - 1] < level:
    k -= 1
  return k


def detect_notes(f0_hz, loudness_db, frame_rate=controls.DEFAULT_FRAME_RATE,
                 confidence=None, velocity=100):
  """Notes of a monophonic line (module doc).

  Args:
    f0_hz: f0 per frame, Hz, [n] (0 or NaN where unknown).
    loudness_db: ddsp loudness per frame, dB, [n].
    frame_rate: Frames per second.
    confidence: CREPE's confidence per frame [n], or None.
    velocity: The notes' velocity (a recording has none).

  Returns:
    [`controls.Note`] in time order (pitch a float MIDI number).
  """
  f0 = np.nan_to_num(np.asarray(f0_hz, np.float64), nan=0.0)
  loud = np.asarray(loudness_db, np.float64)
  n = min(len(f0), len(loud))
  f0, loud = f0[:n], loud[:n]
  if not n:
    return []
  voiced = _voiced(loud, None if confidence is None
                   else np.asarray(confidence)[:n],
                   int(round(GAP_SECS * frame_rate))) & (f0 > 0)
  midi = signals.hz_to_midi(f0)
  frames = max(1, int(round(REATTACK_SECS * frame_rate)))
  lookback = max(1, int(round(REATTACK_LOOKBACK_SECS * frame_rate)))
  back = int(round(ONSET_BACK_SECS * frame_rate))
  gate = _voiced(loud)
  starts = []
  for t in range(n):
    if voiced[t] and (t == 0 or not voiced[t - 1]):
      # CREPE is unsure in an attack: start where the sound got loud.
      k = t
      while k > 0 and t - k < back and gate[k - 1]:
        k -= 1
      starts.append(k)
  w = max(2, int(round(PITCH_WINDOW_SECS * frame_rate)))
  steps = []
  for t in _pitch_steps(midi, voiced, w):
    # The new note's attack starts before its pitch wins: where the
    # loudness rises fastest just before (its attack), if it rises;
    # else, with CREPE's confidence, where that starts to fall.
    lo = max(1, t - back)
    rise = loud[lo:t + 1] - loud[lo - 1:t]
    k = lo + int(np.argmax(rise))
    if rise.max() >= ATTACK_RISE_DB:
      steps.append(k - 1)
    elif confidence is not None and CONFIDENCE_DROP:
      steps.append(_confidence_drop(np.asarray(confidence)[:n], t, back, w))
    else:
      steps.append(t)
  onsets = sorted(set(starts) | set(steps) |
                  set(_reattacks(loud, voiced, frames, lookback)))
  min_gap = MIN_NOTE_SECS * frame_rate
  # A candidate must start a stretch of sound (a re-attack found at the
  # dip, before the sound resumes, moves to where it does).
  sounding = voiced | gate
  moved = []
  for t in onsets:
    while t < n and not sounding[t]:
      t += 1
    if t < n and sounding[t:t + int(min_gap)].mean() > 0.8:
      moved.append(t)
  merged = []
  for t in sorted(set(moved)):
    if not merged or t - merged[-1] >= min_gap:
      merged.append(t)
  notes = []
  for i, on in enumerate(merged):
    stop = merged[i + 1] if i + 1 < len(merged) else n
    off = on
    while off < stop and sounding[off]:
      off += 1
    if off - on < min_gap or not voiced[on:off].any():
      continue
    pitch = float(np.median(midi[on:off][voiced[on:off]]))
    if not 0 <= pitch <= 127:
      continue
    notes.append(controls.Note(pitch, on / frame_rate, off / frame_rate,
                               velocity))
  return notes


def match(truth, detected, onset_secs=0.05, pitch_semitones=0.5):
  """How many true notes a detection found: one-to-one, onset within
  onset_secs and pitch within pitch_semitones (mir_eval's rule without
  offsets), greedily by onset distance.

  Returns:
    {'found', 'n_truth', 'n_detected', 'recall', 'precision',
     'onset_errors_secs' [found]}.
  """
  pairs = []
  for i, a in enumerate(truth):
    for j, b in enumerate(detected):
      dt = abs(a.start_secs - b.start_secs)
      if dt <= onset_secs and abs(a.pitch - b.pitch) <= pitch_semitones:
        pairs.append((dt, i, j))
  used_t, used_d, errors = set(), set(), []
  for dt, i, j in sorted(pairs):
    if i in used_t or j in used_d:
      continue
    used_t.add(i)
    used_d.add(j)
    errors.append(dt)
  found = len(used_t)
  return {'found': found, 'n_truth': len(truth), 'n_detected': len(detected),
          'recall': found / max(len(truth), 1),
          'precision': found / max(len(detected), 1),
          'onset_errors_secs': errors}

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Note-level expression: how each note of a performance is played.

From per-frame f0 and loudness (and, when given, the knob descriptors) and
the notes' times, `note_expression` measures per note what MIDI-DDSP (Wu
et al., ICLR 2022) calls the expression controls, plus the envelope and
pitch-entry times a musician shapes:

  volume_db               mean loudness over the held part (onset to
                          note-off), ddsp dB
  volume_fluctuation_db   std of loudness over the held part after the
                          attack
  volume_peak_position    where the loudness peaks, as a fraction of the
                          held part (0 at the onset, 1 at the note-off)
  vibrato_rate_hz         frequency of the strongest pitch oscillation in
                          VIBRATO_BAND_HZ (NaN when the held part is shorter
                          than MIN_VIBRATO_SECS)
  vibrato_extent_cents    its amplitude (peak deviation, cents)
  attack_secs             onset to the first frame within ATTACK_DB of the
                          held part's peak
  release_secs            note-off until the loudness has fallen
                          RELEASE_DROP_DB below its level at the note-off
                          (NaN when the next note starts first)
  portamento_secs         onset until f0 first comes within
                          PORTAMENTO_CENTS of the note's pitch
  onset_secs, duration_secs, pitch, velocity   from the note
  brightness, attack_noise  (when per-frame values are given) mean
                          brightness over the held part, and mean noisiness
                          over the first ATTACK_NOISE_SECS, in the units
                          given (knob std units, or prepare's octaves and
                          dB)

Every value is a plain float (NaN where undefined), so a dataset's notes
store as one float array per name (`as_arrays`, an npz without pickles).

Example:
  >>> from interpret_ddsp.score import controls
  >>> notes = [controls.Note(69, 0.0, 1.5, 100)]
  >>> c = controls.render_controls(notes, controls.get_profile(
  ...     'plain', vibrato_rate_hz=5.5, vibrato_depth_cents=30.0,
  ...     vibrato_delay_secs=0.0))
  >>> e = note_expression(c.f0_hz, c.loudness_db, notes)[0]
  >>> round(e['vibrato_rate_hz'], 1), round(e['vibrato_extent_cents'])
  (5.5, 30)
"""

import math

import numpy as np

# The names of `note_expression`'s values, in order.
NAMES = ('volume_db', 'volume_fluctuation_db', 'volume_peak_position',
         'vibrato_rate_hz', 'vibrato_extent_cents', 'attack_secs',
         'release_secs', 'portamento_secs', 'onset_secs', 'duration_secs',
         'pitch', 'velocity', 'brightness', 'attack_noise')
VIBRATO_BAND_HZ = (3.0, 9.0)  # Where vibrato lives (violin, voice, flute).
MIN_VIBRATO_SECS = 0.35  # About two periods at the band's low end.
ATTACK_DB = 1.0
RELEASE_DROP_DB = 30.0
MAX_RELEASE_SECS = 2.0
PORTAMENTO_CENTS = 20.0
ATTACK_NOISE_SECS = 0.1


def _cents(f0_hz, pitch):
  midi = 69.0 + 12.0 * np.log2(np.maximum(np.asarray(f0_hz, np.float64),
                                          1e-3) / 440.0)
  return 100.0 * (midi - pitch)


def vibrato(cents, frame_rate, band_hz=VIBRATO_BAND_HZ):
  """(rate Hz, extent cents) of the strongest oscillation of a pitch curve.

  The curve's linear trend is removed; a Hann-windowed, zero-padded FFT
  finds the strongest peak in band_hz (refined by a parabola through the
  log magnitudes), and its amplitude, corrected for the window's gain, is
  the sinusoid's peak deviation.

  Args:
    cents: Pitch deviation per frame, cents, [n_frames].
    frame_rate: Frames per second.
    band_hz: (low, high) Hz searched.

  Returns:
    (rate_hz, extent_cents); (NaN, NaN) for fewer than 8 frames.
  """
  x = np.asarray(cents, np.float64)
  n = len(x)
  if n < 8:
    return math.nan, math.nan
  t = np.arange(n)
  x = x - np.polyval(np.polyfit(t, x, 1), t)
  window = np.hanning(n)
  n_fft = max(4096, 1 << int(math.ceil(math.log2(8 * n))))
  spectrum = np.abs(np.fft.rfft(x * window, n_fft))
  freqs = np.fft.rfftfreq(n_fft, 1.0 / frame_rate)
  band = np.where((freqs >= band_hz[0]) & (freqs <= band_hz[1]))[0]
  k = band[np.argmax(spectrum[band])]
  offset = 0.0
  if 0 < k < len(spectrum) - 1:
    a, b, c = np.log(spectrum[k - 1:k + 2] + 1e-12)
    if a - 2 * b + c < 0:
      offset = 0.5 * (a - c) / (a - 2 * b + c)
  rate = (k + offset) * frame_rate / n_fft
  amplitude = 2.0 * spectrum[k] / window.sum()
  return float(rate), float(amplitude)


def note_expression(f0_hz, loudness_db, notes, frame_rate=250,
                    brightness=None, noisiness=None, weights=None):
  """Expression values of each note (module doc).

  Args:
    f0_hz: f0 per frame, Hz, [n_frames].
    loudness_db: ddsp loudness per frame, dB, [n_frames].
    notes: `controls.Note`s of a monophonic line (times in seconds).
    frame_rate: Frames per second of the curves.
    brightness, noisiness: Per-frame values (knob std units, or the
      descriptors' scaled units), or None.
    weights: Per-frame weights of those values in [0, 1] (e.g.
      `knobs.frame_weights`: frames whose window spans two notes weigh 0),
      or None (all 1). Brightness is their weighted mean over the held
      part; attack noise the mean over the first ATTACK_NOISE_SECS of the
      note's frames weighing over 1/2 (NaN when none does).

  Returns:
    One dict per note (in the notes' time order) with every name of NAMES.
  """
  f0_hz = np.asarray(f0_hz, np.float64)
  loudness_db = np.asarray(loudness_db, np.float64)
  n_frames = len(loudness_db)
  notes = sorted(notes, key=lambda n: n.start_secs)
  w_all = (np.ones(n_frames) if weights is None
           else np.asarray(weights, np.float64))
  frame = lambda secs: int(min(max(round(secs * frame_rate), 0), n_frames))
  rows = []
  for i, note in enumerate(notes):
    on, off = frame(note.start_secs), frame(note.end_secs)
    nxt = frame(notes[i + 1].start_secs) if i + 1 < len(notes) else n_frames
    off = max(min(off, nxt), on + 1)
    held = loudness_db[on:off]
    peak = int(np.argmax(held))
    attack = int(np.argmax(held >= held.max() - ATTACK_DB))
    settled = held[attack:] if off - on - attack > 1 else held
    cents = _cents(f0_hz[on:off], note.pitch)
    close = np.abs(cents) <= PORTAMENTO_CENTS
    entry = int(np.argmax(close)) if close.any() else off - on
    row = {
        'volume_db': float(held.mean()),
        'volume_fluctuation_db': float(settled.std()),
        'volume_peak_position': peak / max(off - on - 1, 1),
        'attack_secs': attack / frame_rate,
        'portamento_secs': entry / frame_rate,
        'onset_secs': float(note.start_secs),
        'duration_secs': float(note.duration_secs),
        'pitch': float(note.pitch), 'velocity': float(note.velocity),
    }
    steady = cents[entry:]
    if len(steady) >= MIN_VIBRATO_SECS * frame_rate:
      row['vibrato_rate_hz'], row['vibrato_extent_cents'] = vibrato(
          steady, frame_rate)
    else:
      row['vibrato_rate_hz'] = row['vibrato_extent_cents'] = math.nan
    after = loudness_db[off:min(nxt, off + int(MAX_RELEASE_SECS * frame_rate))]
    fallen = after <= loudness_db[off - 1] - RELEASE_DROP_DB
    row['release_secs'] = (float(np.argmax(fallen)) / frame_rate
                           if fallen.any() else math.nan)
    w = w_all[on:off]
    row['brightness'] = math.nan
    if brightness is not None and w.sum() > 0:
      row['brightness'] = float(np.sum(np.asarray(brightness)[on:off] * w) /
                                w.sum())
    row['attack_noise'] = math.nan
    heard = np.where(w > 0.5)[0][:max(1, int(ATTACK_NOISE_SECS * frame_rate))]
    if noisiness is not None and len(heard):
      row['attack_noise'] = float(np.mean(np.asarray(noisiness)[on:off][heard]))
    rows.append(row)
  return rows


def as_arrays(rows):
  """{name: float64 [n_notes]} of `note_expression` rows (npz-ready)."""
  return {name: np.array([r[name] for r in rows], np.float64)
          for name in NAMES}

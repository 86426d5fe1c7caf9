# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Per-note expression values -> the f0 and loudness curves of a performance.

The inverse of `expression.note_expression`: given a monophonic line of
notes and, for each, the values that function measures (volume, volume
fluctuation, volume peak position, attack, release, vibrato rate and
extent, portamento), `render` draws curves on which `note_expression`
reads those values back (to a frame; tests/performance_test.py). Where the
values come from is not this module's concern: an `ExpressionModel`
sample (interpret_ddsp.generation.expression_model), a user's settings, or a real
note's measurement.

One note's loudness over its held part [0, H) (note-on to note-off, or to
the next note-on if that comes first), in dB:

  attack    0 <= t < a:       from the level at note-on towards P,
                              exponentially in dB (fast, then slowing, as
                              a real attack), APPROACH_DB short of P on
                              the frame before a (linear where the note
                              starts within that of P)
  swell     a <= t < t_peak:  P - d -> P  (d = 0.9 dB when t_peak > a, so
                              the attack still ends at a as measured: the
                              first frame within ATTACK_DB of the peak)
  fall      t_peak <= t < H:  P -> P - D, linearly

with a = attack_secs, t_peak = volume_peak_position * H (at least a), the
fall D solved (bisection) so that the std after the attack is
volume_fluctuation_db, and the peak P (bisection) so that the held part's
mean is volume_db. A connected note starts from the
level the previous one reached (no jump); when that is above its own peak,
it falls from there and `note_expression` reads its peak at the onset.
After the note-off, the level falls
linearly in dB to the floor, over release_secs * (L_off - floor) / 30 s, so
that it is 30 dB (`expression.RELEASE_DROP_DB`) down at release_secs.

Its timbre (`Controls.knob_offsets`, what `voices.synthesize` adds to the
sound's z frame by frame, in std units of the training set): brightness
offsets the brightness knob from note-on to the next note-on; attack_noise
offsets the noisiness knob over the note's first
`expression.ATTACK_NOISE_SECS` and one analysis window beyond
(ATTACK_NOISE_REACH_SECS), the span its measurement sees. Measured per note on the output
(note_expression with per-frame knob values) minus the sound's own knob
values, they read back what was asked, as far as the model's knobs follow
(benchmarks/expression.py).

Its pitch: a connected note (gap under controls.LEGATO_GAP_SECS) glides
linearly in cents from the pitch sounding at its note-on, over
G = portamento_secs / (1 - 20 / |interval in cents|), so that it comes
within `expression.PORTAMENTO_CENTS` of its pitch at portamento_secs; from
then on a sinusoidal vibrato of vibrato_extent_cents peak deviation at
vibrato_rate_hz (phase 0 there), running on through the release.

Example:
  >>> from interpret_ddsp.score import controls, expression
  >>> notes = [controls.Note(69, 0.0, 1.0, 100)]
  >>> values = [dict(volume_db=-30.0, volume_fluctuation_db=2.0,
  ...                volume_peak_position=0.2, attack_secs=0.05,
  ...                release_secs=0.2, vibrato_rate_hz=5.0,
  ...                vibrato_extent_cents=20.0, portamento_secs=0.0)]
  >>> c = render(notes, values)
  >>> row = expression.note_expression(c.f0_hz, c.loudness_db, notes)[0]
  >>> round(row['volume_db'], 1), round(row['volume_fluctuation_db'], 1)
  (-30.0, 2.0)
"""

import math

import numpy as np

from interpret_ddsp.score import controls
from interpret_ddsp.score import expression
from interpret_ddsp.support import signals

# What `render` reads of each note's values (expression.NAMES' subset that
# shapes the curves), and the bounds it holds them to.
RENDERED = ('volume_db', 'volume_fluctuation_db', 'volume_peak_position',
            'attack_secs', 'release_secs', 'vibrato_rate_hz',
            'vibrato_extent_cents', 'portamento_secs', 'brightness',
            'attack_noise')
# The timbre values and the knob each one offsets (std units of the
# training set, relative to the sound's own knob value).
KNOB_OF = {'brightness': 'brightness', 'attack_noise': 'noisiness'}
BOUNDS = {
    'volume_db': (-70.0, 0.0),
    'volume_fluctuation_db': (0.0, 20.0),
    'volume_peak_position': (0.0, 1.0),
    'attack_secs': (0.0, 2.0),
    'release_secs': (0.004, expression.MAX_RELEASE_SECS),
    'vibrato_rate_hz': expression.VIBRATO_BAND_HZ,
    'vibrato_extent_cents': (0.0, 100.0),
    'portamento_secs': (0.0, 0.5),
    'brightness': (-3.0, 3.0),
    'attack_noise': (-3.0, 3.0),
}
# Used where a value is missing (NaN: e.g. no vibrato measured on a short
# note, no release before the next note-on).
DEFAULTS = {
    'volume_db': -30.0, 'volume_fluctuation_db': 1.0,
    'volume_peak_position': 0.1, 'attack_secs': 0.03, 'release_secs': 0.15,
    'vibrato_rate_hz': 5.0, 'vibrato_extent_cents': 0.0,
    'portamento_secs': 0.0, 'brightness': 0.0, 'attack_noise': 0.0,
}
# How far past ATTACK_NOISE_SECS attack_noise holds: one analysis window of
# the knob measurement (knobs.window_frames at 16 kHz: 2048 samples), since
# the frames note_expression averages there see that far. Over the first
# 100 ms alone, the measured attack noise came out at 0.31 of the asked
# value (r 0.93); with the window, 0.98 (r 0.996; 24 notes, shipped model).
ATTACK_NOISE_REACH_SECS = 0.128
SWELL_DB = 0.9  # d above: under expression.ATTACK_DB.
APPROACH_DB = 1.05  # Short of the peak before the attack ends: over it.


class PerformanceError(controls.ControlsError):
  """Values that cannot be rendered; str(e) says which, in one sentence."""


def checked_values(values):
  """One note's values, missing ones (absent or NaN) from DEFAULTS, each
  held to BOUNDS; raises PerformanceError on an unknown name or a value that
  is not a number."""
  unknown = sorted(set(values) - set(expression.NAMES))
  if unknown:
    raise PerformanceError(
        f'Unknown expression value(s) {", ".join(unknown)}; known: '
        f'{", ".join(RENDERED)}.')
  out = {}
  for name in RENDERED:
    value = values.get(name, math.nan)
    try:
      value = float(value)
    except (TypeError, ValueError):
      raise PerformanceError(f'Expression {name}={value!r} is not a '
                             'number.') from None
    if math.isnan(value):
      value = DEFAULTS[name]
    lo, hi = BOUNDS[name]
    out[name] = min(max(value, lo), hi)
  return out


def _held_shape(n, frame_rate, attack_secs, peak_position, fall_db,
                start_db, peak):
  """A note's held part [n] dB with peak P = `peak` (module doc)."""
  tau = np.arange(n) / frame_rate
  last = max(n - 1, 1) / frame_rate
  a = min(attack_secs, last)
  t_peak = max(peak_position * last, a)
  d = SWELL_DB if t_peak > a + 0.5 / frame_rate else 0.0
  curve = np.empty(n)
  rise = tau < a
  if np.any(rise):
    k = int(np.sum(rise))  # Frames before the attack's end.
    gap = peak - start_db
    if gap > APPROACH_DB + 1e-6 and k > 1:
      # An exponential approach (as a real attack's level in dB: fast,
      # then slowing), APPROACH_DB short of the peak on the frame before
      # the attack's end, so that end is the first frame within ATTACK_DB.
      t_end = (k - 1) / frame_rate
      rate = np.log(gap / APPROACH_DB) / max(t_end, 1e-9)
      curve[rise] = peak - gap * np.exp(-rate * tau[rise])
    else:
      curve[rise] = start_db + (peak - d - start_db) * tau[rise] / a
  swell = (~rise) & (tau < t_peak)
  curve[swell] = peak - d + d * (tau[swell] - a) / max(t_peak - a, 1e-9)
  fall = (~rise) & (~swell)
  curve[fall] = peak - fall_db * (tau[fall] - t_peak) / max(last - t_peak,
                                                            1e-9)
  return curve


def _fluctuation(curve):
  """expression.note_expression's volume fluctuation of a held curve: the
  std after the attack (the first frame within ATTACK_DB of the peak)."""
  k = int(np.argmax(curve >= curve.max() - expression.ATTACK_DB))
  settled = curve[k:] if len(curve) - k > 1 else curve
  return float(settled.std())


def _bisect(f, target, lo, hi, n=40):
  """x in [lo, hi] with f(x) = target, f increasing (the nearer end when
  out of reach)."""
  if f(lo) >= target:
    return lo
  if f(hi) <= target:
    return hi
  for _ in range(n):
    mid = 0.5 * (lo + hi)
    lo, hi = (mid, hi) if f(mid) < target else (lo, mid)
  return 0.5 * (lo + hi)


def held_curve(n, frame_rate, values, start_db):
  """Loudness [n] dB of a note's held part (module doc) for its values."""
  def curve(fall_db, peak):
    return _held_shape(n, frame_rate, values['attack_secs'],
                       values['volume_peak_position'], fall_db, start_db,
                       peak)

  # The held mean rises with P, the fluctuation with the fall; the fall
  # barely moves where the attack ends, so two rounds settle both.
  peak, fall = values['volume_db'], 0.0
  for _ in range(2):
    fall = _bisect(lambda x, p=peak: _fluctuation(curve(x, p)),
                   values['volume_fluctuation_db'], 0.0, 60.0)
    peak = _bisect(lambda p, f=fall: float(curve(f, p).mean()),
                   values['volume_db'], values['volume_db'] - 1.0,
                   values['volume_db'] + 80.0)
  return curve(fall, peak)


def render(notes, values, frame_rate=controls.DEFAULT_FRAME_RATE,
           tail_secs=0.5, until_secs=None, floor_db=controls.SILENCE_DB):
  """f0 and loudness curves of a monophonic line played with given values.

  Args:
    notes: `controls.Note`s (a monophonic line).
    values: One dict per note, in the notes' order as given: names of
      RENDERED (others of expression.NAMES are ignored; missing or NaN ones
      take DEFAULTS; each is held to BOUNDS).
    frame_rate: Frames per second.
    tail_secs: Seconds rendered after the last note-off.
    until_secs: Render at least this long (voices of a chord share a length).
    floor_db: Loudness of silence, dB.

  Returns:
    `controls.Controls` (f0 never 0: held through rests at the last pitch).

  Raises:
    PerformanceError: no notes, values not one per note, or a bad value.
  """
  if not notes:
    raise PerformanceError('No notes to render.')
  if len(values) != len(notes):
    raise PerformanceError(f'{len(values)} sets of expression values for '
                           f'{len(notes)} notes: give one per note.')
  order = sorted(range(len(notes)), key=lambda i: notes[i].start_secs)
  notes = [notes[i] for i in order]
  values = [checked_values(values[i]) for i in order]
  end = max(max(n.end_secs for n in notes) + tail_secs, until_secs or 0.0)
  n_frames = controls.n_frames_for(end, frame_rate)
  loudness = np.full(n_frames, float(floor_db))
  pitch = np.full(n_frames, float(notes[0].pitch))
  offsets = {knob: np.zeros(n_frames) for knob in KNOB_OF.values()}
  n_attack = max(1, int(round((expression.ATTACK_NOISE_SECS +
                                ATTACK_NOISE_REACH_SECS) * frame_rate)))
  frame = lambda secs: int(min(max(round(secs * frame_rate), 0), n_frames))
  for k, (note, v) in enumerate(zip(notes, values)):
    on = frame(note.start_secs)
    stop = frame(notes[k + 1].start_secs) if k + 1 < len(notes) else n_frames
    off = max(min(frame(note.end_secs), stop), on + 1)
    start_db = float(loudness[on - 1]) if on > 0 and k > 0 else floor_db
    held = held_curve(off - on, frame_rate, v, start_db)
    loudness[on:off] = held
    # Release: linear in dB to the floor, 30 dB down at release_secs.
    depth = max(held[-1] - floor_db, 1e-6)
    length = v['release_secs'] * depth / expression.RELEASE_DROP_DB
    t_rel = (np.arange(off, stop) - (off - 1)) / frame_rate
    loudness[off:stop] = held[-1] - depth * np.minimum(t_rel / length, 1.0)
    # Pitch: a glide for connected notes, then vibrato.
    tau = (np.arange(on, stop) - on) / frame_rate
    base = np.full(len(tau), float(note.pitch))
    entry = 0.0
    connected = (k > 0 and note.start_secs - notes[k - 1].end_secs
                 < controls.LEGATO_GAP_SECS)
    if connected and on > 0:
      interval = 100.0 * (note.pitch - pitch[on - 1])
      ratio = expression.PORTAMENTO_CENTS / max(abs(interval), 1e-9)
      if v['portamento_secs'] > 0 and ratio < 1:
        glide = v['portamento_secs'] / (1.0 - ratio)
        base = note.pitch - interval / 100.0 * np.maximum(
            1.0 - tau / glide, 0.0)
        entry = v['portamento_secs']
    vib_tau = tau - entry
    vibrato = np.where(vib_tau >= 0, v['vibrato_extent_cents'] / 100.0 *
                       np.sin(2 * np.pi * v['vibrato_rate_hz'] * vib_tau),
                       0.0)
    pitch[on:stop] = base + vibrato
    # Timbre: the note's brightness until the next note-on, its attack
    # noise over the first ATTACK_NOISE_SECS + ATTACK_NOISE_REACH_SECS.
    offsets[KNOB_OF['brightness']][on:stop] += v['brightness']
    offsets[KNOB_OF['attack_noise']][on:min(on + n_attack, stop)] += (
        v['attack_noise'])
  return controls.Controls(signals.midi_to_hz(pitch), loudness, frame_rate,
                           list(notes),
                           {k: o for k, o in offsets.items() if np.any(o)})

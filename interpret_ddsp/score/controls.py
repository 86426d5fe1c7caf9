# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Pitch and loudness control curves for generating sound without input audio.

A DDSP decoder is driven by per-frame f0 (Hz) and loudness (dB). Here they
come from notes instead of analysed audio:

  notes (`parse_notes` text, or `notes_from_midi`)
    -> `render_controls(notes, profile)` -> `Controls` (f0_hz, loudness_db)
    -> `chunk_controls` (fixed-length windows for the model)
    -> the model's audio, concatenated -> `trim_audio` (back to full length).

Frames follow interpret_ddsp.analysis.features: frame i is at t = i / frame_rate
(250 Hz by default), and a model window of n frames makes n * hop samples,
hop = sample_rate // frame_rate.

Loudness is on the scale of the training features
(`ddsp.spectral_ops.compute_loudness`, A-weighted, ref_db = 0): about -80 dB
for silence (ddsp clamps there, at -DB_RANGE) up to about -10 dB for a loud
note. Expression (envelope, vibrato, glide, velocity -> loudness) is a
`Profile`; `PROFILES` holds named ones. Moods (`mood`) map a word to timbre
knob values and a profile; the mapping is data, in moods.json.

NumPy only; pretty_midi is imported by `notes_from_midi` when it is called.
"""

import dataclasses
import json
import math
import os
import re
import typing

import numpy as np

from interpret_ddsp import errors
from interpret_ddsp.support import signals

# ddsp's loudness floor: compute_loudness clamps at -spectral_ops.DB_RANGE
# (80 dB), so silent training frames read -80 dB; the decoder never saw less.
SILENCE_DB = -80.0
DEFAULT_FRAME_RATE = 250
# Notes whose gap to the previous note is under this are connected (legato):
# only they glide. After a longer rest the pitch jumps at note-on.
LEGATO_GAP_SECS = 0.05
MOODS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'moods.json')


class ControlsError(errors.UserError, ValueError):
  """Bad notes, MIDI, profile or mood; str(e) is one sentence saying why."""


@dataclasses.dataclass
class Note:
  """One note of a monophonic line.

  Attributes:
    pitch: MIDI pitch, int or float (69 = A4 = 440 Hz; 60.5 is a quarter tone
      above C4).
    start_secs: Note-on time in seconds.
    end_secs: Note-off time in seconds (> start_secs).
    velocity: MIDI velocity, 1..127 (sets the peak loudness, see `peak_db`).
  """
  pitch: float
  start_secs: float
  end_secs: float
  velocity: int = 100
  # {expression value: number} set on this note alone (a note-list token's
  # '@name=value;...' suffix): learned expression's per-note settings.
  expression: dict = dataclasses.field(default_factory=dict)

  def __post_init__(self):
    if not 0 <= self.pitch <= 127:
      raise ControlsError(f'Note pitch {self.pitch} is outside MIDI 0..127.')
    if not self.end_secs > self.start_secs >= 0:
      raise ControlsError(
          f'Note times {self.start_secs}..{self.end_secs} s are not '
          '0 <= start < end.')
    if not 1 <= self.velocity <= 127:
      raise ControlsError(f'Note velocity {self.velocity} is outside 1..127.')

  @property
  def duration_secs(self):
    return self.end_secs - self.start_secs


@dataclasses.dataclass
class Controls:
  """Per-frame decoder controls.

  Attributes:
    f0_hz: float32 [n_frames], fundamental frequency in Hz (never 0: held
      through rests at the last pitch).
    loudness_db: float32 [n_frames], ddsp A-weighted loudness in dB (-80 is
      silence, about -10 loud).
    frame_rate: Frames per second; frame i is at t = i / frame_rate.
    notes: The notes the curves were rendered from, in time order.
    knob_offsets: {knob name: float32 [n_frames]} added to the sound's own
      knob value frame by frame (std units of the training set; e.g. a
      note's brightness, its attack noise on noisiness): what
      `voices.synthesize` plays. Empty: the sound's knobs throughout.
  """
  f0_hz: np.ndarray
  loudness_db: np.ndarray
  frame_rate: int = DEFAULT_FRAME_RATE
  notes: list = dataclasses.field(default_factory=list)
  knob_offsets: dict = dataclasses.field(default_factory=dict)

  def __post_init__(self):
    self.f0_hz = np.asarray(self.f0_hz, np.float32)
    self.loudness_db = np.asarray(self.loudness_db, np.float32)
    if self.f0_hz.shape != self.loudness_db.shape or self.f0_hz.ndim != 1:
      raise ControlsError(
          f'f0_hz {self.f0_hz.shape} and loudness_db '
          f'{self.loudness_db.shape} must be 1-D and the same length.')
    self.knob_offsets = {k: np.asarray(v, np.float32)
                         for k, v in dict(self.knob_offsets).items()}
    for k, v in self.knob_offsets.items():
      if v.shape != self.f0_hz.shape:
        raise ControlsError(f'The {k} offsets {v.shape} must have one value '
                            f'per frame, as f0_hz {self.f0_hz.shape}.')

  @property
  def n_frames(self):
    return len(self.f0_hz)

  @property
  def secs(self):
    """Duration in seconds, n_frames / frame_rate."""
    return self.n_frames / self.frame_rate


# --- Note text ----------------------------------------------------------------
_PITCH_CLASS = {'c': 0, 'd': 2, 'e': 4, 'f': 5, 'g': 7, 'a': 9, 'b': 11}
_ACCIDENTAL = {'': 0, '#': 1, '##': 2, 's': 1, '\u266f': 1,
               'b': -1, 'bb': -2, '\u266d': -1}
_NAME_RE = re.compile(r'^([a-g])(##|#|bb|b|s|\u266f|\u266d)?(-?\d+)$')
_NUMBER_RE = re.compile(r'^\d+(\.\d+)?$')
_RESTS = ('r', 'rest')
_TOKEN_HELP = ('expected NAME:SECONDS or NAME:SECONDS:VELOCITY, e.g. C4:0.5, '
               'F#3:1:90, Bb4:0.25, 69:1 (a MIDI number) or r:0.5 (a rest), '
               'each with @name=value;... for learned expression if wanted')


def note_name_to_midi(name):
  """MIDI pitch of a note name: 'A4' -> 69, 'C4' -> 60, 'Bb3' -> 58.

  Letter A-G (any case), then optional accidentals ('#', '##', 'b', 'bb',
  's' for sharp), then the octave (scientific pitch notation: C4 is middle C,
  octave -1 is MIDI 0..11). A plain number is taken as a MIDI pitch.

  Raises:
    ControlsError: Not a note name, or outside MIDI 0..127.
  """
  text = name.strip()
  if _NUMBER_RE.match(text):
    pitch = float(text)
    pitch = int(pitch) if pitch.is_integer() else pitch
  else:
    match = _NAME_RE.match(text.lower())
    if not match:
      raise ControlsError(f'{name!r} is not a note name (e.g. C4, F#3, Bb2).')
    letter, accidental, octave = match.groups()
    pitch = (12 * (int(octave) + 1) + _PITCH_CLASS[letter] +
             _ACCIDENTAL[accidental or ''])
  if not 0 <= pitch <= 127:
    raise ControlsError(f'Note {name!r} (MIDI {pitch}) is outside MIDI '
                        '0..127 (C-1..G9).')
  return pitch


def _parse_expression(text, where):
  """'vibrato_extent_cents=40;brightness=0.5' -> {name: float} (the names
  are checked where they are played: expression_model.check_settings)."""
  out = {}
  for item in (t for t in text.split(';') if t):
    name, sep, value = item.partition('=')
    try:
      number = float(value)
    except ValueError:
      number = math.nan
    if not sep or not name or not math.isfinite(number):
      raise ControlsError(f'{where}: expression settings after "@" are '
                          f'name=number;..., not {item!r}.')
    out[name] = number
  return out


def _parse_token(token, position):
  """(pitch or None for a rest, seconds, velocity or None, expression) of
  one token."""
  where = f'Note {position} {token!r}'
  token, at, suffix = token.partition('@')
  expression = _parse_expression(suffix, where) if at else {}
  if at and not expression:
    raise ControlsError(f'{where}: nothing after "@" (e.g. '
                        '@vibrato_extent_cents=40;brightness=0.5).')
  fields = token.split(':')
  if len(fields) not in (2, 3) or not all(fields):
    raise ControlsError(f'{where}: {_TOKEN_HELP}.')
  try:
    secs = float(fields[1])
  except ValueError:
    raise ControlsError(
        f'{where}: duration {fields[1]!r} is not a number; '
        f'{_TOKEN_HELP}.') from None
  if not (math.isfinite(secs) and secs > 0):
    raise ControlsError(f'{where}: duration must be a positive number of '
                        'seconds.')
  velocity = None
  if len(fields) == 3:
    if not fields[2].isdigit() or not 1 <= int(fields[2]) <= 127:
      raise ControlsError(f'{where}: velocity {fields[2]!r} is not an integer '
                          'in 1..127.')
    velocity = int(fields[2])
  if fields[0].lower() in _RESTS:
    if velocity is not None or expression:
      raise ControlsError(f'{where}: a rest takes no velocity or expression.')
    return None, secs, None, {}
  try:
    pitch = note_name_to_midi(fields[0])
  except ControlsError as e:
    raise ControlsError(f'{where}: {e} ({_TOKEN_HELP}).') from None
  return pitch, secs, velocity, expression


def parse_notes(text, velocity=100, start_secs=0.0):
  """Notes from text like 'C4:1.0,E4:0.5,r:0.25,G#3:2:110'.

  Tokens, separated by commas and/or whitespace, follow one another in time:
  NAME:SECONDS[:VELOCITY][@EXPRESSION], where NAME is a note name
  (`note_name_to_midi`) or 'r'/'rest' for silence, and EXPRESSION sets
  learned expression on that note alone, name=number pairs joined by ';'
  ('G4:1@vibrato_extent_cents=40;brightness=0.5'; `Note.expression`).

  Args:
    text: The melody.
    velocity: Velocity (1..127) of tokens that give none.
    start_secs: Time of the first token.

  Returns:
    List of `Note`, in time order (rests leave gaps).

  Raises:
    ControlsError (a ValueError): A token does not parse (the message names
      it and its position), or there are no notes.
  """
  text = re.sub(r'\s*:\s*', ':', text.strip())
  tokens = [t for t in re.split(r'[,\s]+', text) if t]
  if not tokens:
    raise ControlsError('No notes given: expected text like "C4:1,E4:0.5".')
  notes, t = [], float(start_secs)
  for position, token in enumerate(tokens, 1):
    pitch, secs, vel, expression = _parse_token(token, position)
    if pitch is not None:
      notes.append(Note(pitch, t, t + secs, velocity if vel is None else vel,
                        expression))
    t += secs
  if not notes:
    raise ControlsError(f'{text!r} has only rests: nothing to play.')
  return notes


# --- MIDI ---------------------------------------------------------------------
def _describe_instruments(instruments):
  return '; '.join(
      f'{i}: {inst.name or "unnamed"} (program {inst.program}'
      f'{", drums" if inst.is_drum else ""}, {len(inst.notes)} notes)'
      for i, inst in enumerate(instruments)) or 'none'


def _choose_instrument(instruments, path, instrument=None, program=None):
  """Index of the instrument to use (see `notes_from_midi`)."""
  listing = _describe_instruments(instruments)
  if instrument is not None:
    if not 0 <= instrument < len(instruments):
      raise ControlsError(f'{path} has no instrument {instrument}; its '
                          f'instruments are: {listing}.')
    if not instruments[instrument].notes:
      raise ControlsError(f'Instrument {instrument} of {path} has no notes; '
                          f'its instruments are: {listing}.')
    return instrument
  candidates = [i for i, inst in enumerate(instruments)
                if not inst.is_drum and inst.notes and
                (program is None or inst.program == program)]
  if candidates:
    return candidates[0]
  if program is not None:
    raise ControlsError(f'{path} has no non-drum instrument with program '
                        f'{program} and notes; its instruments are: '
                        f'{listing}.')
  if any(inst.notes for inst in instruments):
    raise ControlsError(f'{path} has only drum notes, which have no pitch to '
                        f'play; its instruments are: {listing}.')
  raise ControlsError(f'{path} has no notes: there is nothing to play.')


def top_voice(notes, min_secs=0.01):
  """The highest sounding note at each time, as a monophonic line.

  A note is cut where a higher note starts and does not sound again (a held
  accompaniment note would otherwise re-sound in every gap of the melody); a
  note that starts under a higher one begins when that one ends. At equal
  pitch the later start wins (it is the newer articulation). Fragments
  shorter than `min_secs` are dropped.

  Args:
    notes: `Note`s, possibly overlapping, any order.
    min_secs: Shortest fragment kept, seconds.

  Returns:
    Non-overlapping `Note`s in time order, each with its original pitch and
    velocity.
  """
  order = sorted(range(len(notes)), key=lambda i: notes[i].start_secs)
  times = sorted({n.start_secs for n in notes} | {n.end_secs for n in notes})
  segments = []  # [note index, start, end] of each visible stretch.
  active, nxt = set(), 0
  for a, b in zip(times[:-1], times[1:]):
    while nxt < len(order) and notes[order[nxt]].start_secs <= a:
      active.add(order[nxt])
      nxt += 1
    active = {i for i in active if notes[i].end_secs > a}
    if not active:
      continue
    top = max(active, key=lambda i: (notes[i].pitch, notes[i].start_secs, -i))
    if segments and segments[-1][0] == top and segments[-1][2] == a:
      segments[-1][2] = b
    else:
      segments.append([top, a, b])
  out, shown = [], set()
  for i, a, b in segments:
    if i in shown:
      continue  # Resumes after a higher note: trimmed.
    shown.add(i)
    if b - a >= min_secs:
      out.append(Note(notes[i].pitch, a, b, notes[i].velocity))
  return out


def _overlapping(notes, tolerance_secs=1e-6):
  """How many notes start before an earlier-starting note has ended."""
  count, latest_end = 0, -math.inf
  for note in sorted(notes, key=lambda n: n.start_secs):
    if note.start_secs < latest_end - tolerance_secs:
      count += 1
    latest_end = max(latest_end, note.end_secs)
  return count


def notes_from_midi(path, instrument=None, program=None):
  """Every note of one instrument of a MIDI file (chords and overlapping
  parts included: interpret_ddsp.score.voices splits them into voices).

  Args:
    path: A .mid file.
    instrument: Index into the file's instruments (pretty_midi order); None:
      the first non-drum instrument that has notes.
    program: With instrument=None, take the first non-drum instrument with
      this General MIDI program (0-based, e.g. 40 = violin).

  Returns:
    List of `Note` sorted by start time (then pitch), possibly overlapping
    (times in seconds from the start of the file).

  Raises:
    ControlsError (a ValueError): Unreadable file, no such instrument, or no
      (pitched) notes.
  """
  import pretty_midi  # pylint: disable=g-import-not-at-top
  try:
    midi = pretty_midi.PrettyMIDI(os.fspath(path))
  except Exception as e:  # pylint: disable=broad-except  # mido raises many.
    raise ControlsError(f'{path} is not a readable MIDI file ({e}).') from e
  index = _choose_instrument(midi.instruments, path, instrument, program)
  raw = [Note(n.pitch, n.start, n.end, n.velocity)
         for n in midi.instruments[index].notes if n.end > n.start]
  if not raw:
    raise ControlsError(f'Instrument {index} of {path} has only zero-length '
                        'notes: there is nothing to play.')
  return sorted(raw, key=lambda n: (n.start_secs, n.pitch))


# --- Expression ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Profile:
  """How notes become loudness and pitch curves (see `render_controls`).

  Attributes:
    attack_secs: Loudness rise, in dB linearly, from the level at note-on
      (the floor after silence) to the peak.
    decay_secs: Fall, in dB linearly, from the peak to the sustain level.
    sustain_db: Sustain level relative to the peak, dB (<= 0).
    release_secs: Fall, in dB linearly, from the level at note-off to the
      floor.
    vibrato_rate_hz: Vibrato frequency, Hz.
    vibrato_depth_cents: Peak pitch deviation of the vibrato, cents (0: off).
    vibrato_delay_secs: Seconds after note-on before vibrato starts.
    glide_secs: Portamento time from the previous pitch to a connected note's
      pitch (linear in cents); 0: jump.
    gate: Fraction of each note's duration before its note-off (1 as
      written; 0.5 staccato). Pitch stays until the next note.
    peak_db_range: (dB at velocity 1, dB at velocity 127); velocities between
      map linearly (`peak_db`).
    floor_db: Loudness of silence, dB.
  """
  attack_secs: float = 0.02
  decay_secs: float = 0.1
  sustain_db: float = -3.0
  release_secs: float = 0.1
  vibrato_rate_hz: float = 5.0
  vibrato_depth_cents: float = 0.0
  vibrato_delay_secs: float = 0.3
  glide_secs: float = 0.0
  gate: float = 1.0
  peak_db_range: typing.Tuple[float, float] = (-45.0, -15.0)
  floor_db: float = SILENCE_DB

  def __post_init__(self):
    for name in ('attack_secs', 'decay_secs', 'release_secs',
                 'vibrato_rate_hz', 'vibrato_depth_cents',
                 'vibrato_delay_secs', 'glide_secs'):
      value = getattr(self, name)
      if not (math.isfinite(value) and value >= 0):
        raise ControlsError(f'Profile {name}={value} must be >= 0.')
    if not self.sustain_db <= 0:
      raise ControlsError(f'Profile sustain_db={self.sustain_db} must be <= 0 '
                          '(it is relative to the peak).')
    if not 0 < self.gate <= 1:
      raise ControlsError(f'Profile gate={self.gate} must be in (0, 1].')
    lo, hi = self.peak_db_range
    if not self.floor_db < lo <= hi:
      raise ControlsError(
          f'Profile peak_db_range={self.peak_db_range} must be (low, high) '
          f'with floor_db={self.floor_db} < low <= high.')


PROFILES = {
    'plain': Profile(),
    'legato': Profile(attack_secs=0.06, decay_secs=0.2, sustain_db=-2.0,
                      release_secs=0.2, glide_secs=0.06),
    'vibrato': Profile(attack_secs=0.05, decay_secs=0.15, sustain_db=-3.0,
                       release_secs=0.15, vibrato_rate_hz=5.5,
                       vibrato_depth_cents=30.0, vibrato_delay_secs=0.25,
                       glide_secs=0.03),
    'staccato': Profile(attack_secs=0.005, decay_secs=0.08, sustain_db=-9.0,
                        release_secs=0.04, gate=0.5),
    'swell': Profile(attack_secs=0.6, decay_secs=0.0, sustain_db=0.0,
                     release_secs=0.4, vibrato_rate_hz=4.5,
                     vibrato_depth_cents=12.0, vibrato_delay_secs=0.4,
                     glide_secs=0.05),
}


def get_profile(profile=None, **overrides):
  """A `Profile` from a name in PROFILES (None: 'plain') or a Profile, with
  fields replaced by `overrides` (e.g. vibrato_depth_cents=20)."""
  if profile is None:
    profile = 'plain'
  if isinstance(profile, str):
    if profile not in PROFILES:
      raise ControlsError(f'Unknown profile {profile!r}; known profiles: '
                          f'{", ".join(sorted(PROFILES))}.')
    profile = PROFILES[profile]
  fields = {f.name for f in dataclasses.fields(Profile)}
  unknown = sorted(set(overrides) - fields)
  if unknown:
    raise ControlsError(f'Unknown profile field(s) {", ".join(unknown)}; '
                        f'known fields: {", ".join(sorted(fields))}.')
  if 'peak_db_range' in overrides:
    overrides['peak_db_range'] = tuple(overrides['peak_db_range'])
  return dataclasses.replace(profile, **overrides)


def peak_db(velocity, peak_db_range=(-45.0, -15.0)):
  """Peak loudness of a note, dB: linear in velocity,

    peak = low + (high - low) * (velocity - 1) / 126,

  so velocity 1 -> low, 127 -> high. velocity: 1..127, any shape.
  """
  low, high = peak_db_range
  velocity = np.clip(np.asarray(velocity, np.float64), 1.0, 127.0)
  return low + (high - low) * (velocity - 1.0) / 126.0


def _ramp(elapsed, secs):
  """0 -> 1, linear over `secs` from elapsed = 0 (a step if secs is 0)."""
  elapsed = np.asarray(elapsed, np.float64)
  if secs <= 0:
    return (elapsed >= 0).astype(np.float64)
  return np.clip(elapsed / secs, 0.0, 1.0)


def _held_db(tau, start_db, peak, profile):
  """Attack then decay then sustain, dB, at tau seconds after note-on."""
  sustain = peak + profile.sustain_db
  attack = start_db + (peak - start_db) * _ramp(tau, profile.attack_secs)
  decay = peak + (sustain - peak) * _ramp(tau - profile.attack_secs,
                                          profile.decay_secs)
  return np.where(tau < profile.attack_secs, attack, decay)


def note_loudness_db(t, on_secs, off_secs, start_db, peak, profile):
  """ADSR loudness of one note, dB, at times t >= on_secs (any shape).

  With tau = t - on_secs, A/D/R the profile's times and S = peak + sustain_db:

    attack   tau < A:          start_db + (peak - start_db) * tau / A
    decay    A <= tau < A + D: peak + (S - peak) * (tau - A) / D
    sustain  until off_secs:   S
    release  t >= off_secs:    L_off + (floor - L_off) * min((t - off) / R, 1)

  where L_off is the level reached at off_secs (a note released during its
  attack releases from there). start_db is the level at note-on: the floor
  after silence, or what the previous note had reached (so a new note never
  jumps).
  """
  t = np.asarray(t, np.float64)
  held = _held_db(t - on_secs, start_db, peak, profile)
  off_db = _held_db(np.float64(off_secs - on_secs), start_db, peak, profile)
  release = off_db + (profile.floor_db - off_db) * _ramp(
      t - off_secs, profile.release_secs)
  return np.where(t < off_secs, held, release)


def note_pitch(t, on_secs, off_secs, start_pitch, pitch, profile, glide):
  """MIDI pitch (float) of one note at times t >= on_secs, vibrato included.

    base(t) = start_pitch + (pitch - start_pitch) * min((t - on) / G, 1)
              if glide (G = glide_secs > 0), else pitch
    vibrato(t) = depth / 100 * sin(2 pi rate (t - on - delay)) semitones,
                 for on + delay <= t < off + release_secs, else 0

  Vibrato starts at phase 0 (no jump) and runs through the release; after
  it the pitch holds still at `pitch`.
  """
  t = np.asarray(t, np.float64)
  tau = t - on_secs
  base = pitch + np.zeros_like(t)
  if glide and profile.glide_secs > 0:
    base = start_pitch + (pitch - start_pitch) * _ramp(tau, profile.glide_secs)
  vib_tau = tau - profile.vibrato_delay_secs
  on = (vib_tau >= 0) & (t < off_secs + profile.release_secs)
  vibrato = profile.vibrato_depth_cents / 100.0 * np.sin(
      2 * np.pi * profile.vibrato_rate_hz * vib_tau)
  return base + np.where(on, vibrato, 0.0)


def n_frames_for(secs, frame_rate):
  """Frames covering `secs` seconds: ceil(secs * frame_rate)."""
  return int(math.ceil(secs * frame_rate - 1e-6))


def render_controls(notes, profile=None, frame_rate=DEFAULT_FRAME_RATE,
                    tail_secs=0.5, until_secs=None):
  """Per-frame f0 and loudness of a monophonic line of notes.

  Frames are at t = i / frame_rate from t = 0 to the last note-off plus
  `tail_secs` (for the release). Notes are taken in start order; a note-on
  ends the previous note's segment (monophonic: its release is cut). Within
  a note's segment (its note-on to the next note-on):

    loudness = `note_loudness_db` (ADSR in dB, peak from `peak_db`), so rests
      fall to profile.floor_db after the release and stay there;
    f0 = midi_to_hz(`note_pitch`): glide from the pitch sounding at note-on
      when the note is connected (gap to the previous note-off under
      LEGATO_GAP_SECS), then sinusoidal vibrato; after the release f0 holds
      the note's pitch through the rest, so the oscillator does not jump.

  Before the first note, f0 is the first note's pitch and loudness the floor.

  Args:
    notes: `Note`s (from `parse_notes` or `notes_from_midi`).
    profile: A `Profile`, a name in PROFILES, or None ('plain').
    frame_rate: Frames per second.
    tail_secs: Seconds rendered after the last note-off.
    until_secs: Render at least this long (the voices of a chord share
      one length: interpret_ddsp.score.voices).

  Returns:
    `Controls` (float32 f0_hz and loudness_db, [n_frames]).
  """
  profile = get_profile(profile)
  notes = sorted(notes, key=lambda n: n.start_secs)
  if any(n.expression for n in notes):
    raise ControlsError('Per-note expression settings ("@...") shape '
                        'learned expression; a hand-written profile has its '
                        'own fields.')
  if not notes:
    raise ControlsError('No notes to render.')
  end = max(max(n.end_secs for n in notes) + tail_secs, until_secs or 0.0)
  t = np.arange(n_frames_for(end, frame_rate)) / frame_rate
  loudness = np.full(len(t), profile.floor_db)
  pitch = np.full(len(t), float(notes[0].pitch))
  prev = None  # Arguments of the previous note's loudness and pitch curves.
  for k, note in enumerate(notes):
    on = note.start_secs
    off = on + profile.gate * note.duration_secs
    peak = float(peak_db(note.velocity, profile.peak_db_range))
    if prev is None:
      start_db, start_pitch, glide = profile.floor_db, note.pitch, False
    else:
      start_db = float(note_loudness_db(on, *prev[0]))
      start_pitch = float(note_pitch(on, *prev[1]))
      glide = on - notes[k - 1].end_secs < LEGATO_GAP_SECS
    db_args = (on, off, start_db, peak, profile)
    pitch_args = (on, off, start_pitch, note.pitch, profile, glide)
    stop = notes[k + 1].start_secs if k + 1 < len(notes) else math.inf
    seg = (t >= on) & (t < stop)
    loudness[seg] = note_loudness_db(t[seg], *db_args)
    pitch[seg] = note_pitch(t[seg], *pitch_args)
    prev = (db_args, pitch_args)
  return Controls(signals.midi_to_hz(pitch), loudness, frame_rate,
                  list(notes))


# --- Moods --------------------------------------------------------------------
def knob_names():
  """Timbre knob names the models know (interpret_ddsp.analysis.knobs)."""
  from interpret_ddsp.analysis import knobs  # pylint: disable=g-import-not-at-top
  return tuple(knobs.KNOB_DESCRIPTORS)


def _check_mood(name, entry, where, known_knobs):
  """Raises ControlsError if one moods.json entry is malformed."""
  if not isinstance(entry, dict):
    raise ControlsError(f'{where}: mood {name!r} is not an object.')
  allowed = {'description', 'knobs', 'profile', 'overrides'}
  extra = sorted(set(entry) - allowed)
  if extra:
    raise ControlsError(f'{where}: mood {name!r} has unknown key(s) '
                        f'{", ".join(extra)}; allowed: '
                        f'{", ".join(sorted(allowed))}.')
  if not isinstance(entry.get('description'), str):
    raise ControlsError(f'{where}: mood {name!r} needs a "description".')
  knobs = entry.get('knobs', {})
  unknown = sorted(set(knobs) - set(known_knobs))
  if unknown:
    raise ControlsError(f'{where}: mood {name!r} sets unknown knob(s) '
                        f'{", ".join(unknown)}; known knobs: '
                        f'{", ".join(known_knobs)}.')
  for knob, value in knobs.items():
    if not (isinstance(value, (int, float)) and abs(value) <= 4):
      raise ControlsError(f'{where}: mood {name!r} knob {knob}={value!r} is '
                          'not a number of standard deviations in [-4, 4].')
  try:
    get_profile(entry.get('profile'), **entry.get('overrides', {}))
  except ControlsError as e:
    raise ControlsError(f'{where}: mood {name!r}: {e}') from None


def load_moods(path=None):
  """Moods from a JSON file (default: the package's moods.json).

  Returns:
    {name: {'description': str, 'knobs': {knob: std units},
            'profile': profile name or absent, 'overrides': {field: value}}}.

  Raises:
    ControlsError (a ValueError): Unreadable file or a malformed entry (an
      unknown knob, profile or profile field).
  """
  path = MOODS_PATH if path is None else os.fspath(path)
  try:
    with open(path, encoding='utf-8') as f:
      data = json.load(f)
  except (OSError, ValueError) as e:
    raise ControlsError(f'Cannot read moods from {path} ({e}).') from e
  moods = data.get('moods') if isinstance(data, dict) else None
  if not isinstance(moods, dict) or not moods:
    raise ControlsError(f'{path} has no "moods" object.')
  known_knobs = knob_names()
  for name, entry in moods.items():
    _check_mood(name, entry, path, known_knobs)
  return moods


def mood(name, path=None):
  """Knob values and expression of a mood word.

  Args:
    name: A mood in the moods file (case-insensitive), e.g. 'warm'.
    path: Moods JSON file; None: the package's moods.json.

  Returns:
    knobs: {knob: value} for every knob in `knob_names()`, in standard
      deviations of the training set (0 = its average, also for knobs the
      mood leaves unset).
    profile: The mood's `Profile` (its profile name, overrides applied).

  Raises:
    ControlsError (a ValueError): Unknown mood; the message lists the known
      ones.
  """
  moods = load_moods(path)
  entry = moods.get(name.strip().lower())
  if entry is None:
    raise ControlsError(f'Unknown mood {name!r}; known moods: '
                        f'{", ".join(sorted(moods))}.')
  return mood_values(entry)


def mood_values(entry):
  """(knobs, profile) of one checked moods.json entry, as `mood` returns
  them: every knob of `knob_names()` (0 where the mood sets none) and the
  entry's Profile with its overrides."""
  knobs = {k: 0.0 for k in knob_names()}
  knobs.update({k: float(v) for k, v in entry.get('knobs', {}).items()})
  profile = get_profile(entry.get('profile'), **entry.get('overrides', {}))
  return knobs, profile


# --- Fixed-length model windows ---------------------------------------------
def chunk_controls(controls, n_frames):
  """Splits controls into windows of `n_frames`, padding the last one.

  The pad holds the last f0 and sets loudness to the floor (SILENCE_DB or
  lower if the controls go lower), so the model renders silence there.

  Args:
    controls: `Controls`.
    n_frames: Frames per model window.

  Returns:
    List of (f0_hz float32 [n_frames], loudness_db float32 [n_frames]),
    ceil(controls.n_frames / n_frames) of them.
  """
  if n_frames < 1:
    raise ControlsError(f'Window of {n_frames} frames: must be >= 1.')
  n_chunks = -(-controls.n_frames // n_frames)
  pad = n_chunks * n_frames - controls.n_frames
  floor = min(SILENCE_DB, float(controls.loudness_db.min()))
  f0 = np.pad(controls.f0_hz, (0, pad), mode='edge')
  loudness = np.pad(controls.loudness_db, (0, pad), constant_values=floor)
  return [(f0[i:i + n_frames], loudness[i:i + n_frames])
          for i in range(0, n_chunks * n_frames, n_frames)]


def trim_audio(audio, controls, sample_rate=16000):
  """Model audio of `chunk_controls` windows, cut back to the controls' length.

  Args:
    audio: float [n_samples], the windows' audio concatenated, or a list of
      the per-window arrays (concatenated here).
    controls: The `Controls` that were chunked.
    sample_rate: Audio samples per second; hop = sample_rate // frame_rate
      samples per frame, as in ddsp.

  Returns:
    audio[:controls.n_frames * hop].
  """
  if isinstance(audio, (list, tuple)):
    audio = np.concatenate([np.asarray(a).reshape(-1) for a in audio])
  audio = np.asarray(audio)
  n = controls.n_frames * (sample_rate // controls.frame_rate)
  if len(audio) < n:
    raise ControlsError(f'{len(audio)} samples are fewer than the {n} that '
                        f'{controls.n_frames} frames need at {sample_rate} Hz.')
  return audio[:n]

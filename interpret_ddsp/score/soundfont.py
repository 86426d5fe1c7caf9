# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Real sampled-instrument audio from General MIDI soundfonts, offline.

Renders with TinySoundFont (pip `tinysoundfont`, installed with --no-deps by
install.sh), which has no reverb or chorus, at 48 kHz, then resamples to the
requested rate. The default soundfont is `TimGM6mb.sf2`, which ships inside
the `pretty_midi` wheel (GPL-2); any other `.sf2`/`.sf3` (e.g. Debian's MIT
FluidR3_GM.sf2) works by path.

GM programs (0-based): violin 40, cello 42, trumpet 56, alto sax 65,
clarinet 71, flute 73, nylon guitar 24.
"""

import dataclasses
import functools
import os
import typing

import numpy as np

from interpret_ddsp import errors
from interpret_ddsp.support import audio_io
from interpret_ddsp.support import signals

RENDER_RATE = 48000


def default_soundfont():
  """Path of TimGM6mb.sf2 inside the installed pretty_midi package."""
  import pretty_midi  # pylint: disable=g-import-not-at-top
  path = os.path.join(os.path.dirname(pretty_midi.__file__), 'TimGM6mb.sf2')
  if not os.path.isfile(path):
    raise errors.EnvironmentProblem(
        f'The default soundfont {path} is missing: reinstall pretty_midi, or '
        'pass a soundfont path.')
  return path


@functools.lru_cache(maxsize=4)
def _load(soundfont):
  import tinysoundfont  # pylint: disable=g-import-not-at-top
  if not os.path.isfile(soundfont):
    raise errors.UserError(f'Soundfont {soundfont} does not exist.')
  synth = tinysoundfont.Synth(samplerate=RENDER_RATE)
  try:
    sfid = synth.sfload(soundfont)
  except Exception as e:  # tinysoundfont raises a bare Exception subclass.
    raise errors.UserError(
        f'{soundfont} is not a readable soundfont ({e}).') from e
  return synth, sfid


BLOCK = 64  # Samples at RENDER_RATE between control updates (1.33 ms).
PITCH_BEND_RANGE = 2.0  # Semitones at full pitch-wheel deflection.


@dataclasses.dataclass
class Note:
  """One note of a monophonic line.

  Attributes:
    key: MIDI key number (69 = A4 = 440 Hz).
    velocity: MIDI velocity, 1..127.
    start: Note-on time in seconds.
    duration: Seconds from note-on to note-off.
  """
  key: int
  velocity: int
  start: float
  duration: float

  @property
  def end(self):
    return self.start + self.duration


@dataclasses.dataclass
class Performance:
  """Controls of a monophonic performance, as functions of time.

  Attributes:
    notes: Non-overlapping notes, in time order.
    seconds: Total length rendered (the release after the last note-off
      included).
    vibrato_hz: Vibrato rate (pitch wheel), Hz; 0 for none.
    vibrato_cents: Vibrato depth (peak), cents.
    vibrato_delay: Seconds after each note-on before vibrato starts.
    expression: Optional function t (s) -> MIDI CC11 value 0..127 (swells).
  """
  notes: list
  seconds: float
  vibrato_hz: float = 0.0
  vibrato_cents: float = 0.0
  vibrato_delay: float = 0.0
  expression: typing.Optional[typing.Callable[[float], float]] = None

  def bend_cents(self, t):
    """Pitch-wheel offset in cents at times t (array), 0 outside notes."""
    t = np.asarray(t, np.float64)
    out = np.zeros_like(t)
    if not self.vibrato_hz or not self.vibrato_cents:
      return out
    for note in self.notes:
      inside = (t >= note.start + self.vibrato_delay) & (t < note.end)
      phase = 2 * np.pi * self.vibrato_hz * (t - note.start -
                                             self.vibrato_delay)
      out[inside] = self.vibrato_cents * np.sin(phase[inside])
    return out

  def key_at(self, t):
    """MIDI key sounding (between note-on and note-off) at t, else 0."""
    t = np.asarray(t, np.float64)
    out = np.zeros_like(t)
    for note in self.notes:
      out[(t >= note.start) & (t < note.end)] = note.key
    return out


def _silence(synth):
  """Stops every voice and flushes the synth, so renders are independent.

  TinySoundFont's sounds_off fades voices out over a few milliseconds rather
  than at once; rendering (and dropping) 50 ms lets the fade finish.
  """
  synth.sounds_off()
  synth.generate(RENDER_RATE // 20)
  synth.pitchbend(0, 8192)
  synth.control_change(0, 11, 127)


def _wheel_value(cents):
  """Pitch-wheel value 0..16383 for a bend in cents (centre 8192)."""
  value = 8192 + cents / (PITCH_BEND_RANGE * 100.0) * 8192
  return int(min(max(round(value), 0), 16383))


def render_performance(program, performance, sample_rate=16000,
                       frame_rate=100, soundfont=None):
  """Renders a monophonic performance and its ground-truth pitch.

  The pitch wheel and expression (CC11) are updated every BLOCK samples at
  48 kHz; the ground truth uses the same quantized wheel values the synth
  received, so it is the pitch that was played, not an approximation.

  Args:
    program: GM program number, 0-based (e.g. 40 violin).
    performance: A Performance.
    sample_rate: Output rate in Hz (rendered at 48 kHz, then resampled).
    frame_rate: Rate of the ground-truth frames in Hz.
    soundfont: Path of a .sf2/.sf3; default `default_soundfont()`.

  Returns:
    audio: float32 [round(seconds * sample_rate)] mono.
    f0_hz: float32 [n_frames] true f0 in Hz at frame i / frame_rate (0 where
      no note is held), n_frames = int(seconds * frame_rate) + 1.
    voiced: bool [n_frames], True between a note-on and its note-off.
  """
  synth, sfid = _load(soundfont or default_soundfont())
  _silence(synth)
  synth.program_select(0, sfid, 0, int(program))
  synth.pitchbend_range(0, PITCH_BEND_RANGE)
  synth.pitchbend(0, 8192)
  synth.control_change(0, 11, 127)
  n_blocks = int(np.ceil(performance.seconds * RENDER_RATE / BLOCK))
  block_t = np.arange(n_blocks) * BLOCK / RENDER_RATE
  wheel = np.array([_wheel_value(c) for c in
                    performance.bend_cents(block_t)])
  ons = {int(round(n.start * RENDER_RATE / BLOCK)): n
         for n in performance.notes}
  offs = {int(round(n.end * RENDER_RATE / BLOCK)): n
          for n in performance.notes}
  out = np.empty(n_blocks * BLOCK * 2, np.float32)
  buf = memoryview(bytearray(BLOCK * 2 * 4))
  for i in range(n_blocks):
    if i in offs:
      synth.noteoff(0, offs[i].key)
    if i in ons:
      synth.noteon(0, ons[i].key, ons[i].velocity)
    if i == 0 or wheel[i] != wheel[i - 1]:
      synth.pitchbend(0, int(wheel[i]))
    if performance.expression is not None:
      synth.control_change(0, 11, int(np.clip(
          performance.expression(block_t[i]), 0, 127)))
    synth.generate(BLOCK, buffer=buf)
    out[i * BLOCK * 2:(i + 1) * BLOCK * 2] = np.frombuffer(buf, np.float32)
  _silence(synth)
  mono = audio_io.resample(out.reshape(-1, 2).mean(axis=1), RENDER_RATE,
                           sample_rate)
  n = int(round(performance.seconds * sample_rate))
  audio = np.pad(mono, (0, max(0, n - len(mono))))[:n]

  n_frames = int(performance.seconds * frame_rate) + 1
  frame_t = np.arange(n_frames) / frame_rate
  block_of_frame = np.minimum((frame_t * RENDER_RATE / BLOCK).astype(int),
                              n_blocks - 1)
  bend = (wheel[block_of_frame] - 8192) / 8192 * PITCH_BEND_RANGE * 100.0
  key = performance.key_at(block_of_frame * BLOCK / RENDER_RATE)
  voiced = key > 0
  f0_hz = np.where(voiced, signals.midi_to_hz(key + bend / 100.0), 0.0)
  return audio, f0_hz.astype(np.float32), voiced


def render_note(program, pitch, velocity=100, held_secs=3.0, release_secs=1.0,
                sample_rate=16000, soundfont=None):
  """Renders one note of a GM program: held, then released.

  Args:
    program: GM program number, 0-based (e.g. 40 violin).
    pitch: MIDI key number (69 = A4 = 440 Hz).
    velocity: MIDI velocity, 1..127.
    held_secs: Seconds between note-on and note-off.
    release_secs: Seconds rendered after note-off.
    sample_rate: Output rate in Hz (rendered at 48 kHz, then resampled).
    soundfont: Path of a .sf2/.sf3; default `default_soundfont()`.

  Returns:
    float32 [round((held_secs + release_secs) * sample_rate)] mono audio
    (the stereo render averaged).
  """
  performance = Performance([Note(int(pitch), int(velocity), 0.0, held_secs)],
                            held_secs + release_secs)
  return render_performance(program, performance, sample_rate,
                            soundfont=soundfont)[0]

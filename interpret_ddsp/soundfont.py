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

import functools
import os

import numpy as np

from interpret_ddsp import audio_io
from interpret_ddsp import errors

RENDER_RATE = 48000
GM_PROGRAMS = {
    'nylon_guitar': 24, 'violin': 40, 'cello': 42, 'trumpet': 56,
    'alto_sax': 65, 'clarinet': 71, 'flute': 73,
}


def default_soundfont():
  """Path of TimGM6mb.sf2 inside the installed pretty_midi package."""
  import pretty_midi  # pylint: disable=g-import-not-at-top
  path = os.path.join(os.path.dirname(pretty_midi.__file__), 'TimGM6mb.sf2')
  if not os.path.isfile(path):
    raise errors.EnvironmentProblem(
        f'The default soundfont {path} is missing: reinstall pretty_midi, or '
        'pass a soundfont path.')
  return path


def midi_to_hz(pitch):
  """Equal-tempered frequency of MIDI pitch (A4 = 69 = 440 Hz)."""
  return 440.0 * 2.0 ** ((np.asarray(pitch, np.float64) - 69.0) / 12.0)


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
  synth, sfid = _load(soundfont or default_soundfont())
  synth.sounds_off()
  synth.program_select(0, sfid, 0, int(program))
  synth.noteon(0, int(pitch), int(velocity))
  held = synth.generate(int(round(held_secs * RENDER_RATE)))
  synth.noteoff(0, int(pitch))
  released = synth.generate(int(round(release_secs * RENDER_RATE)))
  stereo = np.concatenate([np.frombuffer(held, np.float32),
                           np.frombuffer(released, np.float32)])
  mono = stereo.reshape(-1, 2).mean(axis=1)
  synth.sounds_off()
  out = audio_io.resample(mono, RENDER_RATE, sample_rate)
  n = int(round((held_secs + release_secs) * sample_rate))
  return np.pad(out, (0, max(0, n - len(out))))[:n]

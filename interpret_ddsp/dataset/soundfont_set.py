# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""An NSynth-like set of real sampled-instrument audio from a GM soundfont.

For each chosen GM program: single notes across the instrument's range at
several velocities (held, then released; 4 s by default as in NSynth: 3 s
held + 1 s release), and short monophonic melodies with velocity changes,
expression (CC11) swells and pitch-wheel vibrato. Every WAV gets a JSON
beside it with the ground-truth f0 per frame (what the synth was told to play,
pitch wheel included), voicing, and the notes. Keys the soundfont renders
silent are skipped and counted, with the reason, in `render_manifest.json`.

`interpret-ddsp render-soundfont` is a thin layer over `render_set`.
"""

import json
import os
import re

import numpy as np
import tqdm

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.score import soundfont
from interpret_ddsp.support import files

# GM program -> (name, lowest key, highest key): the usual playing range.
INSTRUMENTS = {
    24: ('nylon_guitar', 40, 84),
    40: ('violin', 55, 96),
    41: ('viola', 48, 88),
    42: ('cello', 36, 76),
    43: ('contrabass', 28, 57),  # FluidR3 has no sample above A3.
    56: ('trumpet', 54, 84),
    57: ('trombone', 40, 72),
    60: ('french_horn', 34, 77),
    64: ('soprano_sax', 56, 87),
    65: ('alto_sax', 49, 80),
    68: ('oboe', 58, 91),
    70: ('bassoon', 34, 75),
    71: ('clarinet', 50, 91),
    72: ('piccolo', 74, 102),
    73: ('flute', 60, 96),
}
SILENCE_RMS = 1e-4


def parse_programs(text):
  """'40,flute,71' -> [40, 73, 71]: GM numbers (0-based) or known names."""
  by_name = {name: program for program, (name, _, _) in INSTRUMENTS.items()}
  programs = []
  for item in (t.strip() for t in str(text).split(',') if t.strip()):
    if item.isdigit() and 0 <= int(item) <= 127:
      programs.append(int(item))
    elif item in by_name:
      programs.append(by_name[item])
    else:
      raise errors.UserError(
          f'Unknown GM program {item!r}: give a number 0..127 or one of '
          f'{", ".join(sorted(by_name))}.')
  if not programs:
    raise errors.UserError('No GM programs given.')
  return programs


def instrument(program):
  """(name, lowest key, highest key) for a GM program (generic if unknown)."""
  return INSTRUMENTS.get(program, (f'program{program:03d}', 48, 84))


def note_stem(program, key, velocity):
  """The file stem (folder/name, no extension) of a rendered single note.

  >>> note_stem(40, 58, 80)
  'violin_040/note_k058_v080'
  """
  name = instrument(program)[0]
  return f'{name}_{program:03d}/note_k{key:03d}_v{velocity:03d}'


_NOTE_STEM = re.compile(r'_(\d{3})/note_k(\d{3})_v(\d{3})$')


def parse_note_stem(path):
  """(program, key, velocity) of a rendered single note's path (a
  `note_stem`, with or without extension or folders above); None for
  anything else (a melody).

  >>> parse_note_stem('violin_040/note_k058_v080.wav')
  (40, 58, 80)
  >>> parse_note_stem('violin_040/melody_01.wav') is None
  True
  """
  match = _NOTE_STEM.search(os.path.splitext(path)[0])
  return None if match is None else tuple(int(g) for g in match.groups())


def random_melody(rng, low, high, seconds=4.0, release=0.5):
  """A monophonic melody with velocity changes, swells and vibrato.

  Args:
    rng: numpy Generator.
    low: Lowest MIDI key allowed.
    high: Highest MIDI key allowed.
    seconds: Total length, release included.
    release: Seconds after the last note-off.

  Returns:
    A soundfont.Performance.
  """
  notes, t = [], 0.1
  key = int(rng.integers(low + (high - low) // 4, high - (high - low) // 4))
  while True:
    duration = float(rng.uniform(0.3, 0.9))
    if t + duration > seconds - release:
      break
    notes.append(soundfont.Note(key, int(rng.integers(45, 121)), t, duration))
    t += duration + float(rng.choice([0.0, 0.0, 0.05, 0.1]))
    key = int(np.clip(key + rng.choice([-5, -3, -2, -1, 1, 2, 3, 4, 7]),
                      low, high))
  swell_hz = float(rng.uniform(0.2, 0.5))
  return soundfont.Performance(
      notes, seconds,
      vibrato_hz=float(rng.uniform(4.5, 6.5)),
      vibrato_cents=float(rng.uniform(15, 45)),
      vibrato_delay=0.15,
      expression=lambda x: 72 + 55 * np.sin(np.pi * swell_hz * x) ** 2)


def _plan(programs, key_step, velocities, n_melodies, held_secs,
          release_secs, melody_secs, seed):
  """[(program, file stem, Performance, metadata)] for the whole set."""
  plan = []
  for program in programs:
    name, low, high = instrument(program)
    folder = f'{name}_{program:03d}'
    for key in range(low, high + 1, key_step):
      for velocity in velocities:
        performance = soundfont.Performance(
            [soundfont.Note(key, velocity, 0.0, held_secs)],
            held_secs + release_secs)
        plan.append((program, note_stem(program, key, velocity),
                     performance, {'kind': 'note', 'midi_pitch': key,
                                   'velocity': velocity}))
    rng = np.random.default_rng([seed, program])
    for i in range(n_melodies):
      performance = random_melody(rng, low, high, melody_secs)
      plan.append((program, f'{folder}/melody_{i:02d}', performance, {
          'kind': 'melody',
          'vibrato_hz': performance.vibrato_hz,
          'vibrato_cents': performance.vibrato_cents}))
  return plan


def render_set(output_dir, programs, soundfont_path=None, sample_rate=16000,
               frame_rate=100, key_step=3, velocities=(50, 80, 110),
               n_melodies=4, held_secs=3.0, release_secs=1.0,
               melody_secs=4.0, seed=0, overwrite=False, progress=True):
  """Renders the set into `output_dir`; returns the manifest dict.

  Args:
    output_dir: Folder to write `<instrument>_<program>/*.wav|json` into.
    programs: GM program numbers (0-based).
    soundfont_path: .sf2/.sf3 path; default TimGM6mb.sf2 from pretty_midi.
    sample_rate: WAV sample rate in Hz.
    frame_rate: Rate of the ground-truth f0 frames in the JSON, Hz.
    key_step: Semitones between rendered single notes.
    velocities: MIDI velocities of the single notes.
    n_melodies: Melodies per program.
    held_secs: Seconds each single note is held.
    release_secs: Seconds rendered after its note-off.
    melody_secs: Length of each melody, seconds.
    seed: Seed of the melodies (same seed, same set).
    overwrite: Replace an existing rendered set in `output_dir`.
    progress: Show a tqdm progress bar.

  Returns:
    {'files': [relative wav paths], 'skipped': [{'file', 'reason'}],
     'counts': {...}, 'config': {...}}, also written as render_manifest.json.
  """
  soundfont_path = soundfont_path or soundfont.default_soundfont()
  manifest_path = os.path.join(output_dir, contracts.RENDER_MANIFEST)
  if os.path.exists(manifest_path) and not overwrite:
    raise errors.UserError(
        f'{output_dir} already holds a rendered set; pass --overwrite to '
        'replace it or choose another --output_dir.')
  config = {
      'soundfont': os.path.basename(soundfont_path), 'programs': programs,
      'sample_rate': sample_rate, 'frame_rate': frame_rate,
      'key_step': key_step, 'velocities': list(velocities),
      'n_melodies': n_melodies, 'held_secs': held_secs,
      'release_secs': release_secs, 'melody_secs': melody_secs,
      'seed': seed, 'renderer': 'tinysoundfont (no reverb/chorus), 48 kHz',
  }
  plan = _plan(programs, key_step, velocities, n_melodies, held_secs,
               release_secs, melody_secs, seed)
  written, skipped = [], []
  for program, stem, performance, meta in tqdm.tqdm(
      plan, desc='render', unit='file', disable=not progress):
    audio, f0_hz, voiced = soundfont.render_performance(
        program, performance, sample_rate, frame_rate, soundfont_path)
    held = audio[:int(performance.notes[-1].end * sample_rate)]
    if np.sqrt(np.mean(held.astype(np.float64) ** 2)) < SILENCE_RMS:
      skipped.append({'file': stem + '.wav', 'reason':
                      'silent: the soundfont has no sample for this key'})
      continue
    os.makedirs(os.path.join(output_dir, os.path.dirname(stem)),
                exist_ok=True)
    files.write_audio(os.path.join(output_dir, stem + '.wav'), audio,
                    sample_rate, subtype='FLOAT')
    record = {
        'source': 'soundfont', 'soundfont': config['soundfont'],
        'program': program, 'instrument': instrument(program)[0],
        **meta, 'sample_rate': sample_rate, 'frame_rate': frame_rate,
        'notes': [{'key': n.key, 'velocity': n.velocity, 'start': n.start,
                   'duration': n.duration} for n in performance.notes],
        'f0_hz': [round(float(f), 3) for f in f0_hz],
        'voiced': [int(v) for v in voiced],
    }
    files.write_json(os.path.join(output_dir, stem + '.json'), record,
                     indent=None)
    written.append(stem + '.wav')
  manifest = {
      'files': written, 'skipped': skipped, 'config': config,
      'counts': {'planned': len(plan), 'written': len(written),
                 'skipped': len(skipped)},
  }
  os.makedirs(output_dir, exist_ok=True)
  files.write_json(manifest_path, manifest)
  return manifest


def load_ground_truth(wav_path):
  """The JSON written beside a rendered WAV, with f0/voiced as arrays."""
  with open(os.path.splitext(wav_path)[0] + '.json') as f:
    record = json.load(f)
  record['f0_hz'] = np.asarray(record['f0_hz'], np.float32)
  record['voiced'] = np.asarray(record['voiced'], bool)
  return record

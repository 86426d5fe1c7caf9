# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Polyphony: notes that overlap (chords, parts) split into monophonic
voices, each rendered to its own f0/loudness curves, then mixed.

A DDSP decoder plays one f0 at a time, so a chord is several voices, each a
`controls.render_controls` line synthesized on its own and summed
(`mix`), as a synthesizer's voice allocator does:

- `allocate` gives each note, in start order, a free voice (one whose last
  note has ended), the one whose last pitch is nearest (parts keep their
  register: a bass stays in the bass voice); with every voice busy it opens
  a new one, up to `max_voices`; past that it steals the voice whose note
  started first (that note is cut where the new one starts).
- `render` turns the voices into equal-length `Controls`;
  `synthesize` renders them with one z per sound (plus the per-frame
  knob offsets the voices carry: a note's brightness, its attack noise)
  and sums them.

`max_voices=1` is the monophonic rule of earlier releases: the top voice
(`controls.top_voice`).

Example:
  >>> from interpret_ddsp.score.controls import Note
  >>> chord = [Note(60, 0, 1), Note(64, 0, 1), Note(67, 0, 1),
  ...          Note(65, 1, 2), Note(69, 1, 2), Note(72, 1, 2)]
  >>> alloc = allocate(chord)
  >>> [[n.pitch for n in v] for v in alloc.voices]
  [[60, 65], [64, 69], [67, 72]]
"""

import dataclasses

import numpy as np

from interpret_ddsp.score import controls as controls_lib

MAX_VOICES = 8  # A keyboard synth's usual count; the live instrument's too.
# A voice is free for a note that starts this little before its last
# note-off (MIDI files often overlap legato notes by a tick).
OVERLAP_TOLERANCE_SECS = 0.01


@dataclasses.dataclass
class Allocation:
  """Voices of a score.

  Attributes:
    voices: Lists of non-overlapping `Note`s in time order, one per voice;
      voice 0 holds the first note (the lowest of a first chord).
    stolen: Notes cut short because more than max_voices sounded at once.
    dropped: Notes dropped (cut to less than min_secs, or under a higher
      note with max_voices=1).
  """
  voices: list
  stolen: int = 0
  dropped: int = 0

  @property
  def n_notes(self):
    return sum(len(v) for v in self.voices)

  def message(self, max_voices):
    """One sentence on what allocation changed, or None."""
    parts = []
    if self.stolen:
      parts.append(f'{self.stolen} note(s) were cut short where more than '
                   f'{max_voices} sounded at once')
    if self.dropped:
      parts.append(f'{self.dropped} note(s) were dropped (under a higher '
                   'note, or cut to nothing)')
    return ('; '.join(parts) + '.') if parts else None


def _chords(notes, tolerance_secs=OVERLAP_TOLERANCE_SECS):
  """Notes grouped by onset (within tolerance), in time order."""
  groups = []
  for note in sorted(notes, key=lambda n: (n.start_secs, n.pitch)):
    if groups and note.start_secs - groups[-1][0].start_secs <= tolerance_secs:
      groups[-1].append(note)
    else:
      groups.append([note])
  return groups


def allocate(notes, max_voices=MAX_VOICES, min_secs=0.01):
  """Splits notes into at most max_voices monophonic voices (module doc).

  Notes starting together (a chord) are placed at once, matching them to
  voices by least squared pitch movement (scipy's linear_sum_assignment),
  which keeps the voices in pitch order: C-E-G then F-A-C moves each voice
  up by 5 semitones rather than the lowest by an octave.

  Args:
    notes: `controls.Note`s in any order, overlapping or not.
    max_voices: Most voices sounding at once (>= 1).
    min_secs: A stolen note cut shorter than this is dropped.

  Returns:
    `Allocation`.
  """
  import scipy.optimize  # pylint: disable=g-import-not-at-top
  if max_voices < 1:
    raise controls_lib.ControlsError(
        f'max_voices must be at least 1, got {max_voices}.')
  notes = [dataclasses.replace(n) for n in notes if n.end_secs > n.start_secs]
  if max_voices == 1:
    top = controls_lib.top_voice(notes, min_secs)
    return Allocation([top] if top else [], dropped=len(notes) - len(top))
  voices, stolen, dropped = [], 0, 0
  for chord in _chords(notes):
    t = chord[0].start_secs
    if len(chord) > max_voices:  # Keep the outer notes, drop inner ones.
      keep = sorted(chord, key=lambda n: n.pitch)
      keep = keep[:max_voices // 2] + keep[len(keep) - (max_voices -
                                                        max_voices // 2):]
      dropped += len(chord) - len(keep)
      chord = keep
    free = [i for i, v in enumerate(voices)
            if v[-1].end_secs <= t + OVERLAP_TOLERANCE_SECS]
    n_new = min(max_voices - len(voices), max(0, len(chord) - len(free)))
    busy = sorted((i for i in range(len(voices)) if i not in free),
                  key=lambda i: voices[i][-1].start_secs)  # Oldest first.
    steal = busy[:max(0, len(chord) - len(free) - n_new)]
    columns = ([('free', i) for i in free] + [('steal', i) for i in steal] +
               [('new', j) for j in range(n_new)])
    cost = np.zeros((len(chord), len(columns)))
    for c, (kind, i) in enumerate(columns):
      if kind == 'new':
        cost[:, c] = 1e6  # Only when no free voice is left.
      else:
        cost[:, c] = [(n.pitch - voices[i][-1].pitch) ** 2 for n in chord]
    rows, cols = scipy.optimize.linear_sum_assignment(cost)
    new_notes = []
    for r, c in zip(rows, cols):
      kind, i = columns[c]
      note = chord[r]
      if kind == 'new':
        new_notes.append(note)
        continue
      last = voices[i][-1]
      if kind == 'steal':
        stolen += 1
        if t - last.start_secs < min_secs:
          voices[i].pop()
          dropped += 1
        else:
          last.end_secs = t
      elif last.end_secs > t:  # Overlapping by less than the tolerance.
        last.end_secs = max(t, last.start_secs + 1e-6)
      voices[i].append(note)
    for note in sorted(new_notes, key=lambda n: n.pitch):
      voices.append([note])
  return Allocation([v for v in voices if v], stolen, dropped)


def render(voices, profile=None, frame_rate=controls_lib.DEFAULT_FRAME_RATE,
           tail_secs=0.5):
  """Per-voice `Controls`, all of the same length (the last note-off of
  any voice plus tail_secs).

  Args:
    voices: Lists of `Note`s (`Allocation.voices`).
    profile: As `controls.render_controls`, or a performer (an object
      with render_controls(notes, frame_rate, tail_secs, until_secs), e.g.
      `expression_model.Performer`: learned expression).
    frame_rate: Frames per second.
    tail_secs: Seconds after the last note-off.

  Returns:
    list of `Controls`, one per voice.
  """
  if not voices:
    raise controls_lib.ControlsError('No notes to render.')
  end = max(n.end_secs for v in voices for n in v)
  if hasattr(profile, 'render_controls'):
    return [profile.render_controls(v, frame_rate, tail_secs,
                                    until_secs=end + tail_secs)
            for v in voices]
  return [controls_lib.render_controls(v, profile, frame_rate, tail_secs,
                                       until_secs=end + tail_secs)
          for v in voices]


def stack(voice_controls):
  """(f0_hz [n_voices, n_frames], loudness_db [n_voices, n_frames])."""
  return (np.stack([c.f0_hz for c in voice_controls]),
          np.stack([c.loudness_db for c in voice_controls]))


def mix(audio):
  """Sums voices: audio [..., n_voices, n_samples] -> [..., n_samples]."""
  return np.sum(np.asarray(audio, np.float32), axis=-2)


def knob_offsets(knob_names, voice_controls):
  """Per-frame offsets of z's named dims [n_voices, n_frames,
  len(knob_names)] (knob_names in z order) from the
  voices' `Controls.knob_offsets` (zeros for knobs a voice leaves alone), or
  None when no voice has any.

  Raises:
    controls.ControlsError: an offset for a knob not in knob_names.
  """
  if not any(c.knob_offsets for c in voice_controls):
    return None
  out = np.zeros((len(voice_controls), voice_controls[0].n_frames,
                  len(knob_names)), np.float32)
  for i, c in enumerate(voice_controls):
    for knob, values in c.knob_offsets.items():
      if knob not in knob_names:
        if np.any(values):
          raise controls_lib.ControlsError(
              f'Per-note {knob} needs a model with a {knob} knob; this one '
              f'has {", ".join(knob_names)}.')
        continue
      out[i, :, list(knob_names).index(knob)] = values
  return out


def synthesize(model, voice_controls, z, batch_voices=32, mixed=True):
  """Renders every voice with each z and mixes them.

  Args:
    model: A timbre model (`TimbreAutoencoder.synthesize`).
    voice_controls: list of equal-length `Controls` (`render`).
    z: [n_sounds, z_dims], one timbre per sound (all its voices share it).
    batch_voices: Voices synthesized per model call.
    mixed: Sum the voices; False returns them apart.

  Returns:
    float32 audio [n_sounds, n_samples], the voices summed (mixed=False:
    [n_sounds, n_voices, n_samples]).
  """
  f0, ld = stack(voice_controls)
  z = np.asarray(z, np.float32)
  n, v = len(z), len(voice_controls)
  f0_all = np.tile(f0, (n, 1))
  ld_all = np.tile(ld, (n, 1))
  z_all = np.repeat(z, v, axis=0)
  offsets = knob_offsets(model.knob_names, voice_controls)
  if offsets is not None:  # Per-frame z: [n * v, n_frames, z_dims].
    # The named knobs are z's first dims (model.z_from_knobs).
    k = offsets.shape[-1]
    z_all = np.repeat(z_all[:, np.newaxis, :], offsets.shape[1], axis=1)
    z_all[..., :k] += np.tile(offsets, (n, 1, 1))
  parts = [model.synthesize(f0_all[i:i + batch_voices],
                            ld_all[i:i + batch_voices],
                            z_all[i:i + batch_voices]).numpy()
           for i in range(0, n * v, batch_voices)]
  audio = np.concatenate(parts).reshape(n, v, -1)
  return mix(audio) if mixed else audio

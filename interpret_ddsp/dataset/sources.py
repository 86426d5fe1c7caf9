# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Where the data pipeline's audio comes from: work items and their loaders.

A *work item* is a small, picklable dict that a Beam worker turns into audio:
  recordings: {'kind': 'file', 'path', metadata...} for each file found;
  soundfont:  the same, for files rendered by `soundfont_set.render_set`,
              with instrument / MIDI pitch / velocity from their JSON;
  nsynth:     {'kind': 'tfds', 'name', 'split', 'slice', 'data_dir',
              'filters'} - a slice of a tensorflow-datasets split.
`load_item` yields (source id, mono float32 audio, sample rate, metadata) for
each sound in an item, or raises `SkipItem` with the reason.
"""

import glob
import os

import numpy as np

from interpret_ddsp import errors
from interpret_ddsp.support import audio_io

AUDIO_EXTENSIONS = ('.wav', '.flac', '.ogg', '.oga', '.aiff', '.aif', '.mp3')
NSYNTH_NAMES = ('nsynth/gansynth_subset.f0_and_loudness', 'nsynth/full',
                'nsynth/gansynth_subset')
# NSynth label vocabularies (tfds ClassLabel order).
NSYNTH_FAMILIES = ('bass', 'brass', 'flute', 'guitar', 'keyboard', 'mallet',
                   'organ', 'reed', 'string', 'synth_lead', 'vocal')
NSYNTH_SOURCES = ('acoustic', 'electronic', 'synthetic')


class SkipItem(Exception):
  """This input cannot be used; str(e) is the reason (counted, not fatal)."""


SCORE_EXTENSIONS = ('.mid', '.midi')


def metadata(source_file, instrument='', midi_pitch=-1, velocity=-1):
  """Per-example metadata stored next to ddsp's keys."""
  return {'source_file': str(source_file), 'instrument': str(instrument),
          'midi_pitch': int(midi_pitch), 'velocity': int(velocity)}


def recording_items(input_path):
  """Work items for a folder (searched recursively) or a glob of files.

  Files in a folder whose extension is not audio still become items, so that
  they are reported as skipped (with the reason) rather than ignored; a
  MIDI file named as a recording (take.wav, take.mid) is its aligned
  score instead (the item's 'score').

  Raises:
    errors.UserError: nothing matches.
  """
  if os.path.isdir(input_path):
    paths = sorted(p for p in glob.glob(os.path.join(input_path, '**', '*'),
                                        recursive=True)
                   if os.path.isfile(p) and not os.path.basename(
                       p).startswith('.'))
  else:
    paths = sorted(p for p in glob.glob(input_path, recursive=True)
                   if os.path.isfile(p))
  if not paths:
    raise errors.UserError(f'No files found at {input_path}.')
  # A MIDI file beside a recording, with its name (take.wav, take.mid), is
  # that recording's score (aligned: its times are the recording's).
  stems = {}
  for p in paths:
    stem, ext = os.path.splitext(p)
    if ext.lower() not in SCORE_EXTENSIONS:
      stems.setdefault(stem, p)
  scores = {}
  for p in paths:
    stem, ext = os.path.splitext(p)
    if ext.lower() in SCORE_EXTENSIONS and stem in stems:
      scores[stems[stem]] = p
  return [dict({'kind': 'file', **metadata(p)},
               **({'score': scores[p]} if p in scores else {}))
          for p in paths if p not in scores.values()]


def rendered_items(render_dir, manifest):
  """Work items for a set written by soundfont_set.render_set."""
  from interpret_ddsp.dataset import soundfont_set  # pylint: disable=g-import-not-at-top
  items = []
  for name in manifest['files']:
    path = os.path.join(render_dir, name)
    truth = soundfont_set.load_ground_truth(path)
    items.append({'kind': 'file', 'ground_truth': True, **metadata(
        path, truth['instrument'], truth.get('midi_pitch', -1),
        truth.get('velocity', -1))})
  return items


def nsynth_items(name='nsynth/gansynth_subset.f0_and_loudness',
                 split='train', data_dir=None, n_slices=10, families=None,
                 sources=None, pitch_range=None, velocities=None):
  """Work items covering a tfds NSynth split in `n_slices` percent slices.

  Args:
    name: tfds name of an NSynth config.
    split: tfds split name ('train', 'valid', 'test').
    data_dir: tfds data_dir with the prepared dataset (None: tfds default).
    n_slices: Number of work items (Beam parallelism); must divide 100.
    families: Keep only these instrument families (names), or None.
    sources: Keep only these sources ('acoustic', ...), or None.
    pitch_range: (lowest, highest) MIDI pitch kept, inclusive, or None.
    velocities: Keep only these MIDI velocities, or None.
  """
  if name not in NSYNTH_NAMES:
    raise errors.UserError(f'Unknown NSynth dataset {name!r}; use one of '
                           f'{", ".join(NSYNTH_NAMES)}.')
  if 100 % n_slices:
    raise errors.UserError('n_slices must divide 100.')
  for given, known, what in ((families, NSYNTH_FAMILIES, 'family'),
                             (sources, NSYNTH_SOURCES, 'source')):
    unknown = sorted(set(given or ()) - set(known))
    if unknown:
      raise errors.UserError(f'Unknown NSynth instrument {what} {unknown}; '
                             f'known: {", ".join(known)}.')
  filters = {'families': list(families or ()), 'sources': list(sources or ()),
             'pitch_range': list(pitch_range) if pitch_range else None,
             'velocities': list(velocities or ())}
  step = 100 // n_slices
  return [{'kind': 'tfds', 'name': name, 'data_dir': data_dir,
           'split': f'{split}[{i}%:{i + step}%]' if n_slices > 1 else split,
           'filters': filters, 'source_file': f'{name}/{split}'}
          for i in range(0, 100, step)]


def nsynth_keep(example, filters):
  """Whether an NSynth example passes the filters of nsynth_items."""
  family = NSYNTH_FAMILIES[int(example['instrument']['family'])]
  source = NSYNTH_SOURCES[int(example['instrument']['source'])]
  pitch = int(example['pitch'])
  if filters['families'] and family not in filters['families']:
    return False
  if filters['sources'] and source not in filters['sources']:
    return False
  if filters['pitch_range'] and not (
      filters['pitch_range'][0] <= pitch <= filters['pitch_range'][1]):
    return False
  if filters['velocities'] and int(example['velocity']) not in filters[
      'velocities']:
    return False
  return True


def _load_tfds(item):
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  dataset = tfds.load(item['name'], split=item['split'],
                      data_dir=item['data_dir'], shuffle_files=False,
                      download=False)
  for example in tfds.as_numpy(dataset):
    if not nsynth_keep(example, item['filters']):
      continue
    family = NSYNTH_FAMILIES[int(example['instrument']['family'])]
    source = NSYNTH_SOURCES[int(example['instrument']['source'])]
    note_id = example['id'].decode() if isinstance(
        example['id'], bytes) else str(example['id'])
    yield (f'{item["name"]}/{note_id}',
           np.asarray(example['audio'], np.float32), 16000,
           metadata(f'{item["name"]}/{note_id}', f'{family}_{source}',
                    example['pitch'], example['velocity']))


def load_item(item, sample_rate=None):
  """Yields (source id, audio float32 [n], rate Hz, metadata) of an item.

  Raises:
    SkipItem: an unreadable or unsupported file (NSynth items never skip
      whole; their examples are filtered).
  """
  if item['kind'] == 'tfds':
    yield from _load_tfds(item)
    return
  path = item['source_file']
  if not path.lower().endswith(AUDIO_EXTENSIONS):
    raise SkipItem(f'unsupported format {os.path.splitext(path)[1] or "(none)"}'
                   f' (use one of {", ".join(AUDIO_EXTENSIONS)})')
  try:
    audio, rate = audio_io.load_audio(path, sample_rate)
  except audio_io.AudioLoadError as e:
    why = getattr(e.__cause__, 'error_string', None) or str(e.__cause__ or e)
    raise SkipItem(f'unreadable audio ({why[:120]})') from e
  meta = {k: item[k] for k in ('source_file', 'instrument', 'midi_pitch',
                               'velocity')}
  yield path, audio, rate, meta

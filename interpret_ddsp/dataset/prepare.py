# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The data pipeline (Apache Beam): audio -> TFRecords for ddsp and for us.

One pipeline for every source (see interpret_ddsp.dataset.sources):

  work items -> load (mono; skip bad input with a reason) -> resample to
  `sample_rate` and to 16 kHz -> chunks -> f0 + confidence (CREPE through
  ddsp, not run on silence), loudness (ddsp's A-weighted dB), timbre
  descriptors -> windows of `example_secs` every `hop_secs` -> train/eval by
  a hash of the source (or, when that leaves one split empty, by time
  within each file: `split_mode`) -> TFRecord shards `train.tfrecord-*` /
  `eval.tfrecord-*`

Each example holds ddsp's keys (`audio`, `audio_16k`, `f0_hz`,
`f0_confidence`, `loudness_db`; frame counts as ddsp's `TFRecordProvider`
expects), our descriptor keys (interpret_ddsp.analysis.descriptors.DESCRIPTOR_NAMES)
and metadata (`source_file`, `instrument`, `midi_pitch`, `velocity`,
`start_secs`, `augmentation`; the keys are `contracts`'). With `augment`,
each train window also comes as that many randomly equalized copies
(interpret_ddsp.dataset.augment), `augmentation` 1, 2, ... Beside the shards: `manifest.json`
(counts, durations, skipped inputs and why, the config, timings, and each
raw descriptor's moments over voiced frames as a summary) and
`dataset_statistics.json` (ddsp's `compute_dataset_statistics`).

`load` names every window each chunk should give (`window_starts`); after
the pipeline, the shards are read back, and windows that are neither there
nor dropped on purpose (silent, or across the time split) are made again, their chunks alone and only the
windows still missing (Beam's local multi-threaded runner lost some
without an error until `compat` stopped its time-based output flush, shim
9; the check stays for other runners); what stays missing, and any window
written twice, is counted in the manifest (`missing_windows`,
`MAX_RETRIES`).

The runner is Beam's: by default the local DirectRunner with one worker
thread more than there are cores; any Beam pipeline options (e.g.
`--runner=FlinkRunner --flink_master=...`, `--runner=DataflowRunner
--project=...`, or `--runner=apache_beam.runners.dask.dask_runner.DaskRunner
--dask_client_address=...`) pass through unchanged.
"""

import glob
import hashlib
import json
import os
import shutil
import threading
import time
import uuid

import apache_beam as beam
import numpy as np

from interpret_ddsp.analysis import features
from interpret_ddsp import compat
from interpret_ddsp import contracts
from interpret_ddsp.dataset import augment
from interpret_ddsp.dataset import sources
from interpret_ddsp import errors
from interpret_ddsp.support import audio_io
from interpret_ddsp.support import files

SILENCE_PEAK = 1e-4  # Peak amplitude under which audio counts as silent.
_REPORTS = '_reports'
_NOTES = '_notes'
_OUTPUTS = (contracts.split_pattern('', contracts.TRAIN_SPLIT),
            contracts.split_pattern('', contracts.EVAL_SPLIT),
            contracts.DATASET_MANIFEST, contracts.DDSP_STATISTICS,
            contracts.DDSP_QUANTILES, contracts.NOTE_EXPRESSION, '.*.tmp',
            '_reports/*', '_notes/*')


def split_of(source_id, eval_fraction):
  """'eval' or 'train', fixed by a hash of the source (no leakage).

  A file path is hashed by its last two components (folder/name), so the
  same files get the same split wherever the data lives.
  """
  key = '/'.join(str(source_id).replace('\\', '/').split('/')[-2:])
  digest = hashlib.sha1(key.encode()).hexdigest()
  return 'eval' if int(digest[:8], 16) / 2 ** 32 < eval_fraction else 'train'


def check_config(sample_rate, frame_rate, example_secs, hop_secs, chunk_secs):
  """Raises UserError unless windows are whole samples and frames."""
  try:
    for rate in (sample_rate, features.CREPE_SAMPLE_RATE, frame_rate):
      features.n_frames(example_secs, rate)
      features.n_frames(chunk_secs, rate)
    features.n_frames(hop_secs, frame_rate)
  except ValueError as e:
    raise errors.UserError(f'Incompatible timing: {e}') from e
  if hop_secs <= 0 or example_secs <= 0 or chunk_secs < example_secs:
    raise errors.UserError('Need 0 < hop_secs, 0 < example_secs <= '
                           'chunk_secs.')
  if 16000 % frame_rate:
    raise errors.UserError(f'frame_rate {frame_rate} must divide 16000 '
                           '(ddsp computes features on 16 kHz audio).')


# DoFns emit (MAIN, element) or (REPORT, summary dict) pairs, split later by
# two Filters: multi-output ParDos (TaggedOutput) are not honoured by every
# runner (Beam 2.77's Dask runner sends all outputs to the main one).
MAIN, REPORT, NOTES = 'main', 'report', 'notes'


def _main():
  """Transform keeping the MAIN elements of (kind, element) pairs."""
  return beam.Filter(lambda pair: pair[0] == MAIN) | beam.Values()


# `load` reports each window a chunk should give as [chunk key, source
# file, start s, augmentation] ('windows_expected'); `featurize` each window
# it drops (as silent, or straddling the time split) as [source file, start
# s, augmentation] ('dropped_keys'). Lists join on merge. An augmented copy
# (`augment`) is a chunk of its own for this bookkeeping: its chunk key
# ends in AUGMENT_SEP and its index.
WINDOW_LISTS = ('windows_expected', 'dropped_keys')
CHUNK_SEP = '@'
AUGMENT_SEP = '#eq'
# Passes over the windows a run lost before they count as missing.
MAX_RETRIES = 3


def chunk_key(source_id, offset_secs):
  """Name of one chunk of a source, e.g. 'violin/a.wav@20.000'."""
  return f'{source_id}{CHUNK_SEP}{offset_secs:.3f}'


def augmented_key(key, augmentation):
  """Chunk key of a chunk's augmented copy (0: the chunk itself).

  >>> augmented_key('violin/a.wav@20.000', 2)
  'violin/a.wav@20.000#eq2'
  """
  return f'{key}{AUGMENT_SEP}{augmentation}' if augmentation else key


def window_id(source_file, start_secs, augmentation=0):
  """(source file, start rounded to 1 ms, augmentation): one example, as
  stored."""
  return (str(source_file), round(float(start_secs), 3), int(augmentation))


def written_windows(output_dir, counts=None, read=None):
  """{window_id: how many examples} over the shards in output_dir.

  Args:
    output_dir: The dataset folder.
    counts: The counts of the shards named in `read`, to add to (updated in
      place); None: start from nothing.
    read: Names of shards already counted (a set, updated in place): a
      shard, once renamed into place, does not change, so a later pass
      reads only the shards it wrote.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  spec = {k: data.METADATA_FEATURES[k]
          for k in ('source_file', 'start_secs', 'augmentation')}
  counts = {} if counts is None else counts
  read = set() if read is None else read
  shards = sorted(set(glob.glob(os.path.join(output_dir, '*.tfrecord-*')))
                  - read)
  read.update(shards)
  if not shards:
    return counts
  records = tf.data.TFRecordDataset(shards).map(
      lambda r: tf.io.parse_single_example(r, spec)).batch(4096)
  for batch in records:
    for f, t, k in zip(batch['source_file'].numpy(),
                       batch['start_secs'].numpy(),
                       batch['augmentation'].numpy()):
      key = window_id(f.decode(), t, k)
      counts[key] = counts.get(key, 0) + 1
  return counts


def missing_windows(summary, written):
  """{chunk key: [start s, ...]} of expected windows that are neither in
  the shards nor dropped on purpose (silent, or across the time split).

  Beam's local DirectRunner in multi_threading mode (our default) was seen
  to lose examples without an error: a full prepare of the shipped recipe
  wrote 4913 of 5059 train windows; one of three runs over three of its
  instruments 2610 of 2687, the other two all of them.
  """
  dropped = {window_id(*k) for k in summary.get('dropped_keys', ())}
  out = {}
  for key, source, start, augmentation in summary.get('windows_expected',
                                                      ()):
    w = window_id(source, start, augmentation)
    if w not in written and w not in dropped:
      out.setdefault(key, []).append(w[1])
  return out


def _measured_note_rows(audio_16k, f0, loudness, notes, frame_rate):
  """`expression.note_expression` rows of `notes` on the audio, with
  brightness (octaves re f0) and attack noise (dB) measured at f0."""
  from interpret_ddsp.analysis import knobs  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import expression  # pylint: disable=g-import-not-at-top
  f0 = np.asarray(f0, np.float32)
  values = features.compute_descriptors(
      audio_16k, f0, frame_rate,
      names=('harmonic_spectral_centroid', 'noise_ratio'))
  brightness = np.log2(np.maximum(values['harmonic_spectral_centroid'], 0.5))
  weights = knobs.frame_weights(loudness, needs_f0=True, f0_hz=f0).numpy()
  weights = weights * (f0 > 0)
  return expression.note_expression(f0, loudness, notes, frame_rate,
                                    brightness=brightness,
                                    noisiness=values['noise_ratio'],
                                    weights=weights)


def note_rows(audio_16k, wav_path, frame_rate):
  """Expression of each note of a rendered file (its ground-truth notes
  and f0 from the JSON beside it; loudness and the knobs' descriptors
  measured on the audio): `expression.note_expression` rows, brightness
  in octaves re f0 and attack noise in dB (not yet in knob units)."""
  from interpret_ddsp.dataset import soundfont_set  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import controls  # pylint: disable=g-import-not-at-top
  truth = soundfont_set.load_ground_truth(wav_path)
  if not truth.get('notes'):
    return []
  loudness = features.compute_loudness(audio_16k, frame_rate)
  n = len(loudness)
  t_truth = np.arange(len(truth['f0_hz'])) / float(truth['frame_rate'])
  f0 = np.interp(np.arange(n) / float(frame_rate), t_truth,
                 np.where(truth['voiced'], truth['f0_hz'], 0.0))
  notes = [controls.Note(n['key'], n['start'], n['start'] + n['duration'],
                         n['velocity']) for n in truth['notes']]
  return _measured_note_rows(audio_16k, f0, loudness, notes, frame_rate)


def _recording_curves(audio_16k, frame_rate, crepe_model, viterbi,
                      silence_db):
  """(f0 Hz, CREPE confidence, ddsp loudness dB) [n] of a whole recording
  at feature frames, one length."""
  loudness = features.compute_loudness(audio_16k, frame_rate)
  f0, confidence = features.compute_f0(audio_16k, frame_rate,
                                       crepe_model=crepe_model,
                                       viterbi=viterbi, silence_db=silence_db)
  n = min(len(loudness), len(f0))
  return f0[:n], confidence[:n], loudness[:n]


def scored_note_rows(audio_16k, score_path, frame_rate, crepe_model='tiny',
                     viterbi=True, silence_db=features.SILENCE_DB):
  """`note_rows` for a recording with an aligned MIDI score: the score's
  notes (its top voice: a monophonic recording), expression measured at
  the recording's own f0 (CREPE). Raises controls.ControlsError for an
  unreadable score."""
  from interpret_ddsp.score import controls  # pylint: disable=g-import-not-at-top
  notes = controls.top_voice(controls.notes_from_midi(score_path))
  f0, _, loudness = _recording_curves(audio_16k, frame_rate, crepe_model,
                                      viterbi, silence_db)
  return _measured_note_rows(audio_16k, f0, loudness, notes, frame_rate)


def detected_note_rows(audio_16k, frame_rate, crepe_model='tiny',
                       viterbi=True, silence_db=features.SILENCE_DB):
  """`note_rows` for a plain recording: its notes found by
  `note_detection.detect_notes` on its own f0 (CREPE over the whole file)
  and loudness, their expression measured at that f0."""
  from interpret_ddsp.score import note_detection  # pylint: disable=g-import-not-at-top
  f0, confidence, loudness = _recording_curves(
      audio_16k, frame_rate, crepe_model, viterbi, silence_db)
  notes = note_detection.detect_notes(f0, loudness, frame_rate,
                                      confidence=confidence)
  if not notes:
    return []
  return _measured_note_rows(audio_16k, f0, loudness, notes, frame_rate)


def split_mode(items, eval_fraction):
  """'source' (whole sources to train or eval, by `split_of`) or 'time'.

  'time' when every item is a file and the source hash would put none of
  the audio files (by extension; read or not), or all of them, in eval: a
  few long recordings, DDSP's classic case (four 10 s files gave 27 train
  and 0 eval examples). Then each file gives its last `eval_fraction` of
  time to eval (`window_split`), and the manifest says so
  (config.split_by, counts.sources_time_split).

  >>> split_mode([{'kind': 'file', 'source_file': f'rec/long{i}.wav'}
  ...             for i in range(4)], 0.1)
  'time'
  """
  if eval_fraction <= 0 or any(i.get('kind') != 'file' for i in items):
    return 'source'
  audio = [i['source_file'] for i in items
           if i['source_file'].lower().endswith(sources.AUDIO_EXTENSIONS)]
  splits = {split_of(path, eval_fraction) for path in audio}
  return 'time' if len(splits) == 1 else 'source'


def eval_boundary(source_secs, eval_fraction):
  """Where a source's eval stretch starts under the time split, in s."""
  return source_secs * (1.0 - eval_fraction)


def window_split(start_secs, example_secs, source_secs, eval_fraction):
  """Split of a window under the time split: 'train' if it ends by the
  boundary at (1 - eval_fraction) of the source, 'eval' if it starts at or
  after it, None (dropped) if it straddles it, so no audio is in both.

  >>> [window_split(s, 1.0, 10.0, 0.2) for s in (6.5, 7.0, 7.5, 8.0)]
  ['train', 'train', None, 'eval']
  """
  boundary = eval_boundary(source_secs, eval_fraction)
  if start_secs + example_secs <= boundary + 1e-9:
    return 'train'
  if start_secs >= boundary - 1e-9:
    return 'eval'
  return None


class LoadFn(beam.DoFn):
  """Work item -> (MAIN, chunk {audio, audio_16k, meta, split}) pairs, and
  (REPORT, {...}) for what to count (sources, skipped inputs)."""

  def __init__(self, config):
    self._config = config

  def process(self, item):
    c = self._config
    try:
      for source_id, audio, rate, meta in sources.load_item(item):
        reason = None
        if not np.all(np.isfinite(audio)):
          reason = 'non-finite samples (NaN or inf)'
        elif len(audio) / rate < c['example_secs']:
          reason = (f'shorter than one example ({len(audio) / rate:.2f} s < '
                    f'{c["example_secs"]} s)')
        elif np.max(np.abs(audio)) < SILENCE_PEAK:
          reason = 'silent'
        if reason:
          yield (REPORT, {'skipped': {
              'file': source_id, 'reason': reason}})
          continue
        source_secs = len(audio) / rate
        split = ('time' if c.get('split_by') == 'time'
                 else split_of(source_id, c['eval_fraction']))
        only = c.get('only_chunks')  # A retry: {chunk key: [start s]}.
        if only is not None:
          if not any(k.startswith(source_id + CHUNK_SEP) for k in only):
            continue
        else:
          yield (REPORT, {
              'source': 1, 'audio_secs': source_secs, 'split': split})
        audio_16k = audio_io.resample(audio, rate, features.CREPE_SAMPLE_RATE)
        rows = []
        if item.get('ground_truth'):
          rows = note_rows(audio_16k, source_id, c['frame_rate'])
        elif item.get('score'):
          try:
            rows = scored_note_rows(audio_16k, item['score'], c['frame_rate'],
                                    c['crepe_model'], c['viterbi'],
                                    c['f0_silence_db'])
          except errors.UserError as e:  # The audio is still used.
            yield (REPORT, {'skipped': {'file': item['score'],
                                        'reason': f'score not used: {e}'}})
        elif c.get('detect_notes'):
          rows = detected_note_rows(audio_16k, c['frame_rate'],
                                    c['crepe_model'], c['viterbi'],
                                    c['f0_silence_db'])
        for row in (rows if only is None else ()):
          note_split = split if split != 'time' else (
              'eval' if row['onset_secs'] >= eval_boundary(
                  source_secs, c['eval_fraction']) else 'train')
          yield (NOTES, {**row, 'split': note_split,
                         'instrument': meta.get('instrument') or 'unknown',
                         'source_file': meta['source_file']})
        audio_sr = (audio_16k if c['sample_rate'] == features.CREPE_SAMPLE_RATE
                    else audio_io.resample(audio, rate, c['sample_rate']))
        copies = range(1 if split == contracts.EVAL_SPLIT
                       else c.get('augment', 0) + 1)
        for offset, a_sr, a_16k in features.chunk_audio(
            audio_sr, audio_16k, c['sample_rate'], c['frame_rate'],
            c['chunk_secs'], c['example_secs']):
          key = chunk_key(source_id, offset)
          wanted = None  # A retry: {augmentation: [start s]} still missing.
          if only is not None:
            wanted = {k: only[augmented_key(key, k)] for k in copies
                      if augmented_key(key, k) in only}
            if not wanted:
              continue
          else:
            starts = [offset + start for start in features.window_starts(
                len(a_16k) / features.CREPE_SAMPLE_RATE, c['frame_rate'],
                c['example_secs'], c['hop_secs'])]
            # Augmented copies only of train windows.
            yield (REPORT, {'windows_expected': [
                [augmented_key(key, k), meta['source_file'], start, k]
                for k in copies for start in starts
                if not k or split != 'time' or window_split(
                    start, c['example_secs'], source_secs,
                    c['eval_fraction']) == contracts.TRAIN_SPLIT]})
          yield (MAIN, {'audio': a_sr, 'audio_16k': a_16k,
                        'offset_secs': offset, 'meta': meta, 'split': split,
                        'source_secs': source_secs, 'copies': len(copies),
                        'only_starts': wanted})
    except sources.SkipItem as e:
      yield (REPORT, {'skipped': {
          'file': item['source_file'], 'reason': str(e)}})


def _failed(chunk, what, error):
  """The (REPORT, skipped) pair of a chunk whose `what` raised `error`."""
  return (REPORT, {'skipped': {
      'file': chunk['meta']['source_file'],
      'reason': f'{what} failed ({type(error).__name__}: '
                f'{str(error)[:160]})'}})


class FeaturizeFn(beam.DoFn):
  """Chunk -> (MAIN, example dict of arrays) pairs, and (REPORT, {...});
  progress shown."""

  def __init__(self, config):
    self._config = config
    self._bar = None

  _load_lock = threading.Lock()

  def setup(self):
    import crepe.core  # pylint: disable=g-import-not-at-top
    # Threads of one worker share crepe's model cache: build it once.
    with FeaturizeFn._load_lock:
      crepe.core.build_and_load_model(self._config['crepe_model'])

  def process(self, chunk):
    c = self._config
    try:
      feats = features.compute_features(
          chunk['audio_16k'], c['frame_rate'], c['f0_frame_rate'],
          c['crepe_model'], c['viterbi'], silence_db=c['f0_silence_db'])
    except Exception as e:  # pylint: disable=broad-except
      # One bad chunk must not take the whole pipeline down: count it.
      yield _failed(chunk, 'feature extraction', e)
      return
    only = chunk.get('only_starts')
    for k in range(chunk.get('copies', 1)):
      if only is not None and k not in only:
        continue  # A retry makes only the windows still missing.
      if not k:
        yield from self._windows(chunk, chunk['audio'], chunk['audio_16k'],
                                 feats, 0)
        continue
      try:
        audio, audio_16k, feats_k = self._augmented(chunk, feats, k)
      except Exception as e:  # pylint: disable=broad-except
        yield _failed(chunk, f'augmented copy {k}', e)
        continue
      yield from self._windows(chunk, audio, audio_16k, feats_k, k)
    self._progress(len(chunk['audio_16k']) / 16000)

  def _augmented(self, chunk, feats, k):
    """The chunk's k-th augmented copy: (audio, audio_16k, features), f0
    its original's, loudness and descriptors measured on the copy."""
    c = self._config
    audio, audio_16k = augment.augment_pair(
        chunk['audio'], chunk['audio_16k'], c['sample_rate'],
        augment.seed_of(chunk['meta']['source_file'],
                        round(float(chunk['offset_secs']), 3), k))
    return audio, audio_16k, features.features_given_f0(
        audio_16k, feats['f0_hz'], feats['f0_confidence'], c['frame_rate'],
        tuple(c['descriptor_keys']))

  def _windows(self, chunk, audio, audio_16k, feats, k):
    """Windows of one copy (k: its augmentation, 0 the chunk itself) ->
    (MAIN, example) and (REPORT, {...}) pairs."""
    c = self._config
    n_16k = int(round(c['example_secs'] * features.CREPE_SAMPLE_RATE))
    only = chunk.get('only_starts')
    source_file = chunk['meta']['source_file']
    for start, window, frames in features.split_examples(
        audio, feats, c['sample_rate'], c['frame_rate'],
        c['example_secs'], c['hop_secs']):
      a0 = int(round(start * features.CREPE_SAMPLE_RATE))
      begin = chunk['offset_secs'] + start
      if only is not None and not any(abs(begin - s) < 5e-4
                                      for s in only[k]):
        continue
      split = chunk['split']
      if split == 'time':
        split = window_split(begin, c['example_secs'], chunk['source_secs'],
                             c['eval_fraction'])
        if k and split != contracts.TRAIN_SPLIT:
          continue  # Never expected (load): eval is not augmented.
      if np.max(np.abs(window)) < SILENCE_PEAK:
        yield (REPORT, {'silent_windows': 1, 'dropped_keys': [
            [source_file, begin, k]]})
        continue
      if split is None:
        yield (REPORT, {'boundary_windows': 1, 'dropped_keys': [
            [source_file, begin, k]]})
        continue
      yield (MAIN, {'split': split, 'audio': window,
                    'audio_16k': audio_16k[a0:a0 + n_16k], **frames,
                    **chunk['meta'], 'start_secs': begin,
                    'augmentation': k})

  def _progress(self, secs):
    if not self._config.get('progress'):
      return
    if self._bar is None:
      import tqdm  # pylint: disable=g-import-not-at-top
      self._bar = tqdm.tqdm(desc=f'prepare (worker {os.getpid()})',
                            unit=' audio-s', mininterval=2.0)
    self._bar.update(secs)

  def teardown(self):
    if self._bar is not None:
      self._bar.close()


def to_tf_example(example):
  """Serializes an example dict (see module doc) as a tf.train.Example."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  feature = {}
  for key, value in example.items():
    if key == 'split':
      continue
    if isinstance(value, str):
      feature[key] = tf.train.Feature(
          bytes_list=tf.train.BytesList(value=[value.encode()]))
    elif isinstance(value, (int, np.integer)):
      feature[key] = tf.train.Feature(
          int64_list=tf.train.Int64List(value=[int(value)]))
    else:
      # Python floats: protobuf copies a list 5x faster than NumPy scalars.
      feature[key] = tf.train.Feature(float_list=tf.train.FloatList(
          value=np.atleast_1d(np.asarray(value, np.float32)).tolist()))
  return tf.train.Example(features=tf.train.Features(feature=feature))


def example_report(example, descriptor_keys):
  """What an example adds to the summary: its split and descriptor moments.

  Moments are over voiced frames (f0 confidence > 0.5), where the
  f0-based descriptors are defined.
  """
  voiced = example['f0_confidence'] > 0.5
  moments = {}
  for key in descriptor_keys:
    x = np.asarray(example[key], np.float64)[voiced]
    if x.size:
      moments[key] = [float(x.size), float(x.sum()), float((x ** 2).sum()),
                      float(x.min()), float(x.max())]
  report = {'examples_' + example['split']: 1, 'moments': moments}
  if example.get('augmentation'):
    report['examples_augmented'] = 1
  return report


def merge_reports(reports):
  """Merges report dicts: numbers add, 'skipped' and the window lists join,
  moments merge, each 'split' counts a source of that split."""
  out = {}
  for report in reports:
    for key, value in report.items():
      if key in ('skipped',) + WINDOW_LISTS:
        items = value if isinstance(value, list) else [value]
        out.setdefault(key, []).extend(items)
      elif key == 'moments':
        merged = out.setdefault('moments', {})
        for name, (n, s, ss, lo, hi) in value.items():
          if name in merged:
            m = merged[name]
            merged[name] = [m[0] + n, m[1] + s, m[2] + ss, min(m[3], lo),
                            max(m[4], hi)]
          else:
            merged[name] = [n, s, ss, lo, hi]
      elif key == 'split':
        out['sources_' + value] = out.get('sources_' + value, 0) + 1
      else:
        out[key] = out.get(key, 0) + value
  return out


class WriteShardsFn(beam.DoFn):
  """Writes each bundle's examples to its own TFRecord shard per split, and
  its reports to `_reports/<uuid>.json`; files appear by atomic rename.

  A DoFn rather than Beam's WriteToTFRecord: Beam's file sinks finalize
  through side inputs, which not every runner executes once (Beam 2.77's
  Dask runner left them unfinalized); plain per-bundle files work on all.
  """

  def __init__(self, output_dir, descriptor_keys):
    self._output_dir = output_dir
    self._descriptor_keys = descriptor_keys

  def start_bundle(self):
    self._writers = {}
    self._reports = []
    self._notes = []
    self._id = uuid.uuid4().hex[:12]

  def _path(self, name):
    return os.path.join(self._output_dir, name)

  def process(self, pair):
    kind, value = pair
    if kind == REPORT:
      self._reports.append(value)
      return
    if kind == NOTES:
      self._notes.append(value)
      return
    split = value['split']
    if split not in self._writers:
      import tensorflow as tf  # pylint: disable=g-import-not-at-top
      self._writers[split] = tf.io.TFRecordWriter(
          self._path(f'.{split}.tfrecord-{self._id}.tmp'))
    self._writers[split].write(to_tf_example(value).SerializeToString())
    self._reports.append(example_report(value, self._descriptor_keys))

  def finish_bundle(self):
    for split, writer in self._writers.items():
      writer.close()
      os.replace(self._path(f'.{split}.tfrecord-{self._id}.tmp'),
                 self._path(f'{split}.tfrecord-{self._id}'))
    if self._reports:
      folder = self._path(_REPORTS)
      os.makedirs(folder, exist_ok=True)
      tmp = os.path.join(folder, f'.{self._id}.tmp')
      with open(tmp, 'w') as f:
        json.dump(merge_reports(self._reports), f)
      os.replace(tmp, os.path.join(folder, f'{self._id}.json'))
    if self._notes:
      folder = self._path(_NOTES)
      os.makedirs(folder, exist_ok=True)
      tmp = os.path.join(folder, f'.{self._id}.tmp')
      with open(tmp, 'w') as f:
        json.dump(self._notes, f)
      os.replace(tmp, os.path.join(folder, f'{self._id}.json'))


def default_pipeline_options(options):
  """Beam options: the caller's, or a local DirectRunner on every core.

  The local default runs threads in one process: CREPE and the descriptors
  are TensorFlow ops, which release the GIL, and threads skip the ~6 s
  TensorFlow start of each worker process (2.5x faster than multi_processing
  on a 2-core machine for a few minutes of audio). One thread more than
  cores: while a thread holds the GIL (Viterbi's Python, descriptors,
  serialization) the others keep the cores on TensorFlow (3 threads: ~15%
  faster than 2 on 2 idle cores; 4 no better than 3).
  """
  options = list(options or ())
  if not any(o.startswith('--runner') for o in options):
    options += ['--runner=DirectRunner',
                f'--direct_num_workers={(os.cpu_count() or 1) + 1}',
                '--direct_running_mode=multi_threading']
  return options


def _clear_outputs(output_dir, overwrite):
  existing = [p for pattern in _OUTPUTS
              for p in glob.glob(os.path.join(output_dir, pattern))]
  if existing and not overwrite:
    raise errors.UserError(
        f'{output_dir} already holds a prepared dataset; pass --overwrite to '
        'replace it or choose another --output_dir.')
  for path in existing:
    os.remove(path)


def build_pipeline(pipeline, items, config):
  """Adds the pipeline's transforms to `pipeline` (see module doc)."""
  loaded = (pipeline
            | 'items' >> beam.Create(items)
            | 'spread_items' >> beam.Reshuffle()
            | 'load' >> beam.ParDo(LoadFn(config)))
  featurized = (loaded
                | 'chunks' >> _main()
                | 'spread_chunks' >> beam.Reshuffle()
                | 'featurize' >> beam.ParDo(FeaturizeFn(config)))
  load_reports = loaded | 'load_reports' >> beam.Filter(
      lambda pair: pair[0] in (REPORT, NOTES))
  _ = ((load_reports, featurized)
       | 'all' >> beam.Flatten()
       | 'write' >> beam.ParDo(WriteShardsFn(config['output_dir'],
                                             config['descriptor_keys'])))


def _run_pass(options, items, config, output_dir):
  """One Beam pipeline over `items`; returns its merged reports."""
  with beam.Pipeline(options=beam.options.pipeline_options.PipelineOptions(
      options)) as pipeline:
    build_pipeline(pipeline, items, config)
  reports = []
  for path in glob.glob(os.path.join(output_dir, _REPORTS, '*.json')):
    with open(path) as f:
      reports.append(json.load(f))
  shutil.rmtree(os.path.join(output_dir, _REPORTS), ignore_errors=True)
  return merge_reports(reports)


def write_note_expression(output_dir):
  """Merges the bundles' note rows into NOTE_EXPRESSION (plain arrays, no
  pickles; sorted by source and onset); returns the number of notes."""
  from interpret_ddsp.score import expression  # pylint: disable=g-import-not-at-top
  rows = []
  for path in glob.glob(os.path.join(output_dir, _NOTES, '*.json')):
    with open(path) as f:
      rows += json.load(f)
  shutil.rmtree(os.path.join(output_dir, _NOTES), ignore_errors=True)
  if not rows:
    return 0
  rows.sort(key=lambda r: (r['source_file'], r['onset_secs']))
  arrays = expression.as_arrays(rows)
  for label in contracts.NOTE_LABELS:
    arrays[label] = np.array([str(r[label]) for r in rows])
  files.save_npz(os.path.join(output_dir, contracts.NOTE_EXPRESSION),
                 **arrays)
  return len(rows)


def descriptor_statistics(moments):
  """{name: {count, mean, std, min, max}} from merged moments."""
  stats = {}
  for name, (n, s, ss, lo, hi) in sorted(moments.items()):
    mean = s / n
    stats[name] = {'count': int(n), 'mean': mean,
                   'std': float(np.sqrt(max(ss / n - mean ** 2, 0.0))),
                   'min': lo, 'max': hi}
  return stats


def ddsp_statistics(output_dir, config):
  """ddsp's compute_dataset_statistics on the train split, as JSON scalars.

  ddsp also fits a quantile transform (a Python object it pickles); its
  arrays go to dataset_statistics_quantiles.npz instead (no pickles).
  """
  from ddsp.training import postprocessing  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  provider = data.TimbreTFRecordProvider(
      contracts.split_pattern(output_dir, contracts.TRAIN_SPLIT),
      example_secs=config['example_secs'], sample_rate=config['sample_rate'],
      frame_rate=config['frame_rate'], descriptor_names=(),
      include_metadata=False)
  stats = postprocessing.compute_dataset_statistics(
      provider, batch_size=8, power_frame_rate=config['frame_rate'])
  transform = stats.pop('quantile_transform', None)
  if transform is not None:
    files.save_npz(os.path.join(output_dir, contracts.DDSP_QUANTILES),
             **{k: np.asarray(v) for k, v in vars(transform).items()
                if isinstance(v, np.ndarray)})
  return {k: float(v) for k, v in stats.items()}


def run(items, output_dir, sample_rate=16000, frame_rate=250,
        example_secs=4.0, hop_secs=1.0, chunk_secs=20.0, crepe_model='tiny',
        f0_frame_rate=100, viterbi=True, f0_silence_db=features.SILENCE_DB,
        eval_fraction=0.1,
        pipeline_options=None, overwrite=False, compute_ddsp_stats=True,
        progress=True, source_config=None, detect_notes=False, augment=0):
  """Runs the pipeline over work items; returns the manifest dict.

  Args:
    items: Work items from interpret_ddsp.dataset.sources.
    output_dir: Folder for the shards and JSON files.
    sample_rate: Rate of `audio` in the examples, Hz (16000, 22050, 44100,
      48000...). `audio_16k` and all features are computed at 16 kHz.
    frame_rate: Rate of the per-frame features, Hz (divides 16000).
    example_secs: Example length, s.
    hop_secs: Hop between examples, s.
    chunk_secs: Long audio is cut in chunks of this many seconds first
      (parallelism, memory); windows do not cross chunks.
    crepe_model: CREPE capacity.
    f0_frame_rate: Rate CREPE runs at, Hz (None: frame_rate).
    viterbi: Viterbi decoding of CREPE's pitch.
    f0_silence_db: CREPE is not run on silent stretches (runs of >= 0.1 s
      where its 64-ms window peaks below this many dBFS); those frames get
      f0 confidence 0 and the neighbouring pitch. None: run it everywhere.
    eval_fraction: Share of sources (not examples) held out for eval.
    pipeline_options: Beam command-line options (list of str).
    overwrite: Replace a dataset already in output_dir.
    compute_ddsp_stats: Also run ddsp's compute_dataset_statistics.
    progress: Show progress bars.
    source_config: What the items came from, recorded in the manifest.
    detect_notes: For sources without ground-truth notes or an aligned
      MIDI score beside them (take.wav + take.mid), find their notes (`note_detection`; CREPE runs once
      more, over each whole file) and store their expression in
      NOTE_EXPRESSION, for `fit-expression`.
    augment: Add this many randomly equalized copies of every train window
      (interpret_ddsp.dataset.augment; their `augmentation` key is 1..augment,
      the originals' 0). Eval windows are never augmented.

  Returns:
    The manifest (also written to output_dir/manifest.json).
  """
  check_config(sample_rate, frame_rate, example_secs, hop_secs, chunk_secs)
  if int(augment) != augment or augment < 0:
    raise errors.UserError(f'augment must be a whole number of copies >= 0, '
                           f'not {augment}.')
  compat.require_crepe_capacity(crepe_model)
  if not items:
    raise errors.UserError('No input to prepare.')
  os.makedirs(output_dir, exist_ok=True)
  _clear_outputs(output_dir, overwrite)
  config = {
      'output_dir': os.path.abspath(output_dir), 'sample_rate': sample_rate,
      'frame_rate': frame_rate, 'example_secs': example_secs,
      'hop_secs': hop_secs, 'chunk_secs': chunk_secs,
      'crepe_model': crepe_model, 'f0_frame_rate': f0_frame_rate,
      'viterbi': viterbi, 'f0_silence_db': f0_silence_db,
      'eval_fraction': eval_fraction,
      'split_by': split_mode(items, eval_fraction),
      'progress': progress,
      'descriptor_keys': list(features.DESCRIPTOR_KEYS),
      'detect_notes': bool(detect_notes),
      'augment': int(augment),
  }
  options = default_pipeline_options(pipeline_options)
  start = time.perf_counter()
  summary = _run_pass(options, items, config, output_dir)
  shards_read = set()
  written = written_windows(output_dir, read=shards_read)
  missing, retried = missing_windows(summary, written), 0
  for _ in range(MAX_RETRIES):
    if not missing:
      break
    # The runner lost these without an error: make them again, alone.
    retried += sum(len(v) for v in missing.values())
    summary = merge_reports([summary, _run_pass(
        options, items, {**config, 'only_chunks': missing}, output_dir)])
    written_windows(output_dir, written, shards_read)
    missing = missing_windows(summary, written)
  wall = time.perf_counter() - start
  n_notes = write_note_expression(output_dir)
  for path in glob.glob(os.path.join(output_dir, '.*.tmp')):
    os.remove(path)  # Left by bundles that failed and were retried.

  audio_secs = summary.get('audio_secs', 0.0)
  manifest = {
      'counts': {
          'inputs': len(items),
          'sources_used': summary.get('source', 0),
          'sources_train': summary.get('sources_train', 0),
          'sources_eval': summary.get('sources_eval', 0),
          'skipped': len(summary.get('skipped', [])),
          'examples_train': summary.get('examples_train', 0),
          'examples_eval': summary.get('examples_eval', 0),
          # Of examples_train: the augmented copies (`augment`).
          'examples_augmented': summary.get('examples_augmented', 0),
          'silent_windows_dropped': summary.get('silent_windows', 0),
          'sources_time_split': summary.get('sources_time', 0),
          'boundary_windows_dropped': summary.get('boundary_windows', 0),
          'notes': n_notes,
          'windows_expected': len(summary.get('windows_expected', ())),
          'windows_retried': retried,
          'windows_missing': sum(len(v) for v in missing.values()),
          'windows_written_twice': sum(1 for n in written.values() if n > 1),
      },
      # Windows the runner lost in every pass (none expected): chunk key ->
      # start seconds.
      'missing_windows': missing,
      'audio_secs': audio_secs,
      'wall_secs': wall,
      'audio_secs_per_wall_sec': audio_secs / wall if wall else None,
      'skipped': sorted(summary.get('skipped', []),
                        key=lambda s: s['file']),
      'shards': sorted(os.path.basename(p) for p in glob.glob(
          os.path.join(output_dir, '*.tfrecord-*'))),
      'config': {**{k: v for k, v in config.items()
                    if k not in ('progress', 'output_dir')},
                 'source': source_config or {},
                 'pipeline_options': options},
  }
  # A summary for people (the knobs' units are train's knob_statistics.json).
  manifest['descriptor_moments'] = descriptor_statistics(
      summary.get('moments', {}))
  if compute_ddsp_stats and manifest['counts']['examples_train']:
    try:
      stats = ddsp_statistics(output_dir, config)
    except Exception as e:  # pylint: disable=broad-except
      # The shards are written and valid; do not lose them over statistics.
      manifest['ddsp_statistics_error'] = f'{type(e).__name__}: {e}'
    else:
      files.write_json(os.path.join(output_dir, contracts.DDSP_STATISTICS),
                       stats)
  files.write_json(os.path.join(output_dir, contracts.DATASET_MANIFEST),
                   manifest)
  return manifest

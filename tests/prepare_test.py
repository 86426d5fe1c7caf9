# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The Beam data pipeline: real rendered audio in, TFRecords that ddsp's
TFRecordProvider and ours read, bad input skipped and counted."""

import glob
import hashlib
import json
import os

import numpy as np
import pytest
import soundfile

from interpret_ddsp import cli
from interpret_ddsp import contracts
from interpret_ddsp import data
from interpret_ddsp.dataset import prepare
from interpret_ddsp.dataset import sources
from interpret_ddsp import errors
from interpret_ddsp.score import expression
from interpret_ddsp.score import soundfont
from interpret_ddsp.support import signals

IN_MEMORY = ['--runner=DirectRunner', '--direct_num_workers=1',
             '--direct_running_mode=in_memory']
NOTES = [(40, 67), (73, 72), (71, 60)]  # violin G4, flute C5, clarinet C4.


def _write_recordings(folder):
  """Good notes as a user's recordings (stereo, 22.05 kHz) + bad files."""
  os.makedirs(folder, exist_ok=True)
  for program, key in NOTES:
    mono = soundfont.render_note(program, key, held_secs=1.8,
                                 release_secs=0.2, sample_rate=22050)
    stereo = np.stack([mono, 0.5 * mono], axis=1)
    soundfile.write(os.path.join(folder, f'p{program}_k{key}.flac'), stereo,
                    22050)
  soundfile.write(os.path.join(folder, 'silent.wav'), np.zeros(32000), 16000)
  soundfile.write(os.path.join(folder, 'short.wav'), 0.1 * np.ones(4000),
                  16000)
  bad = np.full(32000, 0.1, np.float32)
  bad[100] = np.nan
  soundfile.write(os.path.join(folder, 'nan.wav'), bad, 16000,
                  subtype='FLOAT')
  with open(os.path.join(folder, 'p40_k67.flac'), 'rb') as f:
    head = f.read(200)
  with open(os.path.join(folder, 'truncated.flac'), 'wb') as f:
    f.write(head)
  with open(os.path.join(folder, 'notes.txt'), 'w') as f:
    f.write('not audio')
  with open(os.path.join(folder, 'fake.wav'), 'w') as f:
    f.write('RIFF but not really')


@pytest.fixture(scope='module')
def prepared(tmp_path_factory):
  root = tmp_path_factory.mktemp('prepare')
  _write_recordings(str(root / 'in'))
  manifest = prepare.run(
      sources.recording_items(str(root / 'in')), str(root / 'out'),
      sample_rate=16000, example_secs=1.0, hop_secs=0.5, eval_fraction=0.34,
      pipeline_options=IN_MEMORY, progress=False)
  return str(root / 'out'), manifest


def test_bad_inputs_are_skipped_with_reasons(prepared):
  _, manifest = prepared
  reasons = {os.path.basename(s['file']): s['reason']
             for s in manifest['skipped']}
  assert reasons['silent.wav'] == 'silent'
  assert reasons['short.wav'].startswith('shorter than one example')
  assert reasons['nan.wav'] == 'non-finite samples (NaN or inf)'
  assert reasons['truncated.flac'].startswith('unreadable audio')
  assert reasons['fake.wav'].startswith('unreadable audio')
  assert reasons['notes.txt'].startswith('unsupported format .txt')
  assert manifest['counts']['skipped'] == 6
  assert manifest['counts']['sources_used'] == len(NOTES)
  assert manifest['audio_secs'] == pytest.approx(2.0 * len(NOTES), rel=1e-3)


def test_ddsp_provider_reads_the_output(prepared):
  from ddsp.training import data as ddsp_data  # pylint: disable=g-import-not-at-top
  out, manifest = prepared
  n = 0
  for split in ('train', 'eval'):
    if not manifest['counts'][f'examples_{split}']:
      assert not glob.glob(os.path.join(out, f'{split}.tfrecord*'))
      continue
    provider = ddsp_data.TFRecordProvider(
        os.path.join(out, f'{split}.tfrecord*'), example_secs=1)
    for ex in provider.get_dataset(shuffle=False):
      assert ex['audio'].shape == (16000,) and ex['f0_hz'].shape == (250,)
      assert ex['audio_16k'].shape == (16000,)
      n += 1
  counts = manifest['counts']
  # 2 s per note, 1 s windows every 0.5 s: 3 per note (less silent ones).
  assert n == counts['examples_train'] + counts['examples_eval']
  assert n + counts['silent_windows_dropped'] == 3 * len(NOTES)


def test_our_provider_adds_descriptors_and_metadata(prepared):
  out, _ = prepared
  provider = data.TimbreTFRecordProvider(os.path.join(out, '*.tfrecord*'),
                                         example_secs=1)
  examples = list(provider.get_dataset(shuffle=False))
  by_file = {}
  for ex in examples:
    name = os.path.basename(ex['source_file'].numpy().decode())
    by_file.setdefault(name, []).append(ex)
    for key in ('harmonic_centroid', 'sharpness', 'spectral_flatness'):
      assert ex[key].shape == (250,)
      assert np.all(np.isfinite(ex[key].numpy()))
  assert set(by_file) == {f'p{p}_k{k}.flac' for p, k in NOTES}
  for (program, key) in NOTES:
    for ex in by_file[f'p{program}_k{key}.flac']:
      if float(ex['start_secs']) > 0.9:
        continue  # The last window holds the release.
      voiced = ex['f0_confidence'].numpy() > 0.5
      assert voiced.mean() > 0.7
      error = signals.cents(ex['f0_hz'].numpy()[voiced],
                            signals.midi_to_hz(key))
      assert abs(np.median(error)) < 30
      # Features line up with the audio they were computed from: ddsp's
      # loudness of the stored 16 kHz audio equals the stored loudness.
      from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
      loud = features.compute_loudness(ex['audio_16k'].numpy(), 250)
      inner = slice(10, -10)  # Window edges saw neighbouring audio.
      np.testing.assert_allclose(loud[inner], ex['loudness_db'][inner],
                                 atol=0.5)


def test_split_is_by_source_and_deterministic(prepared):
  out, manifest = prepared
  # The split hashes the source path (under pytest's numbered temp folder),
  # so which of the three notes lands in eval varies between sessions.
  # The documented rule, computed here: sha1 of 'folder/name', its first 32
  # bits as a fraction of 2^32, below eval_fraction -> eval.
  def rule(name):
    digest = hashlib.sha1(f'in/{name}'.encode()).hexdigest()
    return 'eval' if int(digest[:8], 16) / 2 ** 32 < 0.34 else 'train'
  expected = [rule(f'p{p}_k{k}.flac') for p, k in NOTES]
  # Where the data lives does not matter, only folder/name.
  for p, k in NOTES:
    assert (prepare.split_of(f'/elsewhere/deep/in/p{p}_k{k}.flac', 0.34) ==
            rule(f'p{p}_k{k}.flac'))
  assert manifest['counts']['sources_train'] == expected.count('train')
  assert manifest['counts']['sources_eval'] == expected.count('eval')
  for split in ('train', 'eval'):
    if not manifest['counts'][f'examples_{split}']:
      continue
    provider = data.TimbreTFRecordProvider(
        os.path.join(out, f'{split}.tfrecord*'), example_secs=1)
    for ex in provider.get_dataset(shuffle=False):
      assert prepare.split_of(ex['source_file'].numpy().decode(),
                              0.34) == split


def test_descriptor_moments_are_in_the_manifest(prepared):
  out, _ = prepared
  with open(os.path.join(out, contracts.DATASET_MANIFEST)) as f:
    stats = json.load(f)['descriptor_moments']
  assert stats['harmonic_centroid']['count'] > 500
  assert stats['harmonic_centroid']['min'] >= 1.0 - 1e-3  # >= fundamental.
  assert 0 < stats['spectral_flatness']['mean'] < 0.5


def test_existing_output_is_refused_then_overwritten(prepared, tmp_path):
  out, _ = prepared
  items = [{'kind': 'file', **sources.metadata('/nonexistent.wav')}]
  with pytest.raises(errors.UserError, match='--overwrite'):
    prepare.run(items, out, pipeline_options=IN_MEMORY, progress=False)


def test_no_input_is_a_clear_error(tmp_path):
  with pytest.raises(errors.UserError, match='No files found'):
    sources.recording_items(str(tmp_path / 'empty' / '*.wav'))


@pytest.mark.parametrize('sample_rate', [22050, 44100, 48000])
def test_other_sample_rates(tmp_path, sample_rate):
  audio, _ = signals.harmonic_tone(330.0, 1.5, 48000)
  soundfile.write(str(tmp_path / 'tone.wav'), audio, 48000)
  manifest = prepare.run(
      sources.recording_items(str(tmp_path / '*.wav')), str(tmp_path / 'o'),
      sample_rate=sample_rate, example_secs=1.0, hop_secs=0.5,
      eval_fraction=0.0, pipeline_options=IN_MEMORY, progress=False,
      compute_ddsp_stats=False)
  assert manifest['counts']['examples_train'] == 2
  provider = data.TimbreTFRecordProvider(
      str(tmp_path / 'o' / 'train.tfrecord*'), example_secs=1,
      sample_rate=sample_rate)
  for ex in provider.get_dataset(shuffle=False):
    assert ex['audio'].shape == (sample_rate,)
    spectrum = np.abs(np.fft.rfft(ex['audio'].numpy()))
    peak_hz = np.argmax(spectrum) * sample_rate / len(ex['audio'])
    assert abs(peak_hz - 330.0) < 2.0


def test_incompatible_timing_is_a_clear_error(tmp_path):
  with pytest.raises(errors.UserError, match='whole number of frames'):
    prepare.check_config(16000, 250, 1.001, 0.5, 20.0)


def test_nsynth_through_tfds_mock_data(tmp_path):
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  with tfds.testing.mock_data(num_examples=6):
    items = sources.nsynth_items(n_slices=1)
    manifest = prepare.run(items, str(tmp_path), example_secs=4.0,
                           hop_secs=1.0, eval_fraction=0.0,
                           pipeline_options=IN_MEMORY, progress=False,
                           compute_ddsp_stats=False)
    assert manifest['counts']['sources_used'] == 6
    assert manifest['counts']['examples_train'] == 6  # 4 s notes, 4 s windows.
    dataset = tfds.load('nsynth/gansynth_subset.f0_and_loudness',
                        split='train')
    families = [sources.NSYNTH_FAMILIES[int(e['instrument']['family'])]
                for e in tfds.as_numpy(dataset)]
    keep = families[0]
    items = sources.nsynth_items(n_slices=1, families=[keep])
    manifest = prepare.run(items, str(tmp_path / 'f'), example_secs=4.0,
                           eval_fraction=0.0, pipeline_options=IN_MEMORY,
                           progress=False, compute_ddsp_stats=False)
  assert manifest['counts']['sources_used'] == families.count(keep)
  provider = data.TimbreTFRecordProvider(
      str(tmp_path / 'f' / 'train.tfrecord*'), example_secs=4)
  for ex in provider.get_dataset(shuffle=False):
    assert ex['instrument'].numpy().decode().startswith(keep + '_')
    assert ex['source_file'].numpy().decode().startswith('nsynth/')


def test_nsynth_filters():
  example = {'instrument': {'family': 8, 'source': 0}, 'pitch': 60,
             'velocity': 100}
  keep = lambda **kw: sources.nsynth_keep(example, {  # pylint: disable=g-long-lambda
      'families': [], 'sources': [], 'pitch_range': None, 'velocities': [],
      **kw})
  assert keep()
  assert keep(families=['string']) and not keep(families=['brass'])
  assert keep(sources=['acoustic']) and not keep(sources=['synthetic'])
  assert keep(pitch_range=[60, 72]) and not keep(pitch_range=[61, 72])
  assert keep(velocities=[100]) and not keep(velocities=[25, 50])
  with pytest.raises(errors.UserError, match='family'):
    sources.nsynth_items(families=['kazoo'])


@pytest.mark.slow
def test_cli_soundfont_source_on_the_default_runner(tmp_path, capsys):
  out = str(tmp_path / 'sf')
  assert cli.main(['prepare', '--source', 'soundfont', '--programs', 'flute',
                   '--key_step', '12', '--melodies', '1', '--output_dir', out,
                   '--example_secs', '2', '--hop_secs', '1']) == 0
  printed = capsys.readouterr().out
  assert 'Prepared' in printed and 'real time' in printed
  with open(os.path.join(out, contracts.DATASET_MANIFEST)) as f:
    manifest = json.load(f)
  assert 'multi_threading' in ' '.join(manifest['config']['pipeline_options'])
  provider = data.TimbreTFRecordProvider(os.path.join(out, '*.tfrecord*'),
                                         example_secs=2)
  pitches = set()
  for ex in provider.get_dataset(shuffle=False):
    assert ex['instrument'].numpy().decode() == 'flute'
    pitches.add(int(ex['midi_pitch']))
  assert {60, 72, 84, 96} <= pitches  # Notes over the range; -1: melody.
  assert 'ddsp_statistics_error' not in manifest
  with open(os.path.join(out, contracts.DDSP_STATISTICS)) as f:
    stats = json.load(f)
  # Flute notes from C4 to C7 (MIDI 60..96) plus melodies.
  assert 58 < stats['mean_min_pitch_note'] < stats['mean_max_pitch_note'] < 98
  # Every rendered note's expression, against the render's ground truth.
  notes = contracts_npz(os.path.join(out, contracts.NOTE_EXPRESSION))
  assert len(notes['pitch']) == manifest['counts']['notes'] > 4
  truths = {}
  for path in sorted(set(notes['source_file'])):
    with open(os.path.splitext(path)[0] + '.json') as f:
      truths[path] = json.load(f)
  expected = sorted((n['key'], n['velocity'], round(n['duration'], 3))
                    for t in truths.values() for n in t['notes'])
  got = sorted((int(p), int(v), round(float(d), 3)) for p, v, d in zip(
      notes['pitch'], notes['velocity'], notes['duration_secs']))
  assert got == expected
  melody = np.array(['melody' in p for p in notes['source_file']])
  assert melody.any() and (~melody).any()
  # Vibrato needs a held part of MIN_VIBRATO_SECS: shorter notes give NaN.
  long = notes['duration_secs'] >= expression.MIN_VIBRATO_SECS + 0.05
  assert np.isnan(notes['vibrato_rate_hz'][
      notes['duration_secs'] < expression.MIN_VIBRATO_SECS]).all()
  assert (melody & long).sum() >= 2
  for i in np.where(melody & long)[0]:
    truth = truths[notes['source_file'][i]]
    # The render's pitch-bend vibrato (rate and depth in its JSON).
    assert notes['vibrato_rate_hz'][i] == pytest.approx(
        truth['vibrato_hz'], abs=0.25)
    assert notes['vibrato_extent_cents'][i] == pytest.approx(
        truth['vibrato_cents'], rel=0.2)
  assert np.all(notes['vibrato_extent_cents'][~melody] < 2.0)
  assert set(notes['instrument']) == {'flute'}


def contracts_npz(path):
  return contracts.read_npz(path)


def _records(pattern):
  provider = data.TimbreTFRecordProvider(pattern, example_secs=1)
  return {(ex['source_file'].numpy().decode(), round(float(ex['start_secs']),
                                                     3)): ex['f0_hz'].numpy()
          for ex in provider.get_dataset(shuffle=False)}


@pytest.mark.slow
def test_dask_runner_on_a_local_dask_cluster_gives_the_same_dataset(
    prepared, tmp_path):
  from dask import distributed  # pylint: disable=g-import-not-at-top
  out, manifest = prepared
  inputs = os.path.join(os.path.dirname(out), 'in')
  with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                processes=True, host='127.0.0.1',
                                dashboard_address=None) as cluster:
    with distributed.Client(cluster):
      dask_manifest = prepare.run(
          sources.recording_items(inputs), str(tmp_path / 'dask'),
          example_secs=1.0, hop_secs=0.5, eval_fraction=0.34,
          pipeline_options=[
              '--runner=apache_beam.runners.dask.dask_runner.DaskRunner',
              f'--dask_client_address={cluster.scheduler_address}'],
          progress=False)
  assert dask_manifest['counts'] == manifest['counts']
  assert dask_manifest['skipped'] == manifest['skipped']
  ours = _records(str(tmp_path / 'dask' / '*.tfrecord*'))
  reference = _records(os.path.join(out, '*.tfrecord*'))
  assert set(ours) == set(reference)
  for key, f0 in reference.items():
    np.testing.assert_allclose(ours[key], f0, rtol=1e-4)


def test_split_does_not_depend_on_where_the_data_lives():
  names = [f'violin_040/note_{k:03d}.wav' for k in range(60)]
  here = [prepare.split_of('/tmp/pytest-1/audio/' + n, 0.3) for n in names]
  there = [prepare.split_of('/home/me/data/' + n, 0.3) for n in names]
  assert here == there
  assert 5 < here.count('eval') < 35


def test_few_long_recordings_are_split_by_time(tmp_path):
  """Three 10 s recordings that the source hash would all put in train:
  each gives its last 10% to eval, and the windows straddling the 9.0 s
  boundary are dropped, so no audio is in both splits. Known counts with 1 s
  windows every 0.5 s: starts 0.0-8.0 (17) train, 8.5 dropped, 9.0 eval."""
  folder = tmp_path / 'rec'
  folder.mkdir()
  names = [f'long{i}.wav' for i in range(3)]
  assert {prepare.split_of(f'rec/{n}', 0.1) for n in names} == {'train'}
  t = np.arange(10 * 16000) / 16000
  for i, name in enumerate(names):
    tone = 0.3 * np.sin(2 * np.pi * (220 + 110 * i) * t)
    soundfile.write(str(folder / name), tone.astype(np.float32), 16000)
  manifest = prepare.run(
      sources.recording_items(str(folder)), str(tmp_path / 'out'),
      example_secs=1.0, hop_secs=0.5, eval_fraction=0.1,
      pipeline_options=IN_MEMORY, progress=False, compute_ddsp_stats=False)
  counts = manifest['counts']
  assert manifest['config']['split_by'] == 'time'
  assert counts['sources_time_split'] == 3
  assert counts['examples_train'] == 3 * 17
  assert counts['examples_eval'] == 3
  assert counts['boundary_windows_dropped'] == 3
  provider = data.TimbreTFRecordProvider(
      str(tmp_path / 'out' / 'eval.tfrecord*'), example_secs=1)
  starts = [float(ex['start_secs']) for ex in provider.get_dataset(
      shuffle=False)]
  assert starts == pytest.approx([9.0] * 3)


def test_many_sources_keep_the_source_split():
  items = [{'kind': 'file', 'source_file': f'rec/take{i}.wav'}
           for i in range(4)]
  assert prepare.split_mode(items, 0.1) == 'source'  # 2 train, 2 eval.
  assert prepare.split_mode(items, 0.0) == 'source'
  assert prepare.split_mode([{'kind': 'tfds'}], 0.1) == 'source'


def test_detect_notes_stores_the_notes_of_plain_recordings(tmp_path):
  """A recording with no score: three tones (C4, E4, G4; 0.6 s each, 0.1 s
  apart) and a sampled violin G4; prepare --detect_notes finds their notes
  (onsets within 50 ms, pitches within a quarter tone) and stores their
  expression for fit-expression."""
  sr = 16000
  parts = []
  for hz in (261.63, 329.63, 392.0):
    tone, _ = signals.harmonic_tone(hz, 0.6, sr)
    ramp = np.minimum(1.0, np.minimum(np.arange(len(tone)),
                                      np.arange(len(tone))[::-1]) / 80.0)
    parts += [tone * ramp, np.zeros(int(0.1 * sr), np.float32)]
  folder = tmp_path / 'in'
  folder.mkdir()
  soundfile.write(str(folder / 'melody.wav'), np.concatenate(parts), sr)
  soundfile.write(str(folder / 'violin.wav'), soundfont.render_note(
      40, 67, held_secs=1.2, release_secs=0.3, sample_rate=sr), sr)
  out = str(tmp_path / 'out')
  manifest = prepare.run(
      sources.recording_items(str(folder)), out, example_secs=1.0,
      hop_secs=0.5, eval_fraction=0.0, pipeline_options=IN_MEMORY,
      progress=False, compute_ddsp_stats=False, detect_notes=True)
  assert manifest['counts']['notes'] == 4
  with np.load(os.path.join(out, contracts.NOTE_EXPRESSION)) as f:
    table = {k: f[k] for k in f.files}
  rows = sorted(zip(table['source_file'], table['onset_secs'],
                    table['pitch']))
  expected = [('melody.wav', 0.0, 60), ('melody.wav', 0.7, 64),
              ('melody.wav', 1.4, 67), ('violin.wav', 0.0, 67)]
  for (src, onset, pitch), (src_e, onset_e, pitch_e) in zip(rows, expected):
    assert os.path.basename(src) == src_e
    assert abs(onset - onset_e) <= 0.05, (src, onset)
    assert abs(pitch - pitch_e) <= 0.25, (src, pitch)
  assert np.all(np.isfinite(table['volume_db']))


def test_an_aligned_midi_score_gives_the_notes_of_its_recording(tmp_path):
  """take.wav + take.mid: the score's notes (not detected ones) with the
  recording's expression; the .mid is no input of its own; a broken score
  is counted, its recording still used."""
  from controls_test import write_midi  # pylint: disable=g-import-not-at-top
  sr = 16000
  folder = tmp_path / 'in'
  folder.mkdir()
  parts = []
  for hz in (261.63, 329.63, 392.0):
    tone, _ = signals.harmonic_tone(hz, 0.6, sr)
    parts += [tone, np.zeros(int(0.1 * sr), np.float32)]
  soundfile.write(str(folder / 'take.wav'), np.concatenate(parts), sr)
  write_midi(folder / 'take.mid', [(0, [(60, 0.0, 0.6, 70), (64, 0.7, 1.3, 90),
                                        (67, 1.4, 2.0, 110)])])
  soundfile.write(str(folder / 'other.wav'), np.concatenate(parts), sr)
  (folder / 'other.mid').write_bytes(b'MThd broken')
  items = sources.recording_items(str(folder))
  assert sorted(os.path.basename(i['source_file']) for i in items) == [
      'other.wav', 'take.wav']
  out = str(tmp_path / 'out')
  manifest = prepare.run(items, out, example_secs=1.0, hop_secs=0.5,
                         eval_fraction=0.0, pipeline_options=IN_MEMORY,
                         progress=False, compute_ddsp_stats=False)
  assert manifest['counts']['sources_used'] == 2
  assert manifest['counts']['notes'] == 3
  assert [os.path.basename(s['file']) for s in manifest['skipped']] == [
      'other.mid'] and 'score not used' in manifest['skipped'][0]['reason']
  with np.load(os.path.join(out, contracts.NOTE_EXPRESSION)) as f:
    np.testing.assert_allclose(f['onset_secs'], [0.0, 0.7, 1.4], atol=1e-3)
    np.testing.assert_array_equal(f['pitch'], [60, 64, 67])
    np.testing.assert_array_equal(f['velocity'], [70, 90, 110])
    # Expression measured on the recording: each volume is the mean ddsp
    # loudness over its tone.
    from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
    loud = features.compute_loudness(np.concatenate(parts), 250)
    for onset, volume in zip(f['onset_secs'], f['volume_db']):
      i = int(round(onset * 250))
      assert abs(volume - loud[i:i + 150].mean()) < 0.5


def _raw_keys(folder):
  """(source file name, start_secs) of every example written, duplicates
  kept."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  keys = []
  for path in sorted(glob.glob(os.path.join(folder, '*.tfrecord-*'))):
    for record in tf.data.TFRecordDataset(path):
      f = tf.train.Example.FromString(record.numpy()).features.feature
      keys.append((os.path.basename(f['source_file'].bytes_list.value[0]
                                    .decode()),
                   round(f['start_secs'].float_list.value[0], 3)))
  return keys


@pytest.mark.parametrize('drops', [1, 99])
def test_windows_the_runner_loses_are_made_again_or_counted(tmp_path,
                                                            monkeypatch,
                                                            drops):
  # The local runner was seen to lose examples without an error
  # (`prepare.missing_windows`). Simulated here: featurize swallows one
  # chunk, `drops` times (a file counts, as the DoFn may be copied); the run
  # must read the shards back, make it again, and count what stays missing.
  folder = str(tmp_path / 'in')
  os.makedirs(folder)
  for program, key in NOTES:
    soundfile.write(os.path.join(folder, f'p{program}_k{key}.wav'),
                    soundfont.render_note(program, key, held_secs=1.8,
                                          release_secs=0.2), 16000)
  path = os.path.join(folder, 'p40_k67.wav')
  count = str(tmp_path / 'drops')
  process = prepare.FeaturizeFn.process

  def lossy(self, chunk):
    if chunk['meta']['source_file'] == path and chunk['offset_secs'] == 1.0:
      done = os.path.getsize(count) if os.path.exists(count) else 0
      if done < drops:
        with open(count, 'a') as f:
          f.write('x')
        return
    yield from process(self, chunk)

  monkeypatch.setattr(prepare.FeaturizeFn, 'process', lossy)
  out = str(tmp_path / 'out')
  manifest = prepare.run(sources.recording_items(folder), out,
                         example_secs=1.0, hop_secs=0.5, chunk_secs=1.0,
                         eval_fraction=0.0, pipeline_options=IN_MEMORY,
                         progress=False, compute_ddsp_stats=False)
  counts, keys = manifest['counts'], _raw_keys(out)
  # Three 2-s notes in 1-s chunks of one 1-s window each.
  assert counts['windows_expected'] == 6
  assert len(keys) == len(set(keys)) and counts['windows_written_twice'] == 0
  if drops == 1:
    assert counts['windows_retried'] == 1 and counts['windows_missing'] == 0
    assert manifest['missing_windows'] == {}
    assert ('p40_k67.wav', 1.0) in keys and len(keys) == 6
    assert counts['examples_train'] == 6
  else:
    assert counts['windows_retried'] == prepare.MAX_RETRIES
    assert counts['windows_missing'] == 1
    assert manifest['missing_windows'] == {
        prepare.chunk_key(path, 1.0): [1.0]}
    assert ('p40_k67.wav', 1.0) not in keys and len(keys) == 5


def test_a_retry_makes_only_the_windows_still_missing(tmp_path, monkeypatch):
  # A chunk that lost one of its windows (seen: a guitar note with 3 of 7)
  # gets that one again, not the ones already written.
  folder = str(tmp_path / 'in')
  os.makedirs(folder)
  soundfile.write(os.path.join(folder, 'p40_k67.wav'),
                  soundfont.render_note(40, 67, held_secs=1.8,
                                        release_secs=0.2), 16000)
  flag = str(tmp_path / 'dropped')
  split = prepare.features.split_examples

  def lossy_split(*args, **kwargs):
    for start, window, frames in split(*args, **kwargs):
      if start == 0.5 and not os.path.exists(flag):
        open(flag, 'w').close()
        continue
      yield start, window, frames

  monkeypatch.setattr(prepare.features, 'split_examples', lossy_split)
  out = str(tmp_path / 'out')
  manifest = prepare.run(sources.recording_items(folder), out,
                         example_secs=1.0, hop_secs=0.5, eval_fraction=0.0,
                         pipeline_options=IN_MEMORY, progress=False,
                         compute_ddsp_stats=False)
  keys = _raw_keys(out)
  assert sorted(keys) == [('p40_k67.wav', t) for t in (0.0, 0.5, 1.0)]
  assert manifest['counts']['windows_retried'] == 1
  assert manifest['counts']['windows_written_twice'] == 0

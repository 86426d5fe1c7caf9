# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""data.StableSubsetProvider: the same eval examples from any sharding."""

import hashlib
import os

import numpy as np
import pytest
import tensorflow as tf

from interpret_ddsp import data
from interpret_ddsp import errors

N_SAMPLES, N_FRAMES = 1600, 25  # 0.1 s at 16 kHz, 250 frames/s.


def _example(rng, i):
  floats = lambda x: tf.train.Feature(float_list=tf.train.FloatList(value=x))
  audio = rng.normal(size=N_SAMPLES) * 0.1
  feats = {'audio': floats(audio), 'audio_16k': floats(audio),
           'f0_hz': floats(np.full(N_FRAMES, 220.0 + i)),
           'f0_confidence': floats(np.ones(N_FRAMES)),
           'loudness_db': floats(np.full(N_FRAMES, -30.0)),
           'source_file': tf.train.Feature(bytes_list=tf.train.BytesList(
               value=[f'note_{i}.wav'.encode()]))}
  return tf.train.Example(features=tf.train.Features(feature=feats))


def _write(folder, examples, n_shards):
  """The examples round-robin over n_shards files named as prepare's."""
  os.makedirs(folder)
  writers = [tf.io.TFRecordWriter(os.path.join(folder, f'eval.tfrecord-{s}'))
             for s in ('c91f', '07ab', '5e2d')[:n_shards]]
  for i, ex in enumerate(examples):
    writers[i % n_shards].write(ex.SerializeToString())
  for w in writers:
    w.close()
  return data.TimbreTFRecordProvider(
      os.path.join(folder, 'eval.tfrecord*'), example_secs=0.1,
      descriptor_names=())


def _audio(provider):
  return np.stack([ex['audio'] for ex in
                   provider.get_dataset(shuffle=False).as_numpy_iterator()])


def test_the_subset_is_the_lowest_audio_hashes_whatever_the_shards(tmp_path):
  rng = np.random.default_rng(0)
  examples = [_example(rng, i) for i in range(20)]
  one = _write(str(tmp_path / 'one'), examples, 3)
  other = _write(str(tmp_path / 'other'), examples[::-1], 2)
  # Read in order, the two runs' first 6 examples are other examples.
  assert not np.array_equal(_audio(one)[:6], _audio(other)[:6])
  a, b = data.StableSubsetProvider(one, 6), data.StableSubsetProvider(other, 6)
  np.testing.assert_array_equal(_audio(a), _audio(b))
  # The definition: the 6 lowest SHA-1s of the float32 audio, ascending.
  audio = np.stack([np.asarray(e.features.feature['audio'].float_list.value,
                               np.float32) for e in examples])
  digests = [hashlib.sha1(x.tobytes()).hexdigest() for x in audio]
  order = np.argsort(digests)[:6]
  np.testing.assert_array_equal(_audio(a), audio[order])
  assert a.keys == sorted(digests)[:6]
  # Every feature rides along, the metadata's strings too; batches work.
  batch = next(iter(a.get_batch(4, shuffle=False, repeats=1)))
  assert batch['audio'].shape == (4, N_SAMPLES)
  assert [s.decode() for s in batch['source_file'].numpy()] == [
      f'note_{i}.wav' for i in order[:4]]
  # Asking for more than there are keeps them all.
  assert len(data.StableSubsetProvider(one, 50)) == 20


def test_an_empty_set_is_one_sentence(tmp_path):
  empty = _write(str(tmp_path / 'empty'), [], 1)
  with pytest.raises(errors.UserError, match='no examples'):
    data.StableSubsetProvider(empty, 4)


def _grouped(folder, n_notes=12, windows=5, shuffle_megabytes=256):
  """As `prepare` writes: each shard a run of whole notes, each note's
  windows one after the other (note n's windows are examples 5n..5n+4)."""
  rng = np.random.default_rng(1)
  examples = [_example(rng, i) for i in range(n_notes * windows)]
  os.makedirs(folder)
  per_shard = len(examples) // 3
  for s, name in enumerate(('c91f', '07ab', '5e2d')):
    with tf.io.TFRecordWriter(os.path.join(folder, f'train.tfrecord-{name}')
                              ) as w:
      for ex in examples[s * per_shard:(s + 1) * per_shard]:
        w.write(ex.SerializeToString())
  return data.TimbreTFRecordProvider(
      os.path.join(folder, 'train.tfrecord*'), example_secs=0.1,
      descriptor_names=(), shuffle_megabytes=shuffle_megabytes)


def _read_order(provider):
  tf.random.set_seed(0)
  batches = provider.get_batch(8, shuffle=True, repeats=1,
                               drop_remainder=False)
  return np.concatenate([np.round(b['f0_hz'][:, 0].numpy() - 220.0).astype(
      int) for b in batches])


def test_training_batches_mix_notes_not_only_files(tmp_path):
  ddsp_order = _read_order(_grouped(str(tmp_path / 'a'), shuffle_megabytes=0))
  ours = _read_order(_grouped(str(tmp_path / 'b')))
  # ddsp reads each shard in its written order: the first batch holds the
  # first windows of the shards' first notes (3 notes), and every shard's
  # examples come in ascending order.
  assert len(set(ddsp_order[:8] // 5)) <= 3
  for shard in range(3):
    mine = ddsp_order[ddsp_order // 20 == shard]
    assert np.all(np.diff(mine) > 0)
  # Shuffled: every example once per epoch, the first batch from more notes
  # than shards, and no shard read in order.
  assert sorted(ours) == list(range(60))
  assert len(set(ours[:8] // 5)) >= 5
  for shard in range(3):
    assert not np.all(np.diff(ours[ours // 20 == shard]) > 0)


def test_reading_in_order_is_not_shuffled(tmp_path):
  provider = _grouped(str(tmp_path / 'c'))
  first = [ex['f0_hz'][0] - 220.0 for ex in
           provider.get_dataset(shuffle=False).as_numpy_iterator()]
  # Evaluation and statistics read every shard in its written order.
  for shard in range(3):
    mine = [i for i in np.round(first).astype(int) if i // 20 == shard]
    assert mine == sorted(mine)


def test_a_shuffle_seed_gives_every_reader_the_same_order(tmp_path):
  # What the workers of one multi-worker run rely on (train binds it).
  folder = str(tmp_path / 'd')
  _grouped(folder)
  orders = []
  for _ in range(2):
    provider = data.TimbreTFRecordProvider(
        os.path.join(folder, 'train.tfrecord*'), example_secs=0.1,
        descriptor_names=(), shuffle_seed=7)
    orders.append([int(round(ex['f0_hz'][0] - 220.0)) for ex in
                   provider.get_dataset(shuffle=True).as_numpy_iterator()])
  assert orders[0] == orders[1]
  assert sorted(orders[0]) == list(range(60))
  assert orders[0] != sorted(orders[0])

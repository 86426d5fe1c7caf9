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

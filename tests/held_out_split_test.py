# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""benchmarks/held_out_instrument.py's split: the held-out instrument
leaves training and eval, its equalized copies go nowhere, and an extra
rendered set (--extra_audio) joins training only, without the held-out
instrument's examples."""

import json
import os

import pytest
import tensorflow as tf

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.


@pytest.fixture
def held_out_instrument(benchmark_script):
  return benchmark_script('held_out_instrument')


def _write(folder, split, rows):
  """A prepare-like folder: split.tfrecord-x with (name, instrument,
  augmentation) rows, and a manifest."""
  os.makedirs(folder, exist_ok=True)
  with tf.io.TFRecordWriter(os.path.join(folder,
                                         f'{split}.tfrecord-x')) as w:
    for name, instrument, copy in rows:
      feature = {
          'source_file': tf.train.Feature(
              bytes_list=tf.train.BytesList(value=[name.encode()])),
          'instrument': tf.train.Feature(
              bytes_list=tf.train.BytesList(value=[instrument.encode()])),
          'augmentation': tf.train.Feature(
              int64_list=tf.train.Int64List(value=[copy]))}
      w.write(tf.train.Example(features=tf.train.Features(
          feature=feature)).SerializeToString())
  with open(os.path.join(folder, 'manifest.json'), 'w') as f:
    json.dump({}, f)


def _names(path):
  spec = {'source_file': tf.io.FixedLenFeature([], tf.string)}
  return sorted(tf.io.parse_single_example(r, spec)['source_file'].numpy()
                .decode() for r in tf.data.TFRecordDataset(path))


def test_split_keeps_the_held_out_instrument_out_of_training(
    held_out_instrument, tmp_path):
  main, extra = str(tmp_path / 'main'), str(tmp_path / 'extra')
  _write(main, 'train', [('v1', 'violin', 0), ('v1#eq1', 'violin', 1),
                         ('c1', 'clarinet', 0), ('c1#eq1', 'clarinet', 1)])
  _write(main, 'eval', [('v2', 'violin', 0), ('c2', 'clarinet', 0)])
  _write(extra, 'train', [('x-v1', 'violin', 0), ('x-c1', 'clarinet', 0)])
  _write(extra, 'eval', [('x-f1', 'flute', 0)])
  out = str(tmp_path / 'split')
  counts = held_out_instrument.split_by_instrument(main, out, 'clarinet',
                                                   [extra])
  assert _names(os.path.join(out, 'train.tfrecord')) == [
      'v1', 'v1#eq1', 'x-f1', 'x-v1']
  assert _names(os.path.join(out, 'eval.tfrecord')) == ['v2']
  assert _names(os.path.join(out, 'held_out.tfrecord')) == ['c1', 'c2']
  assert counts == {'train': 4, 'eval': 1, 'held_out': 2,
                    'augmented_train': 1, 'held_out_copies_dropped': 1,
                    'extra_train': 2, 'extra_held_out_dropped': 1}

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Data providers for TFRecords made by `interpret-ddsp prepare`.

`TimbreTFRecordProvider` is a ddsp `TFRecordProvider` (so ddsp's trainers,
`train_util` and gin files use it unchanged) that also yields our timbre
descriptor keys and per-example metadata. ddsp's own `TFRecordProvider`
reads the same files (it ignores the extra keys).
"""

import hashlib
import heapq
import json
import os

import gin
from ddsp.training import data as ddsp_data
import numpy as np
import tensorflow as tf

from interpret_ddsp.analysis import descriptors
from interpret_ddsp import contracts
from interpret_ddsp import errors

_KINDS = {'string': tf.string, 'int': tf.int64, 'float': tf.float32}
# Per-example metadata (contracts.METADATA) as TFRecord features.
METADATA_FEATURES = {
    key: tf.io.FixedLenFeature([], _KINDS[kind], default_value=default)
    for key, (kind, default) in contracts.METADATA.items()}


def read_manifest(data_dir):
  """The manifest.json `prepare` wrote in data_dir (dict), or None when
  there is none (e.g. shards made elsewhere)."""
  path = os.path.join(data_dir, contracts.DATASET_MANIFEST)
  if not tf.io.gfile.exists(path):
    return None
  with tf.io.gfile.GFile(path) as f:
    return json.load(f)


def example_secs(file_pattern, default):
  """Example length of a shard glob: its dataset manifest's, else default
  (e.g. the model's own)."""
  manifest = read_manifest(contracts.dataset_dir(file_pattern))
  return manifest['config']['example_secs'] if manifest else default


def provider_for(file_pattern, loaded, include_metadata=True):
  """A TimbreTFRecordProvider for shards read by a trained model
  (`model_io.LoadedModel`): the dataset's example length, the model's
  sample rate."""
  return TimbreTFRecordProvider(
      file_pattern, example_secs=example_secs(file_pattern,
                                              loaded.example_secs),
      sample_rate=loaded.sample_rate, include_metadata=include_metadata)


@gin.register
class TimbreTFRecordProvider(ddsp_data.TFRecordProvider):
  """ddsp's TFRecordProvider plus descriptors and metadata.

  Also accepts example lengths that are not whole seconds (ddsp's needs
  `example_secs * sample_rate` to be an int already as a float), and
  shuffles examples, not only files, when asked to shuffle (training).
  ddsp's provider shuffles the order of the shard files and reads each
  shard in its written order; `prepare` writes a shard's examples source by
  source, so a batch would hold two or three overlapping windows of each of
  about three notes, and the training would meet the instruments in runs
  (1 to 7 notes of one instrument in a row in the shipped set's shards;
  benchmarks/README.md, "Data order").
  """

  def __init__(self, file_pattern=None, example_secs=4, sample_rate=16000,
               frame_rate=250, centered=False,
               descriptor_names=descriptors.DESCRIPTOR_NAMES,
               include_metadata=True, shuffle_megabytes=256,
               shuffle_seed=None):
    """Constructor.

    Args:
      file_pattern: Glob of the TFRecord shards, e.g. 'dir/train.tfrecord*'.
      example_secs: Example length in seconds, as prepared.
      sample_rate: Rate of `audio`, Hz.
      frame_rate: Rate of the per-frame features, Hz.
      centered: As ddsp's (False for `prepare` output).
      descriptor_names: Descriptor keys to read (each [n_frames]).
      include_metadata: Also read the metadata (contracts.METADATA:
        source_file, instrument, midi_pitch, velocity, start_secs,
        augmentation).
      shuffle_megabytes: Memory of the example shuffle buffer when
        `get_dataset(shuffle=True)`, MB of parsed float32 features (256:
        about 1900 one-second or 480 four-second examples at 16 kHz); 0
        reads each shard in order, as ddsp does.
      shuffle_seed: Seed of the example shuffle (None: from TensorFlow's
        global seed). Workers of one multi-worker run need the same one:
        each reads every global batch and keeps its own rows (`train`
        binds it there).
    """
    super().__init__(file_pattern, example_secs, sample_rate, frame_rate,
                     centered)
    self._audio_length = int(round(example_secs * sample_rate))
    self._audio_16k_length = int(round(
        example_secs * ddsp_data.CREPE_SAMPLE_RATE))
    self._feature_length = int(self.get_feature_length(centered))
    self._descriptor_names = tuple(descriptor_names or ())
    self._include_metadata = include_metadata
    self._shuffle_megabytes = shuffle_megabytes
    self._shuffle_seed = shuffle_seed

  @property
  def shuffle_buffer(self):
    """Examples the shuffle buffer holds (`shuffle_megabytes` over the
    parsed size of one example); 0 for no example shuffle.

    >>> TimbreTFRecordProvider('x', example_secs=1,
    ...                        shuffle_megabytes=1).shuffle_buffer
    7
    """
    if not self._shuffle_megabytes:
      return 0
    floats = sum(int(np.prod(f.shape)) for f in self.features_dict.values()
                 if f.dtype == tf.float32)
    return max(1, int(self._shuffle_megabytes * 2 ** 20 // (4 * floats)))

  def get_dataset(self, shuffle=True):
    """ddsp's dataset, its examples shuffled too when shuffle is True."""
    dataset = super().get_dataset(shuffle)
    if shuffle and self.shuffle_buffer:
      dataset = dataset.shuffle(self.shuffle_buffer, seed=self._shuffle_seed)
    return dataset

  @property
  def descriptor_names(self):
    return self._descriptor_names

  @property
  def features_dict(self):
    features = dict(super().features_dict)
    for name in self._descriptor_names:
      features[name] = tf.io.FixedLenFeature([self._feature_length],
                                             tf.float32)
    if self._include_metadata:
      features.update(METADATA_FEATURES)
    return features


def audio_key(audio):
  """A stable key of one example: the SHA-1 of its float32 audio bytes."""
  return hashlib.sha1(np.asarray(audio, np.float32).tobytes()).hexdigest()


class StableSubsetProvider(ddsp_data.DataProvider):
  """The n examples of a provider whose audio hashes lowest, in that order.

  `prepare` writes one shard per Beam bundle, and bundles differ between
  runs, so two runs of the same recipe hold the same examples in shards of
  other names and contents: "the first n" in reading order are other
  examples each time (the shipped model's spectral distance read 7.13 on
  one run's first 64 eval examples and 6.66 on another's). Chosen by
  `audio_key`, the subset is the same examples in the same order from any
  run's shards: a fixed pseudo-random sample of the set. One pass over the
  provider; the n examples are held in memory.

  Example:
    >>> sub = StableSubsetProvider(provider, 64)   # doctest: +SKIP
    >>> batches = sub.get_batch(16, shuffle=False, repeats=1)  # doctest: +SKIP
  """

  def __init__(self, provider, n):
    """Constructor.

    Args:
      provider: A ddsp DataProvider (read once, unshuffled).
      n: Examples kept (fewer when the provider has fewer).
    """
    super().__init__(provider.sample_rate, provider.frame_rate)
    stream = provider.get_dataset(shuffle=False).as_numpy_iterator()
    kept = heapq.nsmallest(
        int(n), ((audio_key(ex['audio']), i, ex)
                 for i, ex in enumerate(stream)), key=lambda t: t[:2])
    if not kept:
      raise errors.UserError('The data has no examples to choose from.')
    self.keys = [k for k, _, _ in kept]
    examples = [ex for _, _, ex in kept]
    self._arrays = {key: np.stack([ex[key] for ex in examples])
                    for key in examples[0]}

  def __len__(self):
    return len(self.keys)

  def get_dataset(self, shuffle=False):
    """The kept examples as a dataset (in key order; shuffled if asked)."""
    ds = tf.data.Dataset.from_tensor_slices(self._arrays)
    return ds.shuffle(len(self)) if shuffle else ds

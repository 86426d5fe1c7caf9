# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""extract-z: a trained encoder over a dataset -> z.npz for the prior.

One row per example (z pooled over the example's loud frames, see
model_io.pooled_z). The .npz holds plain arrays only (load with
allow_pickle=False):

  z               float32 [n, z_dims]   named knobs first, then free dims
  dim_names       str [z_dims]          knob names, then free_0, free_1, ...
  knob_names      str [n_knobs]
  knob_targets    float32 [n, n_knobs]  standardized input descriptors
  target_weights  float32 [n, n_knobs]  loud-frame weight behind each target
  instrument, source_file   str [n]
  midi_pitch, velocity      int32 [n]  (-1 where unknown)
  start_secs      float32 [n]
  f0_hz, loudness_db        float32 [n, n_frames]  the examples' controls
  register_pitch  float32 [n]           the pitch each sounds at (MIDI,
                                        prior.register_pitch; NaN unvoiced)
  model_dir       str, model_step int
"""

import io
import json
import os

import numpy as np

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.support import files



def dim_names(knob_names, z_dims):
  return list(knob_names) + [f'free_{i}'
                             for i in range(z_dims - len(knob_names))]


def extract_z(save_dir, file_pattern, output=None, batch_size=32,
              max_examples=None, progress=True, pipeline_options=None):
  """Encodes every example matched by file_pattern; optionally saves .npz.

  With `pipeline_options` (Beam flags, e.g. ['--runner=DataflowRunner',
  ...]) the shards are encoded by a Beam pipeline, one shard per element,
  each worker loading the model once; otherwise in this process.

  Returns:
    dict of the arrays listed in the module docstring.
  """
  if pipeline_options is not None:
    return extract_z_beam(save_dir, file_pattern, output, batch_size,
                          pipeline_options)
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  if not tf.io.gfile.glob(file_pattern):
    raise errors.UserError(f'No TFRecords match {file_pattern}.')
  loaded = model_io.load_model(save_dir)
  model = loaded.model
  if not hasattr(model, 'knob_names'):
    raise errors.UserError(f'{save_dir} holds a model without named knobs '
                           '(train a timbre_ae/timbre_vae config).')
  provider = data.provider_for(file_pattern, loaded)
  dataset = provider.get_batch(batch_size, shuffle=False, repeats=1,
                               drop_remainder=False)
  if max_examples:
    dataset = dataset.unbatch().take(max_examples).batch(batch_size)
  if progress:
    from tqdm import auto as tqdm  # pylint: disable=g-import-not-at-top
    dataset = tqdm.tqdm(dataset, desc='extract-z', unit='batch')
  result = _encode_batches(model, dataset)
  if not result:
    raise errors.UserError(f'{file_pattern} holds no examples.')
  return _finish(result, model, loaded, save_dir, output)


def _encode_batches(model, dataset):
  """{key: concatenated array} over batches of a TimbreTFRecordProvider."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import knobs  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  rows = {}
  for batch in dataset:
    numeric = {k: v for k, v in batch.items() if v.dtype != tf.string}
    feats = model.encode(dict(numeric), training=False)
    t, w = knobs.pool_frames(feats['knob_targets'],
                                     feats['knob_weights'], 1)
    out = {'z': model_io.pooled_z(feats).numpy(),
           'knob_targets': t[:, 0].numpy(), 'target_weights': w[:, 0].numpy(),
           'f0_hz': batch['f0_hz'].numpy(),
           'loudness_db': batch['loudness_db'].numpy()}
    for key in contracts.METADATA_KEYS:
      value = batch[key].numpy()
      out[key] = (value.astype(str) if value.dtype == object else value)
    for k, v in out.items():
      rows.setdefault(k, []).append(v)
  return {k: np.concatenate(v) for k, v in rows.items()}


def _finish(result, model, loaded, save_dir, output):
  """Adds names and provenance; saves the .npz if output is given."""
  from interpret_ddsp.generation import prior  # pylint: disable=g-import-not-at-top
  result['z'] = result['z'].astype(np.float32)
  result['register_pitch'] = prior.register_pitch(
      result['f0_hz'], result['loudness_db']).astype(np.float32)
  result['midi_pitch'] = result['midi_pitch'].astype(np.int32)
  result['velocity'] = result['velocity'].astype(np.int32)
  result['dim_names'] = np.array(dim_names(model.knob_names, model.z_dims))
  result['knob_names'] = np.array(model.knob_names)
  result['model_dir'] = np.array(os.path.abspath(save_dir))
  result['model_step'] = np.array(loaded.step)
  if output:
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    files.save_npz(output, **result)
  return result


def _beam_classes():
  """The pipeline's DoFn (defined lazily: Beam is imported on demand)."""
  import apache_beam as beam  # pylint: disable=g-import-not-at-top

  class EncodeShard(beam.DoFn):
    """One TFRecord shard -> (shard, rows); the model loads once per worker."""

    def __init__(self, save_dir, example_secs, batch_size):
      super().__init__()
      self.save_dir = save_dir
      self.example_secs = example_secs
      self.batch_size = batch_size
      self.loaded = None

    def setup(self):
      import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
      from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
      self.loaded = model_io.load_model(self.save_dir)

    def process(self, shard):
      from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
      provider = data.TimbreTFRecordProvider(
          shard, example_secs=self.example_secs,
          sample_rate=self.loaded.sample_rate)
      dataset = provider.get_batch(self.batch_size, shuffle=False,
                                   repeats=1, drop_remainder=False)
      rows = _encode_batches(self.loaded.model, dataset)
      if rows:
        yield shard, rows

  return EncodeShard


def _merge_and_save(items, save_dir, output):
  """Runs on a worker: shard rows (in shard order) -> the .npz."""
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  items = sorted(items, key=lambda item: item[0])
  result = {k: np.concatenate([rows[k] for _, rows in items])
            for k in items[0][1]}
  loaded = model_io.load_model(save_dir)
  tmp = output + '.tmp.npz'
  _finish(result, loaded.model, loaded, save_dir, None)
  buffer = io.BytesIO()  # zipfile seeks; GFile (e.g. gs://) may not.
  np.savez(buffer, **result)
  with tf.io.gfile.GFile(tmp, 'wb') as f:
    f.write(buffer.getvalue())
  tf.io.gfile.rename(tmp, output, overwrite=True)
  return len(result['z'])


def extract_z_beam(save_dir, file_pattern, output, batch_size,
                   pipeline_options):
  """extract_z as a Beam pipeline over the shards (any runner): one shard
  per element, the merged .npz written by the last step."""
  import apache_beam as beam  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  if not output:
    raise errors.UserError('A Beam extract-z needs --output.')
  shards = sorted(tf.io.gfile.glob(file_pattern))
  if not shards:
    raise errors.UserError(f'No TFRecords match {file_pattern}.')
  loaded = model_io.load_model(save_dir)
  secs = data.example_secs(file_pattern, loaded.example_secs)
  if '://' not in output:
    output = os.path.abspath(output)
  options = beam.options.pipeline_options.PipelineOptions(
      list(pipeline_options))
  with beam.Pipeline(options=options) as pipeline:
    _ = (pipeline
         | 'Shards' >> beam.Create(shards)
         | 'Reshuffle' >> beam.Reshuffle()
         | 'Encode' >> beam.ParDo(_beam_classes()(save_dir, secs,
                                                  batch_size))
         | 'All' >> beam.combiners.ToList()
         | 'Save' >> beam.Map(_merge_and_save, save_dir, output))
  return load_z(output)


def load_z(path):
  """The arrays of an extract-z .npz (no pickles)."""
  with np.load(path, allow_pickle=False) as f:
    return {k: f[k] for k in f.files}

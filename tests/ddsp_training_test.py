# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""End to end on Magenta ddsp alone: its own `prepare_tfrecord` (Beam) makes
TFRecords from rendered soundfont notes, and a few training steps of its own
`models/ae.gin` with its own Trainer reduce the loss."""

import glob
import os

import gin
import numpy as np
import pytest
import soundfile
import tensorflow as tf

from interpret_ddsp import compat
from interpret_ddsp.score import soundfont
from interpret_ddsp.support import signals

pytestmark = pytest.mark.slow

SAMPLE_RATE = 16000
FRAME_RATE = 250
# (GM program, MIDI key): violin G4, flute C5, clarinet C4.
NOTES = [(40, 67), (73, 72), (71, 60)]


@pytest.fixture(scope='module')
def tfrecords(tmp_path_factory):
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  folder = tmp_path_factory.mktemp('ddsp_data')
  paths = []
  for program, key in NOTES:
    audio = soundfont.render_note(program, key, velocity=100, held_secs=1.6,
                                  release_secs=0.4, sample_rate=SAMPLE_RATE)
    path = str(folder / f'program{program}_key{key}.wav')
    soundfile.write(path, audio, SAMPLE_RATE)
    paths.append(path)
  with compat.crepe_capacity('tiny'):  # Speed; capacity is not under test.
    prepare_tfrecord_lib.prepare_tfrecord(
        paths, str(folder / 'train.tfrecord'), num_shards=1,
        sample_rate=SAMPLE_RATE, frame_rate=FRAME_RATE, example_secs=1.0,
        hop_secs=0.5, chunk_secs=None)  # No 20-s chunks padded with silence.
  return str(folder / 'train.tfrecord*')


def test_prepare_tfrecord_output_is_read_by_ddsp_provider(tfrecords):
  from ddsp.training import data  # pylint: disable=g-import-not-at-top
  assert len(glob.glob(tfrecords)) == 1
  provider = data.TFRecordProvider(file_pattern=tfrecords, example_secs=1,
                                   sample_rate=SAMPLE_RATE,
                                   frame_rate=FRAME_RATE)
  examples = list(provider.get_dataset(shuffle=False))
  # 2 s per file, 1 s windows every 0.5 s -> 3 examples per file.
  assert len(examples) == 3 * len(NOTES)
  expected_hz = sorted(float(signals.midi_to_hz(k)) for _, k in NOTES)
  medians = []
  for ex in examples:
    assert ex['audio'].shape == (SAMPLE_RATE,)
    assert ex['f0_hz'].shape == (FRAME_RATE,)
    confident = ex['f0_confidence'].numpy() > 0.5
    if confident.mean() > 0.5:
      medians.append(float(np.median(ex['f0_hz'].numpy()[confident])))
  # Every voiced window carries the pitch of one of the notes (<30 cents).
  assert len(medians) >= 2 * len(NOTES)
  for m in medians:
    assert min(abs(1200 * np.log2(m / e)) for e in expected_hz) < 30


def test_ae_gin_training_steps_reduce_the_loss(tfrecords):
  import ddsp.training  # pylint: disable=g-import-not-at-top
  from ddsp.training import data  # pylint: disable=g-import-not-at-top
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  gin.clear_config()
  gin.add_config_file_search_path(
      os.path.join(os.path.dirname(ddsp.training.__file__), 'gin'))
  n_samples = SAMPLE_RATE  # 1-second examples instead of ae.gin's 4 s.
  with gin.unlock_config():
    gin.parse_config_files_and_bindings(
        ['models/ae.gin'],
        [f'F0LoudnessPreprocessor.time_steps = {FRAME_RATE}',
         f'Harmonic.n_samples = {n_samples}',
         f'FilteredNoise.n_samples = {n_samples}'])
  try:
    provider = data.TFRecordProvider(file_pattern=tfrecords, example_secs=1,
                                     sample_rate=SAMPLE_RATE,
                                     frame_rate=FRAME_RATE)
    batch = next(iter(provider.get_batch(4, shuffle=False, repeats=1)))
    tf.keras.utils.set_random_seed(0)  # Same initial weights every run.
    strategy = train_util.get_strategy()
    with strategy.scope():
      model = ddsp.training.models.get_model()
      assert isinstance(model, ddsp.training.models.Autoencoder)
      trainer = trainers.Trainer(model, strategy, learning_rate=1e-3)
      trainer.build(batch)
      losses = [float(trainer.train_step(batch)['total_loss'])
                for _ in range(15)]
  finally:
    gin.clear_config()
  print('losses', losses)
  assert all(np.isfinite(losses))
  # The loss falls: the last steps' mean is well below the first steps'.
  assert np.mean(losses[-3:]) < 0.8 * np.mean(losses[:3]), losses
  assert int(trainer.step.numpy()) == 15
  assert tf.keras.layers.Layer.__module__.startswith('tf_keras')

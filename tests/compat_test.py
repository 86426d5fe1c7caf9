# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Each shim in interpret_ddsp.compat does what its docstring says."""

import os
import subprocess
import sys

import crepe
import librosa
import numpy as np
import pytest
import soundfile
import tensorflow as tf

from interpret_ddsp import compat
from interpret_ddsp.support import signals


def test_tf_keras_is_keras_2_and_ddsp_uses_it():
  from ddsp.training import nn  # pylint: disable=g-import-not-at-top
  assert tf.keras.layers.Layer.__module__.startswith('tf_keras')
  layer = nn.FcStack(8, 1)
  assert isinstance(layer, tf.keras.layers.Layer)
  assert type(layer).__mro__[1].__module__.startswith(('tf_keras', 'ddsp'))
  assert compat.check_legacy_keras().startswith('tf_keras')


def _fresh_python(code, env):
  """Runs `python -c code` in a new interpreter with `env`."""
  return subprocess.run([sys.executable, '-c', code], env=env,
                        capture_output=True, text=True, timeout=300,
                        check=False)


def test_keras_3_loaded_first_gives_clear_error(clean_env):
  out = _fresh_python('import tensorflow as tf; tf.keras.layers.Dense; '
                      'import interpret_ddsp', clean_env)
  assert out.returncode != 0
  assert 'EnvironmentProblem' in out.stderr
  assert 'import interpret_ddsp before tensorflow' in out.stderr


def test_import_sets_legacy_keras_for_a_fresh_process(clean_env):
  out = _fresh_python('import interpret_ddsp, tensorflow as tf; '
                      'print(tf.keras.layers.Layer.__module__)', clean_env)
  assert out.returncode == 0, out.stderr
  assert out.stdout.strip().startswith('tf_keras')


def test_prepare_tfrecord_pipeline_options_default_is_accepted_by_beam():
  from apache_beam.options import pipeline_options  # pylint: disable=g-import-not-at-top
  from ddsp.training.data_preparation import ddsp_prepare_tfrecord  # pylint: disable=g-import-not-at-top
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  fn = prepare_tfrecord_lib.prepare_tfrecord
  assert fn.__defaults__[-1] == ()
  # The name ddsp's CLI imported is the same, fixed function.
  assert ddsp_prepare_tfrecord.prepare_tfrecord is fn
  pipeline_options.PipelineOptions(fn.__defaults__[-1])  # Does not raise.
  with pytest.raises(ValueError, match='iterable'):
    pipeline_options.PipelineOptions('')  # What the old default did.


@pytest.fixture(scope='module')
def tone():
  audio, f0 = signals.harmonic_tone(330.0, 1.0, 16000, vibrato_hz=4.0,
                                    vibrato_cents=40.0)
  return audio, f0


def test_crepe_capacity_selects_the_model_ddsp_uses(tone):
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  audio, _ = tone
  padded = spectral_ops.pad(audio, 1024, 160, 'center')
  direct = {}
  for capacity in ('tiny', 'full'):
    direct[capacity] = crepe.predict(
        np.asarray(padded), 16000, model_capacity=capacity, viterbi=True,
        step_size=10, center=False, verbose=0)[1]
  assert not np.allclose(direct['tiny'], direct['full'])
  assert compat.get_crepe_capacity() == 'full'
  f0_default, _ = spectral_ops.compute_f0(audio, 100, viterbi=True)
  np.testing.assert_allclose(f0_default, direct['full'], rtol=1e-5)
  with compat.crepe_capacity('tiny'):
    f0_tiny, _ = spectral_ops.compute_f0(audio, 100, viterbi=True)
  np.testing.assert_allclose(f0_tiny, direct['tiny'], rtol=1e-5)
  assert compat.get_crepe_capacity() == 'full'  # Restored after the block.


def test_missing_crepe_capacity_is_one_clear_sentence(tone):
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  missing = [c for c in compat.CREPE_CAPACITIES
             if c not in compat.installed_crepe_capacities()]
  if not missing:
    pytest.skip('every CREPE capacity is installed here')
  with compat.crepe_capacity(missing[0]):
    with pytest.raises(compat.CrepeCapacityNotInstalled) as info:
      spectral_ops.compute_f0(tone[0], 100)
  message = str(info.value)
  assert f"CREPE capacity '{missing[0]}' is not installed" in message
  assert './install.sh --crepe ' in message and missing[0] in message
  assert '\n' not in message
  with pytest.raises(ValueError, match='Unknown CREPE capacity'):
    compat.set_crepe_capacity('huge')


def test_prepare_tfrecord_loads_audio_without_ffmpeg(tmp_path):
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  rate, secs = 22050, 0.75
  t = np.arange(int(rate * secs)) / rate
  left = 0.5 * np.sin(2 * np.pi * 440 * t)
  right = 0.25 * np.sin(2 * np.pi * 660 * t)
  path = str(tmp_path / 'stereo.flac')
  soundfile.write(path, np.stack([left, right], axis=1), rate)
  audio = prepare_tfrecord_lib._load_audio_as_array(path, 16000)  # pylint: disable=protected-access
  assert audio.dtype == np.float32
  assert len(audio) == int(int(rate * secs) / rate * 16000)  # As pydub.
  reference = librosa.load(path, sr=16000, mono=True)[0]
  n = min(len(audio), len(reference))
  inner = slice(200, n - 200)  # Resampler edge effects differ.
  np.testing.assert_allclose(audio[inner], reference[inner], atol=2e-3)


def test_unreadable_audio_is_a_user_error(tmp_path):
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.support import audio_io  # pylint: disable=g-import-not-at-top
  path = tmp_path / 'notes.wav'
  path.write_text('not audio')
  with pytest.raises(audio_io.AudioLoadError, match='notes.wav'):
    prepare_tfrecord_lib._load_audio_as_array(str(path), 16000)  # pylint: disable=protected-access


def test_absl_flags_are_marked_parsed():
  from absl import flags  # pylint: disable=g-import-not-at-top
  compat.mark_absl_flags_parsed()
  assert flags.FLAGS.is_parsed()


def test_shims_are_idempotent():
  import crepe.core  # pylint: disable=g-import-not-at-top
  predict = crepe.predict
  build = crepe.core.build_and_load_model
  compat.apply()
  assert crepe.predict is predict
  assert crepe.core.build_and_load_model is build
  assert os.environ['TF_USE_LEGACY_KERAS'] == '1'


def test_crepe_capacity_is_per_thread():
  import threading  # pylint: disable=g-import-not-at-top
  seen = {}
  inside = threading.Event()
  release = threading.Event()

  def worker():
    with compat.crepe_capacity('tiny'):
      inside.set()
      release.wait(10)
      seen['worker'] = compat.get_crepe_capacity()

  thread = threading.Thread(target=worker)
  thread.start()
  inside.wait(10)
  seen['main'] = compat.get_crepe_capacity()  # Not the worker's 'tiny'.
  release.set()
  thread.join()
  assert seen == {'main': 'full', 'worker': 'tiny'}
  previous = compat.set_crepe_capacity('tiny')
  try:
    assert compat.get_crepe_capacity() == 'tiny'
  finally:
    compat.set_crepe_capacity(previous)


def test_ddsp_dataset_statistics_work_on_prepare_tfrecord_output(tmp_path):
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  from ddsp.training import data  # pylint: disable=g-import-not-at-top
  from ddsp.training import postprocessing  # pylint: disable=g-import-not-at-top
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  path = str(tmp_path / 'tone.wav')
  audio, _ = signals.harmonic_tone(220.0, 3.0, 16000)
  soundfile.write(path, audio, 16000)
  with compat.crepe_capacity('tiny'):
    prepare_tfrecord_lib.prepare_tfrecord(
        [path], str(tmp_path / 'train.tfrecord'), num_shards=1,
        example_secs=1, hop_secs=1, chunk_secs=None)
  provider = data.TFRecordProvider(str(tmp_path / 'train.tfrecord*'),
                                   example_secs=1)
  stats = postprocessing.compute_dataset_statistics(provider, batch_size=1,
                                                    power_frame_rate=250)
  # A steady 220 Hz tone (MIDI 57.0): the pitch statistics say so.
  assert abs(float(stats['mean_pitch_note']) - 57.0) < 0.2
  # Only postprocessing sees the 'same'-framed power; ddsp stays as is.
  assert spectral_ops.compute_power(audio, frame_rate=250).shape[-1] == (
      3 * 250 + 1)


def _crepe_frames(audio):
  """CREPE's normalized 1024-sample frames at 10 ms (as get_activation)."""
  padded = np.pad(audio, 512).astype(np.float32)
  frames = np.lib.stride_tricks.sliding_window_view(padded, 1024)[::160]
  frames = frames - frames.mean(axis=1, keepdims=True)
  return frames / np.clip(frames.std(axis=1, keepdims=True), 1e-8, None)


@pytest.mark.parametrize('capacity', ['tiny', 'full'])
def test_crepe_width_layout_is_crepes_network(tone, capacity):
  import crepe.core  # pylint: disable=g-import-not-at-top
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  model = crepe.core.build_and_load_model(capacity)
  stock = compat.stock_crepe_model(capacity)
  assert model is not stock
  assert crepe.core.build_and_load_model(capacity) is model  # Built once.
  assert tuple(model.get_layer('conv1').kernel.shape)[:2] == (1, 512)
  assert tuple(stock.get_layer('conv1').kernel.shape)[:2] == (512, 1)
  frames = _crepe_frames(tone[0])
  activation = model.predict(frames, verbose=0)
  reference = stock.predict(frames, verbose=0)
  np.testing.assert_allclose(activation, reference, atol=1e-5)
  np.testing.assert_array_equal(activation.argmax(1), reference.argmax(1))
  # Its predict (no tf.data) gives what Keras's own predict gives.
  np.testing.assert_allclose(
      activation, tf.keras.Model.predict(model, frames, verbose=0), atol=1e-6)
  assert model.predict(frames[:0]).shape == (0, 360)
  # ddsp's compute_f0 runs the width-layout model: same f0 as crepe's own.
  with compat.crepe_capacity(capacity):
    f0, confidence = spectral_ops.compute_f0(tone[0], 100, viterbi=True)
  cents = crepe.core.to_viterbi_cents(reference)
  np.testing.assert_allclose(f0, 10 * 2 ** (cents / 1200), rtol=1e-4)
  np.testing.assert_allclose(confidence, reference.max(axis=1), atol=1e-5)


def test_crepe_width_layout_takes_less_cpu(tone):
  import time  # pylint: disable=g-import-not-at-top
  import crepe.core  # pylint: disable=g-import-not-at-top
  frames = np.tile(_crepe_frames(tone[0]), (4, 1))  # 404 frames.
  cpu = {}
  for name, model in (('width', crepe.core.build_and_load_model('tiny')),
                      ('stock', compat.stock_crepe_model('tiny'))):
    model.predict(frames[:64], verbose=0)
    start = time.process_time()  # CPU time: robust to a shared machine.
    model.predict(frames, verbose=0)
    cpu[name] = time.process_time() - start
  assert cpu['width'] < 0.6 * cpu['stock'], cpu  # ~3x less measured.


def test_get_strategy_silences_tensorflows_deprecation_warning(monkeypatch):
  """ddsp's get_strategy builds a strategy class TensorFlow marks
  deprecated; ours calls it with the warning silenced, for that call only.
  (A stand-in deprecated function: a real multi-worker strategy would
  start a gRPC server in this process; multi_worker_test runs the real
  one and asserts its stderr is one sentence.)"""
  import logging  # pylint: disable=g-import-not-at-top
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  from tensorflow.python.util import deprecation  # pylint: disable=g-import-not-at-top,g-direct-tensorflow-import

  def make(tag):
    @deprecation.deprecated(None, f'use something else ({tag})')
    def strategy():
      return tag
    return strategy

  records = []
  handler = logging.Handler()
  handler.emit = records.append
  logger = tf.get_logger()
  logger.addHandler(handler)
  try:
    inside = make('inside')
    monkeypatch.setattr(train_util, 'get_strategy',
                        lambda tpu, cluster_config: inside())
    assert compat.get_strategy() == 'inside'
    assert not [r for r in records if 'deprecated' in r.getMessage()]
    make('outside')()  # Still warned outside the call.
    assert [r for r in records if 'outside' in r.getMessage()]
  finally:
    logger.removeHandler(handler)


# --- 9. Beam's threaded runner -------------------------------------------------
class _Emit(__import__('apache_beam').DoFn):
  """Ten elements per input, 5 ms apart: an output stream open for seconds."""

  def process(self, i):
    import time  # pylint: disable=g-import-not-at-top
    for k in range(10):
      time.sleep(0.005)
      yield i * 10 + k


def _write_count(n, path):
  with open(path, 'w') as f:
    f.write(str(n))


def _threaded_count(monkeypatch, tmp_path, n_inputs=100):
  """Elements that cross a stage boundary in the multi_threading runner,
  with the periodic flush made to take 50 ms between sending and clearing
  (so that a racing write lands there whenever the flusher fires)."""
  import threading  # pylint: disable=g-import-not-at-top
  import time  # pylint: disable=g-import-not-at-top
  import apache_beam as beam  # pylint: disable=g-import-not-at-top
  from apache_beam.runners.worker import data_plane  # pylint: disable=g-import-not-at-top
  stream = data_plane.TimeBasedBufferingClosableOutputStream
  plain = stream.flush

  def slow_flush(self):
    if not isinstance(threading.current_thread(), data_plane.PeriodicThread):
      return plain(self)
    with self._flush_lock:  # pylint: disable=protected-access
      data = self.get()
      time.sleep(0.05)
      self._flush_callback(data)  # pylint: disable=protected-access
      self._clear()  # pylint: disable=protected-access

  monkeypatch.setattr(stream, 'flush', slow_flush)
  out = str(tmp_path / 'count.txt')
  options = beam.options.pipeline_options.PipelineOptions([
      '--runner=DirectRunner', '--direct_num_workers=2',
      '--direct_running_mode=multi_threading'])
  with beam.Pipeline(options=options) as p:
    _ = (p | beam.Create(list(range(n_inputs))) | 'a' >> beam.Reshuffle()
         | beam.ParDo(_Emit()) | 'b' >> beam.Reshuffle()
         | beam.combiners.Count.Globally() | beam.Map(_write_count, out))
  with open(out) as f:
    return int(f.read())


def test_threaded_beam_runner_keeps_every_element(monkeypatch, tmp_path):
  assert compat.BEAM_DATA_BUFFER_TIME_LIMIT_MS > 10 ** 9
  assert _threaded_count(monkeypatch, tmp_path) == 1000


def test_threaded_beam_runner_loses_elements_with_its_own_flush(monkeypatch,
                                                               tmp_path):
  """The race the shim removes: with Beam's 1 s flush, elements written
  while the flusher is between sending and clearing are lost silently."""
  from apache_beam.runners.portability.fn_api_runner import worker_handlers  # pylint: disable=g-import-not-at-top
  monkeypatch.setattr(worker_handlers, 'DATA_BUFFER_TIME_LIMIT_MS', 1000)
  assert _threaded_count(monkeypatch, tmp_path) < 1000


def test_optimizer_schedule_reads_what_the_optimizer_was_built_with():
  decay = tf.keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.5)
  assert compat.optimizer_schedule(tf.keras.optimizers.Adam(decay)) is decay
  # The value it gives at a step is the closed form, not just the object.
  assert float(compat.optimizer_schedule(
      tf.keras.optimizers.Adam(decay))(20)) == pytest.approx(2.5e-4)


def test_optimizer_schedule_says_where_it_looked():
  class Odd:  # pylint: disable=too-few-public-methods
    pass
  with pytest.raises(compat.errors.EnvironmentProblem, match='Odd'):
    compat.optimizer_schedule(Odd())

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Every shim Magenta ddsp 3.7.0 needs on TensorFlow 2.21 / Python 3.11.

This is the one module of the project that changes how ddsp, crepe or Beam
behave; nothing else patches them. `import interpret_ddsp` imports it first,
before TensorFlow and ddsp load. The shims, each tested in
`tests/compat_test.py`:

1. Keras 2. ddsp is written against Keras 2 (with Keras 3, 13 of its own tests
   fail). TensorFlow >= 2.16 uses Keras 3 for `tf.keras` unless the variable
   `TF_USE_LEGACY_KERAS=1` is set before `tf.keras` is first touched; then it
   is `tf_keras` 2.21. Set here; `check_legacy_keras` explains, in one
   sentence, a process that loaded Keras 3 before us.
2. Beam pipeline options. `prepare_tfrecord_lib.prepare_tfrecord` defaults to
   `pipeline_options=''`, which Beam >= 2.5x rejects ("Flags must be an
   iterable of strings"). The default becomes `()`, for every caller (the
   function object itself is changed, so names imported from it see it too).
3. CREPE capacity. `ddsp.spectral_ops.compute_f0` always runs CREPE 'full'
   (crepe.predict's default). `crepe_capacity('tiny')` (a context manager,
   per thread) or `set_crepe_capacity` (process-wide) choose another
   capacity for every caller that does not name one. A capacity whose weights are not installed raises
   `CrepeCapacityNotInstalled` with the install command, instead of an HDF5
   traceback.
4. Audio loading without ffmpeg. ddsp's `prepare_tfrecord` reads audio with
   pydub, which needs the system programs ffmpeg/ffprobe. Its loader
   `_load_audio_as_array` now reads through `soundfile` (libsndfile ships in
   the wheel: wav, flac, ogg, aiff, mp3) and resamples with soxr, keeping its
   contract (mono float32, length int(duration * sample_rate)); files
   soundfile cannot read still go to pydub when ffprobe is installed.
5. Dataset statistics. ddsp's `postprocessing.compute_dataset_statistics`
   computes power with centred frames (n / hop + 1) and masks it with the
   stored loudness, which ddsp's own `prepare_tfrecord` (and ours) write with
   'same' frames (n / hop): the shapes differ by one and it raises. Inside
   `postprocessing` only, `compute_power` now uses 'same' frames.
6. absl flags under pytest. ddsp's `prepare_tfrecord_lib_test` parses
   `absl.flags.FLAGS(sys.argv)`, i.e. pytest's own arguments, and fails;
   `mark_absl_flags_parsed` (called by our pytest plugin) avoids that.
7. CREPE speed on CPU. crepe builds its network as convolutions along the
   height of a 1024 x 1 image, where TensorFlow's CPU kernels are slow (its
   first layer, a 512-tap convolution, takes ~85% of the time). crepe's
   `build_and_load_model` (which `crepe.predict`, hence ddsp's `compute_f0`,
   calls) now returns the same network with the same weights laid out along
   the width of a 1 x 1024 image: 3x less CPU for 'tiny', 2.4x for 'full';
   activations equal crepe's to ~1e-6 (float rounding), the same argmax.
   Its `predict` on an array of frames runs one compiled function over
   batches, without the tf.data pipeline Keras builds on every call (~90 ms
   each, a third of CREPE tiny's time on a 4-s chunk). crepe's own model
   stays in `crepe.core.models` (`stock_crepe_model`).
8. Strategies without deprecation noise. ddsp's `train_util.get_strategy`
   builds `tf.distribute.experimental.MultiWorkerMirroredStrategy`, which
   TensorFlow 2.21 marks deprecated: every worker logs a 3-line warning
   naming ddsp's line. `get_strategy` calls ddsp's with TensorFlow's
   deprecation warnings silenced for that call only (the strategy is the
   same object).
9. Beam's threaded local runner losing elements. With
   `--direct_running_mode=multi_threading` (our default for `prepare`),
   Beam 2.77 runs its SDK workers in threads with a 1 s time-based flush of
   each output stream (`worker_handlers.DATA_BUFFER_TIME_LIMIT_MS`). The
   flusher thread sends the buffer and then clears it
   (`SizeBasedBufferingClosableOutputStream.flush`: `get()`, then
   `_clear()`), while the DoFn's thread keeps writing elements into the same
   buffer without that lock: an element written between the two is cleared
   unsent, with no error. Traced in `prepare`: a window featurize emitted
   never reached the writer, in the middle of its thread's outputs (1 to 2
   of 100 four-second windows in some runs, up to 399 of 5845 on the full
   recipe). The time limit becomes 2^31 ms, so the flusher never fires in a
   batch run; outputs still flush by size (10 MB) and at the end of each
   bundle. (A limit of 0 does not disable it: Beam reads 0 as "use the
   default".) Other runners do not use this handler.
10. The learning-rate schedule of an optimizer. tf_keras' optimizers keep
   the schedule they were built with in a private attribute
   (`learning_rate` reads its current value instead); `optimizer_schedule`
   reads it, with one sentence if a tf_keras release moves it, so that
   `training.schedules.HeldDecayTrainer` can start ddsp's exponential
   decay late.
"""

import contextlib
import os
import shutil
import threading

from interpret_ddsp import errors

# --- 1. Keras 2 ---------------------------------------------------------------
os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')

CREPE_CAPACITIES = ('tiny', 'small', 'medium', 'large', 'full')


def check_legacy_keras():
  """Raises a clear error if `tf.keras` is Keras 3 in this process.

  Returns:
    The module that defines tf.keras layers (tf_keras.src....).
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  module = tf.keras.layers.Layer.__module__
  if not module.startswith('tf_keras'):
    raise errors.EnvironmentProblem(
        f'tf.keras is Keras 3 ({module}) in this process, but ddsp needs '
        'Keras 2: import interpret_ddsp before tensorflow/ddsp, or set '
        'TF_USE_LEGACY_KERAS=1 before starting Python.')
  return module


# --- 2. Beam pipeline options -----------------------------------------------
def _fix_prepare_tfrecord_default():
  """Makes prepare_tfrecord's `pipeline_options` default an empty tuple."""
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  fn = prepare_tfrecord_lib.prepare_tfrecord
  names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
  defaults = list(fn.__defaults__)
  index = names.index('pipeline_options') - (len(names) - len(defaults))
  if defaults[index] == '':
    defaults[index] = ()
    fn.__defaults__ = tuple(defaults)


# --- 3. CREPE capacity ------------------------------------------------------
class CrepeCapacityNotInstalled(errors.EnvironmentProblem):
  """The weights of the requested CREPE capacity are not installed."""


_crepe_default = {'capacity': 'full'}
_crepe_local = threading.local()  # Per-thread override (crepe_capacity).


def _check_capacity(capacity):
  if capacity not in CREPE_CAPACITIES:
    raise ValueError(f'Unknown CREPE capacity {capacity!r}; choose one of '
                     f'{", ".join(CREPE_CAPACITIES)}.')


def get_crepe_capacity():
  """The capacity CREPE uses when a caller (e.g. ddsp) does not name one."""
  return getattr(_crepe_local, 'capacity', None) or _crepe_default['capacity']


def set_crepe_capacity(capacity):
  """Sets the process-wide capacity of `crepe.predict` and `compute_f0`.

  Args:
    capacity: 'tiny', 'small', 'medium', 'large' or 'full'.

  Returns:
    The previous process-wide capacity.
  """
  _check_capacity(capacity)
  previous = _crepe_default['capacity']
  _crepe_default['capacity'] = capacity
  return previous


@contextlib.contextmanager
def crepe_capacity(capacity):
  """Within the block, in this thread, CREPE (and ddsp's compute_f0) uses
  `capacity`. Thread-local, so pipeline threads cannot undo each other's."""
  _check_capacity(capacity)
  previous = getattr(_crepe_local, 'capacity', None)
  _crepe_local.capacity = capacity
  try:
    yield
  finally:
    _crepe_local.capacity = previous


def crepe_weights_path(capacity):
  """Path where crepe keeps the weights of `capacity` (may not exist)."""
  import crepe.core  # pylint: disable=g-import-not-at-top
  package_dir = os.path.dirname(os.path.realpath(crepe.core.__file__))
  return os.path.join(package_dir, f'model-{capacity}.h5')


def installed_crepe_capacities():
  """Capacities whose weight files are installed, in crepe's order."""
  return tuple(c for c in CREPE_CAPACITIES
               if os.path.isfile(crepe_weights_path(c)))


def require_crepe_capacity(capacity):
  """Raises CrepeCapacityNotInstalled unless `capacity` can be loaded."""
  _check_capacity(capacity)
  if not os.path.isfile(crepe_weights_path(capacity)):
    installed = ','.join(installed_crepe_capacities()) or 'none'
    raise CrepeCapacityNotInstalled(
        f'CREPE capacity {capacity!r} is not installed (installed: '
        f'{installed}); add it with: ./install.sh --crepe '
        f'{",".join(sorted(set(installed_crepe_capacities()) | {capacity}, key=CREPE_CAPACITIES.index))}')


def _patch_crepe():
  import crepe  # pylint: disable=g-import-not-at-top
  import crepe.core  # pylint: disable=g-import-not-at-top
  if getattr(crepe.predict, '_interpret_ddsp_shim', False):
    return
  original_predict = crepe.predict
  original_build = crepe.core.build_and_load_model

  def predict(audio, sr, model_capacity=None, viterbi=False, center=True,
              step_size=10, verbose=1):
    return original_predict(
        audio, sr, model_capacity=model_capacity or get_crepe_capacity(),
        viterbi=viterbi, center=center, step_size=step_size, verbose=verbose)

  def build_and_load_model(model_capacity):
    require_crepe_capacity(model_capacity)
    return original_build(model_capacity)

  predict.__doc__ = original_predict.__doc__
  predict._interpret_ddsp_shim = True  # pylint: disable=protected-access
  crepe.predict = predict
  crepe.core.build_and_load_model = build_and_load_model


# --- 4. Audio loading without ffmpeg ----------------------------------------
def _patch_prepare_tfrecord_loader():
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.support import audio_io  # pylint: disable=g-import-not-at-top
  original = prepare_tfrecord_lib._load_audio_as_array  # pylint: disable=protected-access
  if getattr(original, '_interpret_ddsp_shim', False):
    return

  def load_audio_as_array(audio_path, sample_rate):
    try:
      audio, rate = audio_io.load_audio(audio_path)
    except audio_io.AudioLoadError:
      if shutil.which('ffprobe'):
        return original(audio_path, sample_rate)
      raise
    expected_len = int(len(audio) / rate * sample_rate)
    audio = audio_io.resample(audio, rate, sample_rate)
    return spectral_ops.pad_or_trim_to_expected_length(audio, expected_len)

  load_audio_as_array.__doc__ = original.__doc__
  load_audio_as_array._interpret_ddsp_shim = True  # pylint: disable=protected-access
  prepare_tfrecord_lib._load_audio_as_array = load_audio_as_array  # pylint: disable=protected-access


# --- 5. Dataset statistics ------------------------------------------------
class _SpectralOpsForStatistics:
  """ddsp.spectral_ops as seen by ddsp.training.postprocessing only."""

  def __init__(self, spectral_ops):
    self._spectral_ops = spectral_ops

  def __getattr__(self, name):
    return getattr(self._spectral_ops, name)

  def compute_power(self, audio, sample_rate=16000, frame_rate=250,
                    frame_size=512, **kwargs):
    kwargs['padding'] = 'same'  # The framing of the stored loudness.
    return self._spectral_ops.compute_power(audio, sample_rate, frame_rate,
                                            frame_size, **kwargs)


def _fix_dataset_statistics_framing():
  from ddsp.training import postprocessing  # pylint: disable=g-import-not-at-top
  if not isinstance(postprocessing.spectral_ops, _SpectralOpsForStatistics):
    postprocessing.spectral_ops = _SpectralOpsForStatistics(
        postprocessing.spectral_ops)


# --- 6. absl flags under pytest ---------------------------------------------
def mark_absl_flags_parsed():
  """Lets tests that call `absl.flags.FLAGS(sys.argv)` run under pytest."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()


# --- 7. CREPE speed on CPU --------------------------------------------------
_crepe_width_models = {}  # capacity -> crepe's network laid out by width.
_crepe_width_lock = threading.Lock()


def stock_crepe_model(capacity):
  """crepe's own Keras model of `capacity` (height layout), as it builds it."""
  import crepe.core  # pylint: disable=g-import-not-at-top
  require_crepe_capacity(capacity)
  if crepe.core.models[capacity] is None:
    crepe.core.build_and_load_model(capacity)
  return crepe.core.models[capacity]


_crepe_width_model = []  # The Model subclass, defined once TF is loaded.


def _crepe_width_model_class():
  """tf.keras.Model whose predict on a NumPy array of frames skips tf.data."""
  if _crepe_width_model:
    return _crepe_width_model[0]
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top

  class CrepeWidthModel(tf.keras.Model):
    """crepe's network, width layout (see shim 7)."""

    frames_per_batch = 32
    _frames_fn = None

    def predict(self, x, batch_size=None, verbose='auto', **kwargs):
      """Keras's predict; for a [n, 1024] array (crepe's call), one compiled
      function over batches of `frames_per_batch` frames."""
      if kwargs or not isinstance(x, np.ndarray) or x.shape[1:] != (1024,):
        return super().predict(x, batch_size=batch_size, verbose=verbose,
                               **kwargs)
      if self._frames_fn is None:
        self._frames_fn = tf.function(
            lambda frames: self(frames, training=False),
            input_signature=[tf.TensorSpec([None, 1024], tf.float32)])
      x = x.astype(np.float32, copy=False)
      n = batch_size or self.frames_per_batch
      if not len(x):
        return np.zeros((0, 360), np.float32)
      return np.concatenate([self._frames_fn(x[i:i + n]).numpy()
                             for i in range(0, len(x), n)])

  _crepe_width_model.append(CrepeWidthModel)
  return CrepeWidthModel


def _width_layout_copy(stock, capacity):
  """crepe's network (crepe.core.build_and_load_model) with every
  convolution and pooling along the width axis, weights copied from
  `stock`. crepe's Permute before Flatten is not needed: (1, 4, C) flattens
  in the order crepe's permuted (4, 1, C) -> (1, 4, C) does."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  layers = tf.keras.layers
  multiplier = {'tiny': 4, 'small': 8, 'medium': 16, 'large': 24,
                'full': 32}[capacity]
  filters = [n * multiplier for n in [32, 4, 4, 4, 8, 16]]
  widths = [512, 64, 64, 64, 64, 64]
  strides = [4, 1, 1, 1, 1, 1]
  x = layers.Input(shape=(1024,), name='input', dtype='float32')
  y = layers.Reshape(target_shape=(1, 1024, 1), name='input-reshape')(x)
  for l, f, w, s in zip(range(1, 7), filters, widths, strides):
    y = layers.Conv2D(f, (1, w), strides=(1, s), padding='same',
                      activation='relu', name=f'conv{l}')(y)
    y = layers.BatchNormalization(name=f'conv{l}-BN')(y)
    y = layers.MaxPool2D(pool_size=(1, 2), strides=None, padding='valid',
                         name=f'conv{l}-maxpool')(y)
    y = layers.Dropout(0.25, name=f'conv{l}-dropout')(y)
  y = layers.Flatten(name='flatten')(y)
  y = layers.Dense(360, activation='sigmoid', name='classifier')(y)
  model = _crepe_width_model_class()(inputs=x, outputs=y)
  model.frames_per_batch = 1024 // multiplier  # ~32 MB of conv1 output.
  for layer in model.layers:
    weights = stock.get_layer(layer.name).get_weights()
    if isinstance(layer, layers.Conv2D):  # (w, 1, in, out) -> (1, w, in, out)
      weights[0] = weights[0].reshape(layer.kernel.shape)
    layer.set_weights(weights)
  return model


def _patch_crepe_layout():
  import crepe.core  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  build = crepe.core.build_and_load_model  # Shim 3's, checks the capacity.
  if getattr(build, '_interpret_ddsp_width_layout', False):
    return

  def build_and_load_model(model_capacity):
    model = _crepe_width_models.get(model_capacity)
    if model is None:
      with _crepe_width_lock:  # Pipeline threads build it once.
        model = _crepe_width_models.get(model_capacity)
        if model is None:
          model = _width_layout_copy(build(model_capacity), model_capacity)
          model.predict(np.zeros((1, 1024), np.float32))  # Trace it once.
          _crepe_width_models[model_capacity] = model
    return model

  build_and_load_model.__doc__ = build.__doc__
  build_and_load_model._interpret_ddsp_width_layout = True  # pylint: disable=protected-access
  crepe.core.build_and_load_model = build_and_load_model


# --- 8. Strategies without deprecation noise ---------------------------------
def get_strategy(tpu='', cluster_config=''):
  """ddsp's `train_util.get_strategy(tpu, cluster_config)`, without the
  deprecation warning TensorFlow logs for the strategy class ddsp uses."""
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  from tensorflow.python.util import deprecation  # pylint: disable=g-import-not-at-top,g-direct-tensorflow-import
  with deprecation.silence():
    return train_util.get_strategy(tpu=tpu, cluster_config=cluster_config)


# --- 9. Beam's threaded runner: no time-based flush ---------------------------
# In ms; Beam's PeriodicThread waits this long between flushes (about 25 days).
BEAM_DATA_BUFFER_TIME_LIMIT_MS = 2 ** 31


def _fix_beam_time_flush():
  """Stops the local multi_threading runner's 1 s output flush (shim 9)."""
  from apache_beam.runners.portability.fn_api_runner import worker_handlers  # pylint: disable=g-import-not-at-top
  worker_handlers.DATA_BUFFER_TIME_LIMIT_MS = BEAM_DATA_BUFFER_TIME_LIMIT_MS


# --- 10. The learning-rate schedule an optimizer was built with -------------
def optimizer_schedule(optimizer):
  """The LearningRateSchedule (or float) a Keras 2 optimizer was built with.

  tf_keras' optimizers keep it in a private attribute (`learning_rate`
  reads the current value instead); used to start ddsp's schedule late
  (`training.schedules.HeldDecayTrainer`).
  """
  schedule = getattr(optimizer, '_learning_rate', None)
  if schedule is None:
    raise errors.EnvironmentProblem(
        f'{type(optimizer).__name__} keeps its learning-rate schedule where '
        'this version of interpret_ddsp does not look (tf_keras changed?).')
  return schedule


def apply():
  """Applies every shim; idempotent. Called on `import interpret_ddsp`."""
  check_legacy_keras()
  _patch_crepe()
  _patch_crepe_layout()
  _fix_prepare_tfrecord_default()
  _patch_prepare_tfrecord_loader()
  _fix_dataset_statistics_framing()
  _fix_beam_time_flush()


apply()


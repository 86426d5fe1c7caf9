# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Training: gin parsing + ddsp's strategies, Trainer and train loop.

`train(...)` does what ddsp's `ddsp_run --mode=train` does, with ddsp's own
`train_util.get_strategy`, `trainers.Trainer` and `train_util.train`:
- gin files are looked up in our `gin/` and in ddsp's `training/gin/`;
- a previous run's operative config in `save_dir` is parsed first, so
  re-running the same command resumes that run from its last checkpoint
  (ddsp's loop restores it), and Ctrl-C saves a checkpoint before exiting;
- `dataset_dir` (a `prepare` output) sets the file patterns and the audio
  shape macros (EXAMPLE_SECS, SAMPLE_RATE, N_SAMPLES, TIME_STEPS) from its
  manifest, so one model config fits any prepared example length;
- a timbre model's knob units (mean and std of each scaled descriptor) are
  measured on the training set before the first step and saved in the
  checkpoint (and `knob_statistics.json`);
- steps show a tqdm bar with the losses; `knobs.json` records the knob names
  and units for the later stages;
- with several workers (`cluster_config`, MultiWorkerMirroredStrategy) the
  chief writes save_dir and the others a scratch folder; every worker reads
  the same global batch and keeps its replicas' part, and a lost worker is
  one sentence (UserError) with the checkpoints kept.
"""

import contextlib
import functools
import json
import os

from interpret_ddsp import compat
from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.support import files



def _gin_dir():
  """Our gin configs: installed as package data (`interpret_ddsp/gin`, from
  the repository's `gin/`, setup.py), else the checkout's `gin/` (an
  editable install)."""
  package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  installed = os.path.join(package, 'gin')
  if os.path.isdir(os.path.join(installed, 'models')):
    return installed
  return os.path.join(os.path.dirname(package), 'gin')


GIN_DIR = _gin_dir()


def read_loss_log(save_dir):
  """[{step, total_loss, ...}] from a training folder's losses.jsonl."""
  with open(os.path.join(save_dir, contracts.LOSS_LOG)) as f:
    return [json.loads(line) for line in f if line.strip()]


def trim_loss_log(path, step):
  """Drops a loss log's rows after `step`: the steps a run lost when it was
  killed after its last checkpoint, which its resumption takes again (and
  a last row cut short by the kill).

  Returns:
    How many rows were dropped.
  """
  if not os.path.exists(path):
    return 0
  with open(path) as f:
    lines = [l for l in f if l.strip()]
  kept = [l for l in lines if _row_step(l) <= step]
  if len(kept) < len(lines):
    files.write_text(path, ''.join(kept))
  return len(lines) - len(kept)


def _row_step(line):
  """A loss-log row's step; infinity for a row cut short by a kill."""
  try:
    return json.loads(line)['step'] if line.endswith('\n') else float('inf')
  except (ValueError, KeyError, TypeError):
    return float('inf')


def ddsp_gin_dir():
  import ddsp.training  # pylint: disable=g-import-not-at-top
  return os.path.join(os.path.dirname(ddsp.training.__file__), 'gin')


class _QuietGinSearch:
  """Drops gin's 'Path not found' errors for search-path misses (a file is
  looked up in each gin folder in turn; a real miss still raises)."""

  def filter(self, record):
    return not str(record.msg).startswith('Path not found:')


def add_gin_search_paths():
  import logging  # pylint: disable=g-import-not-at-top
  import gin  # pylint: disable=g-import-not-at-top
  root = logging.getLogger()
  if not any(isinstance(f, _QuietGinSearch) for f in root.filters):
    root.addFilter(_QuietGinSearch())
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  gin.config.register_file_reader(tf.io.gfile.GFile, tf.io.gfile.exists)
  # Ours before ddsp's, whatever added ddsp's first: both have e.g.
  # datasets/tfrecord.gin, and ours is meant. The working directory ('')
  # stays first, so a user's own relative paths win.
  prefixes = gin.config._LOCATION_PREFIXES  # pylint: disable=protected-access
  for path in (GIN_DIR, ddsp_gin_dir()):
    while path in prefixes:
      prefixes.remove(path)
  start = 1 if prefixes and prefixes[0] == '' else 0
  prefixes[start:start] = [GIN_DIR, ddsp_gin_dir()]


def dataset_bindings(dataset_dir):
  """Gin macros for a `prepare` output folder (from its manifest.json)."""
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  manifest = data.read_manifest(dataset_dir)
  if manifest is None:
    raise errors.UserError(
        f'{dataset_dir} has no {contracts.DATASET_MANIFEST}: point '
        '--dataset at an `interpret-ddsp prepare` output.')
  config = manifest['config']
  secs, sr, fr = (config['example_secs'], config['sample_rate'],
                  config['frame_rate'])
  if fr != 250:
    raise errors.UserError(f'{dataset_dir} has {fr} frames/s; the models '
                           'expect ddsp\'s 250.')
  n_samples = int(round(secs * sr))
  time_steps = decoder_time_steps(n_samples, int(round(secs * fr)))
  if '://' not in dataset_dir:  # Local: absolute, so configs stay valid.
    dataset_dir = os.path.abspath(dataset_dir)
  train_pattern = contracts.split_pattern(dataset_dir, contracts.TRAIN_SPLIT)
  eval_pattern = contracts.split_pattern(dataset_dir, contracts.EVAL_SPLIT)
  return [f"TRAIN_PATTERN = '{train_pattern}'",
          f"EVAL_PATTERN = '{eval_pattern}'",
          f'EXAMPLE_SECS = {secs}',
          f'SAMPLE_RATE = {sr}',
          f'N_SAMPLES = {n_samples}',
          f'TIME_STEPS = {time_steps}']


def decoder_time_steps(n_samples, n_frames):
  """Decoder frames per example: n_frames, or the nearest count that divides
  n_samples (ddsp's window upsampling and noise filter need whole samples
  per frame: at 44.1 kHz, 252 frames/s of 175 samples instead of 250)."""
  if n_samples % n_frames == 0:
    return n_frames
  divisors = [d for d in range(1, n_samples + 1) if n_samples % d == 0]
  return min(divisors, key=lambda d: (abs(d - n_frames), -d))


def parse_gin(gin_files, gin_params=(), save_dir=None, dataset_dir=None):
  """Parses configs: a previous run's operative config in save_dir, then
  the files, the dataset's macros, then the params (later wins)."""
  import gin  # pylint: disable=g-import-not-at-top
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  import interpret_ddsp.data  # pylint: disable=g-import-not-at-top,unused-import
  import interpret_ddsp.models  # pylint: disable=g-import-not-at-top,unused-import
  add_gin_search_paths()
  gin.clear_config()
  bindings = list(dataset_bindings(dataset_dir)) if dataset_dir else []
  with gin.unlock_config():
    if save_dir:
      try:
        operative = train_util.get_latest_operative_config(save_dir)
        gin.parse_config_file(operative, skip_unknown=True)
      except FileNotFoundError:
        pass
    try:
      gin.parse_config_files_and_bindings(list(gin_files),
                                          bindings + list(gin_params))
    except IOError as e:
      raise errors.UserError(f'gin: {e}') from e
    except (ValueError, SyntaxError) as e:  # Unknown names, bad syntax.
      raise errors.UserError(f'gin: {_first_line(e)}') from e


def _first_line(error):
  return next((l.strip() for l in str(error).splitlines() if l.strip()),
              type(error).__name__)


def _peer_error(error):
  """What gRPC said about a lost peer ('recvmsg:Connection reset by peer'),
  else the error's first line."""
  import re  # pylint: disable=g-import-not-at-top
  found = re.search(r'grpc_message:"([^"]+)"', str(error))
  return found.group(1) if found else _first_line(error)


def data_provider():
  """The gin-bound train.data_provider, checked: bound, and its files there.

  Raises:
    UserError: No dataset bound, or its pattern matches no file.
  """
  import gin  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  try:
    provider = gin.query_parameter('train.data_provider')
  except ValueError as e:
    raise errors.UserError(
        'No dataset: pass --dataset DIR (a `prepare` output), or a gin file '
        'that binds train.data_provider (e.g. datasets/tfrecord.gin).') from e
  provider = provider.scoped_configurable_fn()
  pattern = getattr(provider, '_file_pattern', None)
  if isinstance(pattern, str) and not tf.io.gfile.glob(pattern):
    raise errors.UserError(f'No TFRecords match {pattern}: pass --dataset '
                           'DIR (a `prepare` output).')
  return provider


def latest_step(save_dir):
  """Step of the newest checkpoint in save_dir (0 if none)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  ckpt = tf.train.latest_checkpoint(save_dir) if save_dir else None
  return int(ckpt.rsplit('-', 1)[1]) if ckpt else 0


def build_model():
  """The gin-configured model (ddsp's models.get_model)."""
  from ddsp.training import models  # pylint: disable=g-import-not-at-top
  return models.get_model()


def set_knob_statistics(model, provider, save_dir=None, max_batches=200):
  """Measures the knob units on the training data; returns the stats."""
  from interpret_ddsp.analysis import knobs  # pylint: disable=g-import-not-at-top
  pre = model.preprocessor
  stats = knobs.knob_statistics(provider, pre.descriptor_names,
                                max_batches=max_batches)
  pre.set_statistics({d: (s['mean'], s['std']) for d, s in stats.items()})
  if save_dir:
    files.write_json(os.path.join(save_dir, contracts.KNOB_STATISTICS), stats)
  return stats


def write_knobs(model, save_dir):
  """knobs.json: names, z size and units, for the later stages."""
  info = {'knob_names': list(model.knob_names), 'z_dims': model.z_dims,
          'free_dims': model.encoder.free_dims,
          'pooled': bool(model.encoder.pooled),
          'variational': bool(model.encoder.variational),
          'units': {k: {'descriptor': d, 'unit': u, 'mean': m, 'std': s}
                    for k, (d, u, m, s) in model.knob_units().items()}}
  files.write_json(os.path.join(save_dir, contracts.KNOBS_FILE), info)
  return info


def resume_seed(seed, step):
  """The seed a run starts from: `seed` for a fresh run; for a resumed one
  a seed drawn from (seed, step), so that the data shuffle and the noise do
  not replay the first steps' (the weights come from the checkpoint).

  >>> resume_seed(0, 0), resume_seed(0, 1000) != resume_seed(0, 0)
  (0, True)
  """
  if not step:
    return int(seed)
  import numpy as np  # pylint: disable=g-import-not-at-top
  return int(np.random.SeedSequence([int(seed), int(step)]).generate_state(
      1)[0] % (2 ** 31 - 1))


class TimeBudgetReached(Exception):
  """Raised between steps once train(max_secs=...) is spent."""


def _wrap_steps(trainer, num_steps, initial_step, progress, max_secs,
                log_path=None):
  """Wraps trainer.train_step (on this instance only) with a tqdm bar, a
  wall-clock budget and a JSON-lines loss log; returns a context that
  closes the bar."""
  import time  # pylint: disable=g-import-not-at-top
  bar = None
  if progress:
    from tqdm import auto as tqdm  # pylint: disable=g-import-not-at-top
    bar = tqdm.tqdm(total=num_steps, initial=initial_step,
                    desc='train', unit='step', dynamic_ncols=True)
  step_fn = trainer.train_step
  start = time.perf_counter()

  def train_step(inputs):
    if max_secs is not None and time.perf_counter() - start > max_secs:
      raise TimeBudgetReached()
    losses = step_fn(inputs)
    if log_path:
      row = {'step': int(trainer.step.numpy())}
      row.update({k: float(v) for k, v in losses.items()})
      with open(log_path, 'a') as f:
        f.write(json.dumps(row) + '\n')
    if bar is not None:
      bar.update(1)
      bar.set_postfix({k.replace('_loss', ''): f'{float(v):.3g}'
                       for k, v in losses.items()}, refresh=False)
    return losses
  trainer.train_step = train_step
  return contextlib.closing(bar) if bar else contextlib.nullcontext()


def train(gin_files, save_dir, gin_params=(), dataset_dir=None, tpu='',
          cluster_config='', strategy=None, num_steps=None, progress=True,
          knob_stat_batches=200, max_secs=None, seed=None):
  """Trains (or resumes) the gin-configured model; returns the trainer.

  Args:
    gin_files: Gin files (paths, or names under gin/ or ddsp's gin/).
    save_dir: Checkpoints, summaries, operative config; resumes from it.
    gin_params: Extra bindings, e.g. ['train.num_steps=100'].
    dataset_dir: A `prepare` output folder (sets patterns and audio shape).
    tpu: TPU address (TPUStrategy); '' for none.
    cluster_config: Multi-worker TF_CONFIG-style JSON or dict; '' for none
      (`check_cluster_config`). save_dir and dataset_dir must then be paths
      every worker sees; max_secs is refused.
    strategy: A tf.distribute strategy (overrides tpu/cluster_config).
    num_steps: Total steps to reach (overrides train.num_steps).
    progress: Show a tqdm bar.
    knob_stat_batches: Batches read to measure knob units (fresh runs).
    max_secs: Stop (with a checkpoint) after this much wall time of steps.
    seed: Seeds Python, NumPy and TensorFlow (initial weights, the data
      shuffle, the noise synth's noise) before the model is built, so that
      a run can be repeated; None: not seeded (ddsp's behaviour). A resumed
      run is seeded from (seed, step) (`resume_seed`), so it does not
      replay the data order of the run's start. Repeats
      match closely on the same machine and thread count, not bit for bit
      (multithreaded float sums are not ordered).

  Returns:
    The ddsp Trainer (its .model is trained; .step the last step).
  """
  import gin  # pylint: disable=g-import-not-at-top
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  cluster_config = check_cluster_config(cluster_config)
  workers = (num_workers(strategy) if strategy is not None else
             max(1, _count_workers(cluster_config.get('cluster'))))
  if workers > 1 and max_secs is not None:  # Before any server starts.
    raise errors.UserError(
        'A time budget cannot stop several workers at the same step; give '
        'a number of steps instead.')
  tf.io.gfile.makedirs(save_dir)
  start = latest_step(save_dir)
  params = list(gin_params)
  # Every worker of a multi-worker run must shuffle the examples alike, as
  # each reads every global batch and keeps its own rows. A seeded run's
  # workers already do (the same global seed, the same ops); an unseeded
  # one's get a shuffle seed of their own.
  # (parse_gin imports the provider's module before it reads bindings.)
  if seed is None and workers > 1:
    params.append('TimbreTFRecordProvider.shuffle_seed = '
                  f'{resume_seed(0, start)}')
  if num_steps is not None:
    params.append(f'train.num_steps = {int(num_steps)}')
  parse_gin(gin_files, params, save_dir, dataset_dir)
  provider = data_provider()  # Fails fast, before any model is built.
  if seed is not None:
    tf.keras.utils.set_random_seed(resume_seed(seed, start))
  if strategy is None:
    strategy = compat.get_strategy(tpu=tpu, cluster_config=cluster_config)
  # The chief writes save_dir; the other workers take part in every save
  # (it is a collective) but write to a folder of their own, removed after.
  chief = strategy.extended.should_checkpoint
  ckpt_dir = save_dir if chief else worker_dir(save_dir, strategy)
  if not chief and tf.io.gfile.exists(ckpt_dir):  # Left by a failed run.
    tf.io.gfile.rmtree(ckpt_dir)
  with strategy.scope():
    model = build_model()
    trainer = trainers.get_trainer_class()(model, strategy)
  trainer.build = functools.partial(build_eagerly, trainer)
  if workers > 1:
    _shard_by_batch_part(trainer)
  resuming = start > 0
  timbre = hasattr(model, 'knob_names')
  if timbre and not resuming:
    set_knob_statistics(model, provider, save_dir if chief else None,
                        knob_stat_batches)
  total = gin.query_parameter('train.num_steps')
  log_path = os.path.join(save_dir, contracts.LOSS_LOG) if chief else None
  if log_path and resuming:
    trim_loss_log(log_path, start)
  with _wrap_steps(trainer, total, start, progress and chief,
                   max_secs, log_path):
    try:
      train_util.train(data_provider=gin.REQUIRED, trainer=trainer,
                       save_dir=ckpt_dir, restore_dir=save_dir)
    except TimeBudgetReached:
      trainer.save(ckpt_dir)
    except KeyboardInterrupt:  # Keep the steps since the last save.
      if int(trainer.step.numpy()) > 0 and workers == 1:
        trainer.save(save_dir)
      raise
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError,
            tf.errors.CancelledError, tf.errors.AbortedError) as e:
      if workers == 1:
        raise
      raise errors.UserError(
          f'A worker of the cluster stopped answering ({_peer_error(e)}); '
          f'the checkpoints up to step {latest_step(save_dir) or 0} are '
          f'kept in {save_dir}: start every worker again to resume.') from e
  if not chief:
    tf.io.gfile.rmtree(ckpt_dir)
  elif timbre:
    write_knobs(model, save_dir)
  return trainer


def check_cluster_config(cluster_config):
  """A TF_CONFIG-style cluster description, parsed and checked.

  Args:
    cluster_config: '' (none), a JSON string or a dict like
      {"cluster": {"worker": ["host1:2222", "host2:2222"]},
       "task": {"type": "worker", "index": 0}}.

  Returns:
    The dict ({} for '').

  Raises:
    UserError: Not JSON, no cluster or task, or a task not in the cluster.

  >>> check_cluster_config('{"cluster": {"worker": ["h:1"]}, '
  ...                      '"task": {"type": "worker", "index": 0}}')['task']
  {'type': 'worker', 'index': 0}
  """
  if not cluster_config:
    return {}
  config = cluster_config
  if isinstance(config, str):
    try:
      config = json.loads(config)
    except ValueError as e:
      raise errors.UserError(
          f'The cluster config is not JSON ({e}).') from e
  example = ('{"cluster": {"worker": ["host1:2222", "host2:2222"]}, '
             '"task": {"type": "worker", "index": 0}}')
  cluster = config.get('cluster') if isinstance(config, dict) else None
  task = config.get('task') if isinstance(config, dict) else None
  if (not isinstance(cluster, dict) or not isinstance(task, dict) or
      not all(isinstance(v, list) and v for v in cluster.values())):
    raise errors.UserError(
        f'A cluster config needs "cluster" (job name -> list of host:port) '
        f'and "task" (type, index), like {example}.')
  kind, index = task.get('type'), task.get('index')
  if (kind not in cluster or not isinstance(index, int) or
      not 0 <= index < len(cluster[kind])):
    raise errors.UserError(
        f'The task {kind!r} {index!r} of the cluster config is not one of '
        f'its jobs ({", ".join(f"{k}: {len(v)}" for k, v in cluster.items())}'
        ').')
  return config


def num_workers(strategy):
  """How many worker processes a tf.distribute strategy spans (1 for all
  single-process strategies)."""
  resolver = getattr(strategy, 'cluster_resolver', None)
  if resolver is None:
    return 1
  return max(1, _count_workers(resolver.cluster_spec().as_dict()))


def _count_workers(cluster):
  """Chief and worker tasks in a cluster dict (0 for None); those take
  training steps, a parameter server or evaluator does not."""
  return sum(len((cluster or {}).get(job, ())) for job in ('chief', 'worker'))


def worker_dir(save_dir, strategy):
  """Where a non-chief worker writes its copy of each checkpoint."""
  resolver = strategy.cluster_resolver
  return os.path.join(save_dir,
                      f'worker_tmp_{resolver.task_type}_{resolver.task_id}')


def build_eagerly(trainer, batch):
  """ddsp's Trainer.build (its variables made by running one batch
  through the model) without tracing that forward pass into a tf.function
  first: the first train step traces it again anyway. The variables, their
  initial values and the outputs are the same (train_test); the start is
  shorter (benchmarks/start_time.py, arm timbre_knobs_eager_build). It
  then makes the optimizer's slots (build_optimizer).
  TPUStrategy cannot run a step eagerly and MultiWorkerMirroredStrategy
  warns that it is slow eagerly: for those ddsp's build runs.

  Args:
    trainer: A ddsp Trainer (train() sets its .build to this).
    batch: A batch of features (a distributed one, as ddsp's train gives).
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  traced = (tf.distribute.TPUStrategy, tf.distribute.experimental.TPUStrategy,
            tf.distribute.MultiWorkerMirroredStrategy,
            tf.distribute.experimental.MultiWorkerMirroredStrategy)
  if isinstance(trainer.strategy, traced):
    type(trainer).build(trainer, batch)
  else:
    trainer.run(trainer.model.__call__, batch)
    trainer.model.summary()
  build_optimizer(trainer)


def build_optimizer(trainer):
  """Makes the optimizer's slot variables (Adam's moments) for the model's
  trainable variables now, before the first train step.

  Left to the step, they are made inside its tf.function, and TensorFlow
  then traces the whole step a second time without them: the first step
  of every run paid for two traces (train_test counts them). A checkpoint
  restored afterwards fills the slots made here.

  Args:
    trainer: A built ddsp Trainer (its model has its variables).
  """
  build = getattr(trainer.optimizer, 'build', None)
  if build is None:  # A legacy Keras optimizer makes its slots itself.
    return
  with trainer.strategy.scope():
    build(trainer.model.trainable_variables)


def _shard_by_batch_part(trainer):
  """Makes each worker take its replicas' part of every global batch.

  tf.distribute's default shards a multi-file dataset by file, so that
  workers' batches would come from different files than one process's
  would; by data, every worker reads the same global batch and keeps its
  replicas' rows, so several workers take exactly the steps one process
  with as many replicas takes (the example shuffle is seeded alike on
  every worker: by the run's seed, or, unseeded, by the
  TimbreTFRecordProvider.shuffle_seed that `train` binds).
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  distribute = trainer.distribute_dataset

  def distribute_dataset(dataset):
    if isinstance(dataset, tf.data.Dataset):
      options = tf.data.Options()
      options.experimental_distribute.auto_shard_policy = (
          tf.data.experimental.AutoShardPolicy.DATA)
      dataset = dataset.with_options(options)
    return distribute(dataset)
  trainer.distribute_dataset = distribute_dataset

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The accelerator check: the full-size timbre AE trained on a GPU (or TPU).

On a GPU or TPU runtime this trains gin/models/timbre_ae.gin (ddsp's full
sizes, 4 s examples) with gin/optimization/gpu.gin (or tpu.gin) for a few
hundred steps of ddsp's Trainer under MirroredStrategy over every visible
GPU (TPUStrategy with --tpu), on synthetic harmonic tones with every key
the model reads (bench_common.synthetic_batch; nothing is downloaded), and
records step time (median and spread over blocks of steps), peak device
memory and the loss at the start and the end. --mixed_precision also runs
the same steps under Keras' 'mixed_float16' policy and records whether ddsp's
layers accept it. On a machine with neither, it says so in one sentence and
exits with code 2: nothing here needs an accelerator to pass the tests.

  .venv/bin/python benchmarks/accelerator.py [--steps 300] [--batch 32]
      [--mixed_precision] [--tpu grpc://...]

Writes benchmarks/results/accelerator.json.
"""

import argparse
import os
import sys
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.training import train
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_GIN = 'models/timbre_ae.gin'
EXAMPLE_SECS = 4.0


def _devices(tpu):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  gpus = tf.config.list_physical_devices('GPU')
  if tpu:
    return 'tpu', [tpu]
  if gpus:
    return 'gpu', [g.name for g in gpus]
  return None, []


def _strategy(kind, tpu):
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  return train_util.get_strategy(tpu=tpu if kind == 'tpu' else '')


def _peak_memory_mib(kind):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  if kind != 'gpu':
    return None
  peaks = []
  for i, _ in enumerate(tf.config.list_physical_devices('GPU')):
    try:
      peaks.append(tf.config.experimental.get_memory_info(f'GPU:{i}')['peak'])
    except (ValueError, RuntimeError):
      pass
  return [p / 2 ** 20 for p in peaks] or None


def run(kind, tpu, steps, batch_size, block, mixed_precision):
  """Trains `steps` steps; returns the figures (dict)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from ddsp.training import trainers  # pylint: disable=g-import-not-at-top
  n_samples = int(EXAMPLE_SECS * 16000)
  params = [f'EXAMPLE_SECS = {EXAMPLE_SECS}', f'N_SAMPLES = {n_samples}',
            'TIME_STEPS = 1000', f'train.batch_size = {batch_size}']
  train.parse_gin([MODEL_GIN, 'datasets/tfrecord.gin',
                   f'optimization/{kind}.gin'], params)
  if mixed_precision:
    tf.keras.mixed_precision.set_global_policy('mixed_float16')
  strategy = _strategy(kind, tpu)
  with strategy.scope():
    model = train.build_model()
    trainer = trainers.get_trainer_class()(model, strategy)
  feats = bench_common.synthetic_batch(batch_size, secs=EXAMPLE_SECS)
  dataset = tf.data.Dataset.from_tensors(
      {k: tf.constant(v) for k, v in feats.items()}).repeat()
  iterator = iter(strategy.experimental_distribute_dataset(dataset))
  first = trainer.train_step(iterator)  # Builds and traces.
  times, losses = [], [float(first['total_loss'])]
  for start in range(0, steps, block):
    t0 = time.perf_counter()
    for _ in range(min(block, steps - start)):
      out = trainer.train_step(iterator)
    losses.append(float(out['total_loss']))  # Waits for the device.
    times.append((time.perf_counter() - t0) / min(block, steps - start))
  if mixed_precision:
    tf.keras.mixed_precision.set_global_policy('float32')
  return {'secs_per_step_median': float(np.median(times)),
          'secs_per_step_range': [float(min(times)), float(max(times))],
          'loss_first': losses[0], 'loss_last': losses[-1],
          'loss_per_block': losses,
          'peak_device_memory_mib': _peak_memory_mib(kind),
          'replicas': int(strategy.num_replicas_in_sync)}


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--steps', type=int, default=300)
  parser.add_argument('--batch', type=int, default=32,
                      help='global batch (split over the replicas)')
  parser.add_argument('--block', type=int, default=25,
                      help='steps per timed block (the spread is over blocks)')
  parser.add_argument('--mixed_precision', action='store_true')
  parser.add_argument('--tpu', default='')
  parser.add_argument('--cpu_smoke', action='store_true',
                      help='run the same code on the CPU (a few steps, to '
                      'check the script before an accelerator session; '
                      'its figures are not the point)')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'accelerator.json'))
  args = parser.parse_args(argv)
  kind, devices = _devices(args.tpu)
  if args.cpu_smoke:
    kind, devices = 'cpu', ['CPU']
    args.out = args.out.replace('.json', '_cpu_smoke.json')
  if kind is None:
    print('accelerator.py: no GPU or TPU is visible here; run it on an '
          'accelerator runtime (nothing else needs one).', file=sys.stderr)
    return 2
  result = {'kind': kind, 'devices': devices, 'model': MODEL_GIN,
            'example_secs': EXAMPLE_SECS, 'batch': args.batch,
            'steps': args.steps, 'cpu': bench_common.cpu_name(),
            'float32': run(kind, args.tpu, args.steps, args.batch,
                           args.block, False)}
  if args.mixed_precision:
    try:
      result['mixed_float16'] = run(kind, args.tpu, args.steps, args.batch,
                                    args.block, True)
    except Exception as e:  # pylint: disable=broad-except  # Reported.
      result['mixed_float16'] = {'error': f'{type(e).__name__}: {e}'[-800:]}
  bench_common.write_result(result, args.out)
  f32 = result['float32']
  print(f'{kind} x{f32["replicas"]}: {1000 * f32["secs_per_step_median"]:.1f} '
        f'ms/step (blocks {1000 * f32["secs_per_step_range"][0]:.1f}-'
        f'{1000 * f32["secs_per_step_range"][1]:.1f}), loss '
        f'{f32["loss_first"]:.2f} -> {f32["loss_last"]:.2f}, peak memory '
        f'{f32["peak_device_memory_mib"]} MiB')
  return 0


if __name__ == '__main__':
  sys.exit(main())

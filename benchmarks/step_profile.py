# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Where a training step's time goes, per component, ours vs plain ddsp.

For the tiny default timbre AE (knob processors, synths.FastHarmonic), the
same with ddsp's Harmonic, and plain ddsp harmonic_noise_tiny, on one
in-memory batch (bench_common.synthetic_batch, batch 8, 1 s): the median
time of tf.function pieces: encode, the forward pass to audio, forward plus
losses, forward plus losses plus gradients (the step without the optimizer
update), and the gradient of each loss alone; and the harmonic synth alone
(ddsp's vs FastHarmonic, forward and backward). With --data (a `prepare`
output), the data pipeline too, as training reads it (the train split
through `TimbreTFRecordProvider.get_batch(shuffle=True)`, as ddsp's train_util:
parsing, the example shuffle, batching, prefetch): the first batch's
seconds (the shuffle buffer filling), the median ms of a batch drawn
alone, and the default's forward + losses + gradients fed by the
pipeline's iterator inside the tf.function, as ddsp's Trainer feeds its
step, next to the same fed one batch from memory.

  .venv/bin/python benchmarks/step_profile.py [--reps 10] [--data DIR]

Writes benchmarks/results/step_profile.json.
"""

import argparse
import os
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.training import synths
from interpret_ddsp.training import train
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/
import timbre_step_time  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = {k: timbre_step_time.CONFIGS[k] for k in (
    'timbre_knobs', 'timbre_knobs_ddsp_harmonic', 'ddsp_harmonic_noise')}


def _median_ms(fn, arg, reps):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  f = tf.function(lambda b: fn(dict(b)))
  f(arg)
  f(arg)
  times = []
  for _ in range(reps):
    t0 = time.perf_counter()
    out = f(arg)
    tf.nest.map_structure(lambda x: x.numpy(), out)
    times.append(time.perf_counter() - t0)
  return 1000 * float(np.median(times))


def profile_model(gin_files, params, batch, reps):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  train.parse_gin(gin_files + ['optimization/cpu.gin'], params)
  tf.keras.utils.set_random_seed(0)
  model = train.build_model()
  model(dict(batch), training=True)
  loss_names = [k for k in model(dict(batch), training=True,
                                 return_losses=True)[1] if k != 'total_loss']

  def grads(b, keys=None):
    with tf.GradientTape() as tape:
      _, losses = model(b, training=True, return_losses=True)
      total = (losses['total_loss'] if keys is None
               else tf.add_n([losses[k] for k in keys]))
    return [g for g in tape.gradient(total, model.trainable_variables)
            if g is not None]

  out = {
      'encode': _median_ms(lambda b: model.encode(b, training=True)['z'],
                           batch, reps),
      'forward': _median_ms(
          lambda b: model(b, training=True)['audio_synth'], batch, reps),
      'forward_losses': _median_ms(
          lambda b: model(b, training=True, return_losses=True)[1], batch,
          reps),
      'forward_losses_gradients': _median_ms(grads, batch, reps),
  }
  for name in loss_names:
    out[f'gradient_of_{name}_alone'] = _median_ms(
        lambda b, n=name: grads(b, [n]), batch, reps)
  return out


def profile_data(data_dir, batch_size, reps):
  """The data column: the train split's pipeline alone, and the default's
  gradient step fed by it against one in-memory batch (ms)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  files, params = CONFIGS['timbre_knobs']
  train.parse_gin(files + ['datasets/tfrecord.gin', 'optimization/cpu.gin'],
                  params, dataset_dir=data_dir)
  provider = train.data_provider()  # The gin-bound one `train` reads.
  it = iter(provider.get_batch(batch_size, shuffle=True))
  t0 = time.perf_counter()
  first = next(it)
  out = {'first_batch_secs': time.perf_counter() - t0,
         'shuffle_buffer_examples': provider.shuffle_buffer}
  times = []
  for _ in range(5 * reps):
    t0 = time.perf_counter()
    next(it)
    times.append(time.perf_counter() - t0)
  out['batch_alone_ms'] = 1000 * float(np.median(times))
  tf.keras.utils.set_random_seed(0)
  model = train.build_model()
  model(dict(first), training=True)

  def grads(b):
    with tf.GradientTape() as tape:
      _, losses = model(b, training=True, return_losses=True)
    return [g for g in tape.gradient(losses['total_loss'],
                                     model.trainable_variables)
            if g is not None]

  fed = tf.function(lambda: grads(next(it)))
  fed()
  fed()
  times = []
  for _ in range(reps):
    t0 = time.perf_counter()
    [g.numpy() for g in fed()]  # pylint: disable=expression-not-assigned
    times.append(time.perf_counter() - t0)
  out['gradients_fed_by_pipeline_ms'] = 1000 * float(np.median(times))
  out['gradients_from_memory_ms'] = _median_ms(grads, first, reps)
  return out


def profile_synths(reps):
  import ddsp  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(0)
  amps = tf.Variable(rng.uniform(0.1, 1, [8, 250, 1]).astype(np.float32))
  dist = tf.Variable(rng.uniform(0, 1, [8, 250, 40]).astype(np.float32))
  f0 = tf.constant(np.linspace(100, 900, 8)[:, None, None] *
                   np.ones([8, 250, 1]), tf.float32)
  out = {}
  for name, synth in (('ddsp_harmonic', ddsp.synths.Harmonic(16000, 16000,
                                                             scale_fn=None)),
                      ('fast_harmonic', synths.FastHarmonic(16000, 16000,
                                                            scale_fn=None))):
    def fwd_bwd(_, s=synth):
      with tf.GradientTape() as tape:
        y = tf.reduce_sum(s(amps, dist, f0) ** 2)
      return tape.gradient(y, [amps, dist])
    out[f'{name}_forward'] = _median_ms(
        lambda _, s=synth: s(amps, dist, f0), {'x': tf.zeros([1])}, reps)
    out[f'{name}_forward_backward'] = _median_ms(fwd_bwd,
                                                 {'x': tf.zeros([1])}, reps)
  return out


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--reps', type=int, default=10)
  parser.add_argument('--batch', type=int, default=8)
  parser.add_argument('--data', default=None,
                      help='a prepare output: also profile the data pipeline')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'step_profile.json'))
  args = parser.parse_args()
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  batch = {k: tf.constant(v) for k, v in
           bench_common.synthetic_batch(args.batch).items()}
  result = {'cpu': bench_common.cpu_name(), 'cpus': os.cpu_count(),
            'batch': args.batch, 'reps': args.reps, 'ms': {}}
  for name, (files, params) in CONFIGS.items():
    result['ms'][name] = profile_model(files, params, batch, args.reps)
  result['ms']['synth_alone'] = profile_synths(args.reps)
  if args.data:
    result['data_dir'] = args.data
    result['ms']['data'] = profile_data(args.data, args.batch, args.reps)
  bench_common.write_result(result, args.out)
  for name, parts in result['ms'].items():
    print(name)
    for part, ms in parts.items():
      print(f'  {part:40s} {ms:9.1f}')


if __name__ == '__main__':
  main()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Does XLA speed up a piece of the training step on this machine?

The whole step does not compile usefully (benchmarks/README.md: tf_keras'
GRU gradient recompiles every step). This compiles one piece at a time
with `tf.function(jit_compile=True)` inside the uncompiled step of the
default tiny timbre AE (one in-memory batch of 8, 1 s; forward, losses and
gradients, as `step_profile.py`'s forward_losses_gradients) and reports
the median step time against the uncompiled step, and the largest
difference in the losses (equal within float tolerance where the piece
is correct; the noise synth draws other noise when compiled, so its losses
differ by the draw):

  harmonic    synths.FastHarmonic's get_signal
  noise       ddsp's FilteredNoise get_signal
  losses      each of the model's ddsp losses (the spectral loss)
  processors  the whole processor group (knob processors and synths)

  .venv/bin/python benchmarks/xla_pieces.py [--reps 15]

Writes benchmarks/results/xla_pieces.json. A piece XLA cannot compile is
reported with its error's first line.
"""

import argparse
import os
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
PIECES = ('none', 'harmonic', 'noise', 'losses', 'processors')


def _compile(model, piece):
  """Replaces `piece` of the model by its XLA-compiled self, in place."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  jit = lambda f: tf.function(f, jit_compile=True)
  modules = {m.name: m for m in model.processor_group.modules}
  if piece == 'harmonic':
    modules['harmonic'].get_signal = jit(modules['harmonic'].get_signal)
  elif piece == 'noise':
    noise = modules['filtered_noise']
    noise.get_signal = jit(noise.get_signal)
  elif piece == 'losses':
    for loss in model.loss_objs:
      loss.call = jit(loss.call)
  elif piece == 'processors':
    model._synthesize_features = jit(model._synthesize_features)  # pylint: disable=protected-access


def time_piece(piece, batch, reps):
  """{'median_ms', 'spread_ms', 'losses'} of the step with `piece`
  compiled, or {'error'}."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  train.parse_gin(['models/timbre_ae_tiny.gin', 'optimization/cpu.gin'], [])
  tf.keras.utils.set_random_seed(0)
  model = train.build_model()
  model(dict(batch), training=True)
  _compile(model, piece)

  def step(b):
    with tf.GradientTape() as tape:
      _, losses = model(dict(b), training=True, return_losses=True)
    grads = tape.gradient(losses['total_loss'], model.trainable_variables)
    return losses, [g for g in grads if g is not None]

  fn = tf.function(step)
  try:
    fn(batch)
  except (tf.errors.OpError, ValueError, TypeError) as e:
    lines = [l.strip() for l in str(e).split('\n') if l.strip()]
    told = [l for l in lines if 'not implemented' in l or 'unsupported' in l]
    return {'error': (told or lines or [type(e).__name__])[0][:300]}
  times = []
  for _ in range(reps):
    t0 = time.perf_counter()
    losses, grads = fn(batch)
    for g in grads:
      g.numpy()
    times.append(1000 * (time.perf_counter() - t0))
  return {'median_ms': float(np.median(times)),
          'spread_ms': [float(np.min(times)), float(np.max(times))],
          'losses': {k: float(v) for k, v in losses.items()}}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--reps', type=int, default=15)
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'xla_pieces.json'))
  args = parser.parse_args()
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  batch = {k: tf.constant(v)
           for k, v in bench_common.synthetic_batch(8).items()}
  result = {'cpu': bench_common.cpu_name(), 'reps': args.reps, 'pieces': {}}
  for piece in PIECES:
    result['pieces'][piece] = r = time_piece(piece, batch, args.reps)
    if 'error' in r:
      print(f'{piece:>10}: does not compile: {r["error"]}')
      continue
    base = result['pieces']['none']
    diff = max(abs(r['losses'][k] - base['losses'][k]) /
               max(abs(base['losses'][k]), 1e-12) for k in base['losses'])
    r['ratio_to_uncompiled'] = r['median_ms'] / base['median_ms']
    r['max_relative_loss_difference'] = diff
    print(f'{piece:>10}: {r["median_ms"]:6.1f} ms (rounds '
          f'{r["spread_ms"][0]:.1f}-{r["spread_ms"][1]:.1f}), '
          f'{r["ratio_to_uncompiled"]:.2f}x the uncompiled step; losses '
          f'within {diff:.1e} relative')
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Streaming synthesis speed on ONE CPU core: real-time factor and latency.

The tiny timbre model (timbre_ae_tiny, built from gin or loaded with
--save_dir; weights do not change the cost) streams a phrase block by block
through `interpret_ddsp.generation.streaming.StreamingSynth` at 16, 32 and 64 frames
per block (64, 128, 256 ms), with and without XLA; offline
`model.synthesize` of the same phrase in one call is timed in the same run.
The process is pinned to one core and TensorFlow to one thread before TF
starts. Rounds are interleaved; per-block times are pooled over rounds.

Reported per configuration:
- rtf_wall: audio seconds per wall second (all blocks, end to end, from
  numpy controls in to numpy audio out); rtf_cpu: the same per second of
  process CPU time (what an otherwise idle core would give: this machine's
  two cores are shared, see load_average).
- block_ms median / p95 / max: wall time of one `process` call; a live
  stream needs it under the block's duration.
- algorithmic_latency_ms: block + lookahead (the decoder's frames are known
  one frame late: ddsp interpolates each frame towards the next).
Target: >= 50x real time for the tiny model.

  .venv/bin/python benchmarks/streaming.py [--seconds 8] [--rounds 3]
      [--save_dir RUN]

Writes benchmarks/results/streaming.json.
"""

import os

os.sched_setaffinity(0, {0})  # One core, before TensorFlow starts threads.

# pylint: disable=g-import-not-at-top,wrong-import-position
import argparse
import json
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

from interpret_ddsp.generation import streaming
from interpret_ddsp.training import model_io
from interpret_ddsp.training import train
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results',
                       'streaming.json')
BLOCKS = (16, 32, 64)
TARGET_RTF = 50.0


def load(save_dir):
  if save_dir:
    return model_io.load_model(save_dir).model
  train.parse_gin(['models/timbre_ae_tiny.gin', 'datasets/tfrecord.gin',
                   'optimization/cpu.gin'])
  model = train.build_model()
  model(model_io.dummy_features(16000, 250, 1), training=False)
  return model


def phrase(n_frames, z_dims):
  """Vibrato, a swell and a brightness ramp (the cost does not depend on
  them, but nothing is constant-folded either)."""
  t = np.arange(n_frames) / 250.0
  f0 = 220.0 * 2 ** (0.5 * np.floor(t) / 12 +
                     0.02 * np.sin(2 * np.pi * 5 * t))
  loudness = -30.0 + 10.0 * np.sin(2 * np.pi * 0.5 * t)
  z = np.zeros([n_frames, z_dims])
  z[:, 0] = np.sin(2 * np.pi * 0.25 * t)
  return (f0.astype(np.float32), loudness.astype(np.float32),
          z.astype(np.float32))


def stream_once(synth, f0, loudness, z):
  """Streams the phrase; (per-block wall s, total wall s, total CPU s)."""
  synth.reset()
  b = synth.block_frames
  times = []
  cpu0, wall0 = time.process_time(), time.perf_counter()
  for i in range(0, len(f0) - b + 1, b):
    t0 = time.perf_counter()
    synth.process(f0[i:i + b], loudness[i:i + b], z[i:i + b])
    times.append(time.perf_counter() - t0)
  return (times, time.perf_counter() - wall0, time.process_time() - cpu0)


def offline_once(model, f0, loudness, z):
  cpu0, wall0 = time.process_time(), time.perf_counter()
  model.synthesize(f0[np.newaxis], loudness[np.newaxis],
                   z[np.newaxis]).numpy()
  return time.perf_counter() - wall0, time.process_time() - cpu0


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--seconds', type=float, default=8.0,
                      help='audio streamed per configuration and round')
  parser.add_argument('--rounds', type=int, default=3)
  parser.add_argument('--save_dir', default='',
                      help='a trained run (default: timbre_ae_tiny from gin)')
  args = parser.parse_args()
  load_before = os.getloadavg()
  model = load(args.save_dir)
  n_frames = int(args.seconds * 250) // max(BLOCKS) * max(BLOCKS)
  audio_secs = n_frames / 250.0
  f0, loudness, z = phrase(n_frames, model.z_dims)

  configs = {}
  for block in BLOCKS:
    for xla in (True, False):
      synth = streaming.StreamingSynth(model, block, jit_compile=xla, seed=0)
      t0 = time.perf_counter()
      synth.warm_up()
      configs[(block, xla)] = {'synth': synth, 'blocks': [], 'wall': 0.0,
                               'cpu': 0.0,
                               'warm_up_s': time.perf_counter() - t0}
  offline = {'wall': 0.0, 'cpu': 0.0}
  offline_once(model, f0[:500], loudness[:500], z[:500])  # Warm up.
  for _ in range(args.rounds):
    for cfg in configs.values():
      times, wall, cpu = stream_once(cfg['synth'], f0, loudness, z)
      cfg['blocks'] += times
      cfg['wall'] += wall
      cfg['cpu'] += cpu
    wall, cpu = offline_once(model, f0, loudness, z)
    offline['wall'] += wall
    offline['cpu'] += cpu

  total_audio = audio_secs * args.rounds
  rows = []
  for (block, xla), cfg in configs.items():
    synth = cfg['synth']
    ms = 1000.0 * np.array(cfg['blocks'])
    rows.append({
        'block_frames': block,
        'block_ms': 1000.0 * block / synth.frame_rate,
        'xla': xla,
        'rtf_wall': total_audio / cfg['wall'],
        'rtf_cpu': total_audio / cfg['cpu'],
        'block_ms_median': float(np.median(ms)),
        'block_ms_p95': float(np.percentile(ms, 95)),
        'block_ms_max': float(ms.max()),
        'late_blocks': int((ms > 1000.0 * block / synth.frame_rate).sum()),
        'n_blocks': len(ms),
        'lookahead_ms': 1000.0 * synth.latency_frames / synth.frame_rate,
        'algorithmic_latency_ms': synth.algorithmic_latency_ms,
        'warm_up_s': cfg['warm_up_s'],
    })
  result = {
      'model': args.save_dir or 'timbre_ae_tiny.gin (untrained weights)',
      'params': int(sum(np.prod(v.shape) for v in model.trainable_variables)),
      'audio_seconds_per_config': total_audio,
      'rounds': args.rounds,
      'cpu': bench_common.cpu_name(),
      'threads': 'affinity {0}; TF intra_op 1, inter_op 1',
      'load_average_before_after': [round(load_before[0], 2),
                                    round(os.getloadavg()[0], 2)],
      'target_rtf': TARGET_RTF,
      'streaming': rows,
      'offline_synthesize': {
          'seconds_per_call': audio_secs,
          'rtf_wall': total_audio / offline['wall'],
          'rtf_cpu': total_audio / offline['cpu'],
      },
  }
  print(f'One CPU core, {total_audio:.0f} s of audio per configuration, '
        f'load average {result["load_average_before_after"]}')
  print(f'{"block":>12} {"xla":>5} {"RTF wall":>9} {"RTF cpu":>8} '
        f'{"median ms":>10} {"p95 ms":>7} {"max ms":>7} {"late":>5} '
        f'{"latency ms":>11}')
  for r in rows:
    print(f'{r["block_frames"]:>3} ({r["block_ms"]:3.0f} ms) '
          f'{str(r["xla"]):>5} {r["rtf_wall"]:8.1f}x {r["rtf_cpu"]:7.1f}x '
          f'{r["block_ms_median"]:10.2f} {r["block_ms_p95"]:7.2f} '
          f'{r["block_ms_max"]:7.2f} {r["late_blocks"]:>5} '
          f'{r["algorithmic_latency_ms"]:11.0f}')
  off = result['offline_synthesize']
  print(f'offline model.synthesize ({audio_secs:.0f} s per call): '
        f'{off["rtf_wall"]:.1f}x wall, {off["rtf_cpu"]:.1f}x cpu')
  os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
  with open(RESULTS, 'w') as f:
    json.dump(result, f, indent=1)
  print(f'Wrote {RESULTS}')


if __name__ == '__main__':
  main()

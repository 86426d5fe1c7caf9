# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Data-preparation throughput: ours vs Magenta ddsp's prepare_tfrecord.

On the same rendered instrument files, in one run, for CREPE tiny and full:
seconds of audio prepared per wall-clock second by
- ddsp's `prepare_tfrecord` (its defaults: CREPE at 250 frames/s, Viterbi,
  Beam's default local runner), and
- our `interpret_ddsp.prepare.run` (CREPE at 100 frames/s interpolated to
  250, Viterbi, loudness, six timbre descriptors; DirectRunner with one
  thread per core),
and the ratio ours / ddsp. Both write 4 s examples every 1 s.

  .venv/bin/python benchmarks/prepare_throughput.py [--tiny_secs 60]
      [--full_secs 12]

Prints a table and writes benchmarks/results/prepare_throughput.json.
"""

import argparse
import json
import os
import tempfile
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import compat
from interpret_ddsp import prepare
from interpret_ddsp import soundfont
from interpret_ddsp import sources

import soundfile

NOTES = [(40, 67), (73, 72), (56, 62), (71, 60), (42, 48)]


def render_files(folder, seconds):
  """4-s notes (3 s held + 1 s release) cycling over 5 instruments."""
  os.makedirs(folder, exist_ok=True)
  paths = []
  for i in range(int(seconds // 4)):
    program, key = NOTES[i % len(NOTES)]
    audio = soundfont.render_note(program, key + i // len(NOTES),
                                  held_secs=3.0, release_secs=1.0)
    path = os.path.join(folder, f'{i:03d}_p{program}.wav')
    soundfile.write(path, audio, 16000)
    paths.append(path)
  return paths


def time_ddsp(paths, out_dir, capacity):
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  start = time.perf_counter()
  with compat.crepe_capacity(capacity):
    prepare_tfrecord_lib.prepare_tfrecord(
        paths, os.path.join(out_dir, 'train.tfrecord'), num_shards=1,
        example_secs=4, hop_secs=1)
  return time.perf_counter() - start


def time_ours(paths, out_dir, capacity):
  items = [{'kind': 'file', **sources.metadata(p)} for p in paths]
  start = time.perf_counter()
  prepare.run(items, out_dir, crepe_model=capacity, example_secs=4.0,
              hop_secs=1.0, progress=False, compute_ddsp_stats=False)
  return time.perf_counter() - start


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--tiny_secs', type=float, default=60.0)
  parser.add_argument('--full_secs', type=float, default=12.0)
  parser.add_argument('--output', default=os.path.join(
      os.path.dirname(os.path.abspath(__file__)), 'results',
      'prepare_throughput.json'))
  args = parser.parse_args()
  results = {'cpus': os.cpu_count()}
  with tempfile.TemporaryDirectory() as tmp:
    for capacity, seconds in (('tiny', args.tiny_secs),
                              ('full', args.full_secs)):
      paths = render_files(os.path.join(tmp, f'audio_{capacity}'), seconds)
      audio_secs = 4.0 * len(paths)
      # Warm both (TF graph building, CREPE load) on one file first.
      time_ddsp(paths[:1], os.path.join(tmp, f'warm_ddsp_{capacity}'),
                capacity)
      time_ours(paths[:1], os.path.join(tmp, f'warm_ours_{capacity}'),
                capacity)
      ddsp_secs = time_ddsp(paths, os.path.join(tmp, f'ddsp_{capacity}'),
                            capacity)
      ours_secs = time_ours(paths, os.path.join(tmp, f'ours_{capacity}'),
                            capacity)
      row = {'audio_secs': audio_secs,
             'ddsp_audio_secs_per_wall_sec': audio_secs / ddsp_secs,
             'ours_audio_secs_per_wall_sec': audio_secs / ours_secs,
             'ours_over_ddsp': ddsp_secs / ours_secs}
      results[capacity] = row
      print(f'CREPE {capacity}: {audio_secs:.0f} s of audio; ddsp '
            f'prepare_tfrecord {row["ddsp_audio_secs_per_wall_sec"]:.2f}x '
            f'real time, ours {row["ours_audio_secs_per_wall_sec"]:.2f}x '
            f'real time: ours is {row["ours_over_ddsp"]:.1f}x faster')
  os.makedirs(os.path.dirname(args.output), exist_ok=True)
  with open(args.output, 'w') as f:
    json.dump(results, f, indent=2)
  print(f'wrote {args.output}')


if __name__ == '__main__':
  main()

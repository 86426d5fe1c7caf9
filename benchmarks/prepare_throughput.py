# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Data-preparation throughput: ours vs Magenta ddsp's prepare_tfrecord.

On the same rendered instrument files, in one run, for CREPE tiny and full:
seconds of audio prepared per wall-clock second by
- ddsp's `prepare_tfrecord` (its defaults: CREPE at 250 frames/s, Viterbi,
  Beam's default local runner), and
- our `interpret_ddsp.dataset.prepare.run` (CREPE at 100 frames/s interpolated to
  250, Viterbi, not run on silence, loudness, six timbre descriptors;
  DirectRunner with one thread more than cores),
and the ratio ours / ddsp. Both write 4 s examples every 1 s.

Both are warmed on one file first (TensorFlow graphs, CREPE weights), so
the times are of a prepare call in a running process: the import of
TensorFlow and ddsp (~6 s, once per process) is in neither. Ours is also
reported
- without the silence skip (CREPE on every frame, as before it),
- split into a fixed start cost (pipeline construction, runner start, one
  pass over every stage) and a steady rate, from a run on one file and one
  on all files: wall = startup + audio_secs / steady rate (only with 10 or
  more files: a few files do not spread evenly over the threads).
Our runs are repeated (`--repeats`) and the median reported; every run is
kept in the JSON. The machine may be shared: the load average is recorded.

  .venv/bin/python benchmarks/prepare_throughput.py [--tiny_secs 240]
      [--full_secs 12] [--repeats 3]

Prints a table and writes benchmarks/results/prepare_throughput.json.
"""

import argparse
import json
import os
import statistics
import tempfile
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.analysis import features
from interpret_ddsp import compat
from interpret_ddsp.dataset import prepare
from interpret_ddsp.dataset import sources
from interpret_ddsp.score import soundfont
from interpret_ddsp.support import audio_io

import soundfile

NOTES = [(40, 67), (73, 72), (56, 62), (71, 60), (42, 48)]
F0_RATE = 100


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


def silent_share(paths):
  """Share of CREPE frames (100/s) the silence skip leaves out."""
  skipped = total = 0
  for path in paths:
    audio, _ = audio_io.load_audio(path, 16000)
    n = int(len(audio) / 16000 * F0_RATE)
    kept = sum(b - a for a, b in features.sounding_segments(audio, F0_RATE, n))
    skipped += n - kept
    total += n
  return skipped / total


def time_ddsp(paths, out_dir, capacity):
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  start = time.perf_counter()
  with compat.crepe_capacity(capacity):
    prepare_tfrecord_lib.prepare_tfrecord(
        paths, os.path.join(out_dir, 'train.tfrecord'), num_shards=1,
        example_secs=4, hop_secs=1)
  return time.perf_counter() - start


def time_ours(paths, out_dir, capacity, **kwargs):
  items = [{'kind': 'file', **sources.metadata(p)} for p in paths]
  start = time.perf_counter()
  prepare.run(items, out_dir, crepe_model=capacity, example_secs=4.0,
              hop_secs=1.0, progress=False, compute_ddsp_stats=False,
              overwrite=True, **kwargs)
  return time.perf_counter() - start


def measure(tmp, capacity, seconds, repeats):
  """One row of the results (see module doc)."""
  paths = render_files(os.path.join(tmp, f'audio_{capacity}'), seconds)
  audio_secs = 4.0 * len(paths)
  out = lambda name: os.path.join(tmp, f'{name}_{capacity}')
  # Warm both (TF graph building, CREPE load) on one file first.
  time_ddsp(paths[:1], out('warm_ddsp'), capacity)
  time_ours(paths[:1], out('warm_ours'), capacity)
  load_before = os.getloadavg()[0]
  ddsp_secs = time_ddsp(paths, out('ddsp'), capacity)
  runs = {'all': [], 'one_file': [], 'no_silence_skip': []}
  for _ in range(repeats):
    runs['all'].append(time_ours(paths, out('ours'), capacity))
    runs['one_file'].append(time_ours(paths[:1], out('ours1'), capacity))
    runs['no_silence_skip'].append(time_ours(
        paths, out('ours_noskip'), capacity, f0_silence_db=None))
  median = {k: statistics.median(v) for k, v in runs.items()}
  steady = startup = None
  if len(paths) >= 10:  # Fewer files do not spread evenly over the threads.
    steady = (audio_secs - 4.0) / (median['all'] - median['one_file'])
    startup = median['one_file'] - 4.0 / steady
  return {
      'audio_secs': audio_secs,
      'ddsp_audio_secs_per_wall_sec': audio_secs / ddsp_secs,
      'ours_audio_secs_per_wall_sec': audio_secs / median['all'],
      'ours_over_ddsp': ddsp_secs / median['all'],
      'ours_without_silence_skip_audio_secs_per_wall_sec':
          audio_secs / median['no_silence_skip'],
      'ours_startup_secs': startup,
      'ours_steady_audio_secs_per_wall_sec': steady,
      'crepe_frames_skipped_as_silence': silent_share(paths),
      'ddsp_wall_secs': ddsp_secs,
      'ours_wall_secs_runs': runs,
      'load_average_1min': [load_before, os.getloadavg()[0]],
  }


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--tiny_secs', type=float, default=240.0)
  parser.add_argument('--full_secs', type=float, default=12.0)
  parser.add_argument('--repeats', type=int, default=3)
  parser.add_argument('--output', default=os.path.join(
      os.path.dirname(os.path.abspath(__file__)), 'results',
      'prepare_throughput.json'))
  args = parser.parse_args()
  results = {'cpus': os.cpu_count(), 'repeats': args.repeats}
  with tempfile.TemporaryDirectory() as tmp:
    for capacity, seconds in (('tiny', args.tiny_secs),
                              ('full', args.full_secs)):
      row = measure(tmp, capacity, seconds, args.repeats)
      results[capacity] = row
      split = ''
      if row['ours_startup_secs'] is not None:
        split = (f'{row["ours_startup_secs"]:.1f} s start + '
                 f'{row["ours_steady_audio_secs_per_wall_sec"]:.2f}x steady; ')
      print(f'CREPE {capacity}: {row["audio_secs"]:.0f} s of audio; ddsp '
            f'prepare_tfrecord {row["ddsp_audio_secs_per_wall_sec"]:.2f}x '
            f'real time, ours {row["ours_audio_secs_per_wall_sec"]:.2f}x '
            f'real time: ours is {row["ours_over_ddsp"]:.1f}x faster. '
            f'Ours: {split}without the silence skip '
            f'{row["ours_without_silence_skip_audio_secs_per_wall_sec"]:.2f}x'
            f' ({100 * row["crepe_frames_skipped_as_silence"]:.0f}% of '
            'CREPE frames are silence); load average '
            f'{row["load_average_1min"][0]:.1f}', flush=True)
  os.makedirs(os.path.dirname(args.output), exist_ok=True)
  with open(args.output, 'w') as f:
    json.dump(results, f, indent=2)
  print(f'wrote {args.output}')


if __name__ == '__main__':
  main()

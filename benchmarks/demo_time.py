# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Wall time of the README's first command, `interpret-ddsp demo`, with the
shipped pretrained model and with `--train` (the `quick` recipe: render,
prepare, train 300 steps, extract z, fit the prior, sample, evaluate).

Each runs as a fresh `interpret-ddsp` process (TensorFlow's start-up
included, as a user sees it) in an empty output folder. Reported: wall
seconds of each, the `--train` run's seconds per pipeline stage (from its
demo.json), the audio seconds each wrote, and the ratio of the two runs'
wall times, all measured in this one run.

  .venv/bin/python benchmarks/demo_time.py [--skip_train]

Writes benchmarks/results/demo_time.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import bench_common
import soundfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def audio_secs(folder):
  """Seconds of audio in the WAVs under folder (the pipeline's own renders
  and data excluded: what the demo made for the user to hear)."""
  total = 0.0
  for root, dirs, files in os.walk(folder):
    dirs[:] = [d for d in dirs if d != 'pipeline']
    for name in files:
      if name.endswith('.wav'):
        total += soundfile.info(os.path.join(root, name)).duration
  return total


def time_demo(extra_args):
  """Runs `interpret-ddsp demo EXTRA --output_dir TMP`; returns figures."""
  out = tempfile.mkdtemp(prefix='demo_time_')
  cmd = [sys.executable, '-m', 'interpret_ddsp.cli', 'demo', '--output_dir',
         out, '--no_progress'] + list(extra_args)
  start = time.perf_counter()
  proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                        check=False)
  wall = time.perf_counter() - start
  if proc.returncode:
    print(proc.stdout[-3000:], proc.stderr[-3000:])
    raise RuntimeError(f'{" ".join(cmd)} exited {proc.returncode}')
  with open(os.path.join(out, 'demo.json')) as f:
    summary = json.load(f)
  result = {'args': extra_args, 'wall_secs': round(wall, 1),
            'audio_secs_written': round(audio_secs(out), 1),
            'output_dir': out}
  if 'pipeline' in summary:
    result['stage_secs'] = summary['pipeline']['secs']
    result['steps'] = summary['pipeline']['steps']
  return result


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
  parser.add_argument('--skip_train', action='store_true',
                      help='Time only the pretrained demo.')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'demo_time.json'))
  args = parser.parse_args()
  result = {'cpu': bench_common.cpu_name(), 'cpus': os.cpu_count(),
            'load_average_before': os.getloadavg()}
  result['pretrained'] = time_demo([])
  print(f"demo (pretrained): {result['pretrained']['wall_secs']:.1f} s, "
        f"{result['pretrained']['audio_secs_written']:.0f} s of audio")
  if not args.skip_train:
    result['train'] = time_demo(['--train'])
    print(f"demo --train: {result['train']['wall_secs']:.1f} s; stages "
          f"{result['train']['stage_secs']}")
    result['train_over_pretrained'] = round(
        result['train']['wall_secs'] / result['pretrained']['wall_secs'], 2)
    print(f"--train / pretrained: {result['train_over_pretrained']:.1f}x")
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

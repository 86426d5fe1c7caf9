# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Peak memory of each throughput item the benchmarks list, small sizes.

Every item runs in its own fresh subprocess; its peak resident set
(`getrusage(RUSAGE_SELF).ru_maxrss`, Linux: KiB) is read after the imports
(the baseline: TensorFlow, ddsp, interpret_ddsp) and again at the end, so
"above imports" is what the item itself needs (model, weights, graphs,
buffers). Both preparers run Beam in-process (ours multi-threaded, ddsp's
default runner), so one process's peak is the whole cost. (RUSAGE_CHILDREN
is not reported: the only child is `uname -p`, forked by `platform` during
the imports, whose figure is the parent's size at the fork.)

Items (ours next to Magenta ddsp's where the throughput table compares):
- data preparation, CREPE tiny: `interpret_ddsp.dataset.prepare.run` vs ddsp's
  `prepare_tfrecord` on the same rendered 4 s notes (`--prepare_files`,
  as in prepare_throughput.py: 4 s examples every 1 s), both workers
  importing both libraries; and the same with CREPE full on one file;
- a training step: timbre_ae_tiny vs ddsp harmonic_noise_tiny, batch 8,
  1 s examples (benchmarks/scaling.py's worker: 2 warm-up + 5 steps);
- synthesis on one core as in streaming.py (tiny timbre AE, untrained
  weights, TF at one thread): offline `model.synthesize` of one phrase
  and `StreamingSynth` (16-frame blocks, XLA) over the same phrase, for
  --short and --long seconds of audio (offline memory grows with the
  phrase; streaming's should not).

  .venv/bin/python benchmarks/memory.py [--prepare_files 5]
      [--short 8] [--long 64]

Writes benchmarks/results/memory.json and prints a Markdown table.
"""

import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/


def _prepare_worker(args):
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  from interpret_ddsp import compat  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.dataset import prepare  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.dataset import sources  # pylint: disable=g-import-not-at-top
  from ddsp.training.data_preparation import prepare_tfrecord_lib  # pylint: disable=g-import-not-at-top
  stages = {'after_imports': bench_common.peak_rss_mib()}
  paths = args.paths.split(',')
  with tempfile.TemporaryDirectory() as out:
    if args.item.startswith('prepare_ours'):
      items = [{'kind': 'file', **sources.metadata(p)} for p in paths]
      prepare.run(items, out, crepe_model=args.crepe, example_secs=4.0,
                  hop_secs=1.0, progress=False, compute_ddsp_stats=False,
                  overwrite=True)
    else:
      with compat.crepe_capacity(args.crepe):
        prepare_tfrecord_lib.prepare_tfrecord(
            paths, os.path.join(out, 'train.tfrecord'), num_shards=1,
            example_secs=4, hop_secs=1)
  return stages


def _synth_worker(args):
  import streaming as bench  # pylint: disable=g-import-not-at-top  # Pins one core.
  from interpret_ddsp.generation import streaming  # pylint: disable=g-import-not-at-top
  stages = {'after_imports': bench_common.peak_rss_mib()}
  model = bench.load('')
  n_frames = int(args.seconds * 250) // 64 * 64
  f0, loudness, z = bench.phrase(n_frames, model.z_dims)
  if args.item.startswith('offline'):
    bench.offline_once(model, f0[:500], loudness[:500], z[:500])  # Warm up.
    stages['after_model_and_warm_up'] = bench_common.peak_rss_mib()
    bench.offline_once(model, f0, loudness, z)
  else:
    synth = streaming.StreamingSynth(model, 16, jit_compile=True, seed=0)
    synth.warm_up()
    stages['after_model_and_warm_up'] = bench_common.peak_rss_mib()
    bench.stream_once(synth, f0, loudness, z)
  return stages


def worker(args):
  start = time.perf_counter()
  if args.item.startswith('prepare'):
    stages = _prepare_worker(args)
  else:
    stages = _synth_worker(args)
  stages['peak'] = bench_common.peak_rss_mib()
  result = {'stages_peak_rss_mib': stages,
            'peak_rss_mib': stages['peak'],
            'baseline_rss_mib': stages['after_imports'],
            'peak_above_imports_mib': stages['peak'] -
                                      stages['after_imports'],
            'wall_secs': time.perf_counter() - start}
  if 'after_model_and_warm_up' in stages:
    result['work_above_model_mib'] = (stages['peak'] -
                                      stages['after_model_and_warm_up'])
  with open(args.out, 'w') as f:
    json.dump(result, f)


def run(cmd):
  return bench_common.run_worker(cmd[0], cmd[1:])


def table(items):
  lines = ['| item | what runs | peak RSS MiB | above imports MiB | '
           'ours / ddsp (above imports) |',
           '| --- | --- | --- | --- | --- |']
  for name, r in items.items():
    ratio = f'{r["ours_over_ddsp"]:.2f}x' if 'ours_over_ddsp' in r else ''
    lines.append(f'| {name} | {r["what"]} | {r["peak_rss_mib"]:.0f} | '
                 f'{r["peak_above_imports_mib"]:.0f} | {ratio} |')
  return '\n'.join(lines)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--prepare_files', type=int, default=5,
                      help='4 s notes for the CREPE tiny rows')
  parser.add_argument('--full_files', type=int, default=1,
                      help='4 s notes for the CREPE full rows')
  parser.add_argument('--short', type=float, default=8.0)
  parser.add_argument('--long', type=float, default=64.0)
  parser.add_argument('--output', default=os.path.join(HERE, 'results',
                                                       'memory.json'))
  parser.add_argument('--worker', action='store_true')
  parser.add_argument('--item')
  parser.add_argument('--paths')
  parser.add_argument('--crepe', default='tiny')
  parser.add_argument('--seconds', type=float)
  parser.add_argument('--out')
  args = parser.parse_args()
  if args.worker:
    return worker(args)

  import prepare_throughput  # pylint: disable=g-import-not-at-top
  me = [os.path.abspath(__file__), '--worker']
  items = {}
  load = [os.getloadavg()[0]]
  with tempfile.TemporaryDirectory() as tmp:
    paths = prepare_throughput.render_files(
        os.path.join(tmp, 'audio'),
        4 * max(args.prepare_files, args.full_files))
    for crepe, n in (('tiny', args.prepare_files),
                     ('full', args.full_files)):
      for who in ('ddsp', 'ours'):
        name = f'prepare_{who}_{crepe}'
        r = run(me + ['--item', name, '--crepe', crepe,
                      '--paths', ','.join(paths[:n])])
        lib = ('interpret_ddsp.dataset.prepare.run' if who == 'ours' else
               'ddsp prepare_tfrecord')
        r['what'] = f'{lib}, CREPE {crepe}, {4 * n} s of audio'
        items[name] = r
        print(name, f'{r["peak_rss_mib"]:.0f} MiB peak, '
              f'{r["peak_above_imports_mib"]:.0f} above imports', flush=True)
  import scaling  # pylint: disable=g-import-not-at-top
  step_args = argparse.Namespace(steps=5, warmup=2)
  for model, who in (('timbre_ae_tiny', 'ours'),
                     ('harmonic_noise_tiny', 'ddsp')):
    r = scaling.run_config(model, 8, 1, step_args)
    r['peak_above_imports_mib'] = r.pop('peak_above_baseline_mib')
    r['what'] = f'{model} training step, batch 8, 1 s examples'
    items[f'train_step_{who}'] = r
    print(f'train_step_{who}', f'{r["peak_rss_mib"]:.0f} MiB peak', flush=True)
  for kind in ('offline', 'streaming'):
    for secs in (args.short, args.long):
      name = f'{kind}_{secs:g}s'
      r = run(me + ['--item', name, '--seconds', str(secs)])
      r['what'] = (f'timbre_ae_tiny, {secs:g} s phrase, one core, ' +
                   ('model.synthesize in one call' if kind == 'offline' else
                    'StreamingSynth, 16-frame blocks, XLA'))
      items[name] = r
      print(name, f'{r["peak_rss_mib"]:.0f} MiB peak', flush=True)
  load.append(os.getloadavg()[0])
  for ours, ddsp in (('prepare_ours_tiny', 'prepare_ddsp_tiny'),
                     ('prepare_ours_full', 'prepare_ddsp_full'),
                     ('train_step_ours', 'train_step_ddsp')):
    items[ours]['ours_over_ddsp'] = (items[ours]['peak_above_imports_mib'] /
                                     items[ddsp]['peak_above_imports_mib'])
  result = {
      'machine': {'cpus': os.cpu_count(), 'cpu': bench_common.cpu_name(),
                  'shared': 'the 2 cores may be shared with other jobs '
                            '(memory is per process, so unaffected)',
                  'load_average_1min_start_end': load},
      'memory': 'peak RSS (ru_maxrss) of a fresh process per item; '
                'above imports = peak minus the peak after importing TF, '
                'ddsp and interpret_ddsp',
      'items': items,
  }
  result['table_markdown'] = table(items)
  print(result['table_markdown'])
  bench_common.write_result(result, args.output)


if __name__ == '__main__':
  main()

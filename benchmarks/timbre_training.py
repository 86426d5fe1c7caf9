# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Train the tiny timbre AE and the plain ddsp AE with one budget; do the
knobs work?

1. Renders GM instruments from the soundfont (TimGM6mb from pretty_midi by
   default; --soundfont for another) and prepares 1 s examples with our Beam
   pipeline (cached under runs/bench_timbre/data).
2. Trains `timbre_ae_tiny.gin` and `harmonic_noise_tiny.gin` (ddsp's ae.gin
   at the same size), each for --minutes of wall time on this machine.
3. On the eval split reports:
   - spectral loss (ddsp SpectralLoss) of both;
   - Spearman rho of each named dim vs its descriptor (target >= 0.8);
   - knob sweeps: each knob over -2..2 with the rest of z fixed, on eval
     examples; rho of the knob vs the descriptor measured on the output
     audio (target >= 0.9) and the share of monotonic sweeps.
Writes benchmarks/results/timbre_training.json, a sweep PNG and the
brightness sweep as WAV next to it.

  .venv/bin/python benchmarks/timbre_training.py [--minutes 12]
  # the timbre AE alone with another knob set, a fixed step budget:
  .venv/bin/python benchmarks/timbre_training.py --timbre_only --steps 1230 \
      --knobs brightness,odd_even_ratio,noisiness --tag _odd_even
  # ... or with other bindings:
  .venv/bin/python benchmarks/timbre_training.py --timbre_only --steps 1230 \
      --gin_param 'OutputConsistencyLoss.perturb_fraction = 0.5' --tag _p50
"""

import argparse
import json
import os
import time

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import data
from interpret_ddsp.dataset import prepare
from interpret_ddsp.dataset import soundfont_set
from interpret_ddsp.dataset import sources
from interpret_ddsp.evaluation import knob_metrics
from interpret_ddsp.training import model_io
from interpret_ddsp.training import train
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = 'violin,cello,trumpet,alto_sax,clarinet,flute'
SWEEP = np.linspace(-2.0, 2.0, 7)


def make_data(root, soundfont):
  out = os.path.join(root, 'data')
  if os.path.exists(os.path.join(out, 'manifest.json')):
    return out
  render_dir = os.path.join(root, 'audio')
  manifest = soundfont_set.render_set(
      render_dir, soundfont_set.parse_programs(PROGRAMS),
      soundfont_path=soundfont, key_step=3, n_melodies=4, overwrite=True)
  items = sources.rendered_items(render_dir, manifest)
  prepare.run(items, out, example_secs=1.0, hop_secs=0.5, overwrite=True,
              source_config={'source': 'soundfont', 'programs': PROGRAMS,
                             'soundfont': soundfont or 'TimGM6mb.sf2'})
  return out


def train_one(name, model_gin, data_dir, root, minutes, gin_params=(),
              steps=None):
  save_dir = os.path.join(root, name)
  start = time.perf_counter()
  trainer = train.train(
      [model_gin, 'datasets/tfrecord.gin', 'optimization/cpu.gin'], save_dir,
      dataset_dir=data_dir, num_steps=steps or 1000000,
      max_secs=None if steps else minutes * 60, gin_params=gin_params)
  return save_dir, int(trainer.step.numpy()), time.perf_counter() - start


def eval_provider(data_dir):
  return data.TimbreTFRecordProvider(
      os.path.join(data_dir, 'eval.tfrecord*'), example_secs=1.0,
      include_metadata=False)


def plot_sweeps(sweeps, path):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(sweeps), figsize=(4 * len(sweeps), 3.5))
  for ax, (knob, sw) in zip(np.atleast_1d(axes), sweeps.items()):
    for m in sw['measured']:
      ax.plot(sw['values'], m, alpha=0.6)
    ax.plot(sw['values'], sw['values'], 'k--', lw=1, label='ideal')
    ax.set_xlabel(f'{knob} knob (std units)')
    ax.set_ylabel('descriptor of output (std units)')
    ax.set_title(f'{knob}: median rho {np.median(sw["spearman"]):.2f}')
    ax.legend()
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--minutes', type=float, default=12.0)
  parser.add_argument('--soundfont', default=None)
  parser.add_argument('--root', default=os.path.join('runs', 'bench_timbre'))
  parser.add_argument('--sweep_examples', type=int, default=8)
  parser.add_argument('--knobs', default=None,
                      help='knob set of the timbre AE, e.g. brightness,'
                      'odd_even_ratio,noisiness (default: the gin\'s)')
  parser.add_argument('--steps', type=int, default=None,
                      help='train this many steps instead of --minutes')
  parser.add_argument('--timbre_only', action='store_true',
                      help='skip the plain ddsp AE')
  parser.add_argument('--gin_param', action='append', default=[],
                      help='extra binding for the timbre AE, e.g. '
                      '"OutputConsistencyLoss.perturb_fraction = 0.5"')
  parser.add_argument('--tag', default='',
                      help='suffix of the run folders and result files')
  args = parser.parse_args()
  os.makedirs(args.root, exist_ok=True)
  data_dir = make_data(args.root, args.soundfont)

  runs = {}
  knob_params = ([f'KNOBS = {args.knobs.split(",")!r}'] if args.knobs
                 else [])
  models = [('timbre_ae_tiny', 'models/timbre_ae_tiny.gin',
             knob_params + args.gin_param)]
  if not args.timbre_only:
    models.append(('ddsp_ae_tiny', 'models/harmonic_noise_tiny.gin', []))
  for name, gin_file, params in models:
    save_dir, steps, secs = train_one(name + args.tag, gin_file, data_dir,
                                      args.root, args.minutes, params,
                                      args.steps)
    runs[name] = {'save_dir': save_dir, 'steps': steps, 'train_secs': secs}

  result = {'cpus': os.cpu_count(), 'minutes_each': args.minutes,
            'steps': args.steps, 'knobs': args.knobs,
            'gin_params': args.gin_param, 'data': data_dir,
            'runs': runs}
  for name, run in runs.items():
    loaded = model_io.load_model(run['save_dir'])
    encoded = knob_metrics.encode_dataset(loaded.model,
                                          eval_provider(data_dir))
    run['eval_spectral_loss'] = float(encoded['spectral_loss'].mean())
    run['eval_examples'] = int(len(encoded['spectral_loss']))
    if name != 'timbre_ae_tiny':
      continue
    model = loaded.model
    run['knob_target_spearman'] = knob_metrics.knob_target_spearman(
        encoded, model.knob_names)
    loud = encoded['target_weights'].min(axis=1) >= 50  # Mostly loud.
    idx = np.flatnonzero(loud)[:args.sweep_examples]
    sweeps = {}
    for knob in model.knob_names:
      sw = knob_metrics.knob_sweep(model, knob, SWEEP, encoded['f0_hz'][idx],
                                   encoded['loudness_db'][idx],
                                   encoded['z'][idx])
      sweeps[knob] = sw
      run.setdefault('sweeps', {})[knob] = {
          'median_spearman': float(np.median(sw['spearman'])),
          'mean_spearman': float(np.mean(sw['spearman'])),
          'share_monotonic': float(np.mean(sw['monotonic'])),
          'mean_measured': sw['measured'].mean(0).tolist()}
    results_dir = os.path.join(HERE, 'results')
    plot_sweeps(sweeps, os.path.join(results_dir,
                                     f'timbre_knob_sweeps{args.tag}.png'))
    import soundfile  # pylint: disable=g-import-not-at-top
    brightness = sweeps[model.knob_names[0]]['audio'][0]
    soundfile.write(os.path.join(results_dir,
                                 f'timbre_brightness_sweep{args.tag}.wav'),
                    np.concatenate(list(brightness)), loaded.sample_rate)
  if 'ddsp_ae_tiny' in runs:
    t, d = runs['timbre_ae_tiny'], runs['ddsp_ae_tiny']
    result['spectral_loss_timbre_over_ddsp'] = (t['eval_spectral_loss'] /
                                                d['eval_spectral_loss'])
  with open(os.path.join(HERE, 'results',
                         f'timbre_training{args.tag}.json'), 'w') as f:
    json.dump(result, f, indent=1)
  print(json.dumps({k: v for k, v in result.items() if k != 'runs'},
                   indent=1))
  for name, run in runs.items():
    print(name, {k: v for k, v in run.items() if k != 'save_dir'})


if __name__ == '__main__':
  main()

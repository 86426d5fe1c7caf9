# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Which prior draws does CREPE hear off the score in `evaluate`'s small
generation check?

`evaluate.generation` plays 16 prior draws (one seed, over every register)
on the phrase `evaluate.GENERATION_NOTES` and reports the mean pitch error
(CREPE on the output against the asked f0, voiced frames). A mean of 16 is
carried by its worst draws, so this script gives every draw's error, for
several seeds, drawn over every register (as the check draws) and given
the phrase's own register (as `sample` draws), for each model given:

  .venv/bin/python benchmarks/generation_pitch.py \\
      --model linear=interpret_ddsp/pretrained_model \\
      --model window=/tmp/old/interpret_ddsp/pretrained_model

A model folder needs its prior.npz (the shipped ones have it). Writes
benchmarks/results/generation_pitch.json.
"""

import argparse
import os

import numpy as np

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import contracts
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
OFF_CENTS = 50.0  # A draw read further off than this on average: "off".


def parse_models(specs):
  """{'label': folder} from 'label=folder' strings.

  >>> parse_models(['a=x/y', 'b=z'])
  {'a': 'x/y', 'b': 'z'}
  >>> parse_models(['x/y'])
  Traceback (most recent call last):
  SystemExit: --model x/y is not LABEL=FOLDER.
  """
  models = {}
  for spec in specs:
    label, sep, folder = spec.partition('=')
    if not sep or not label or not folder:
      raise SystemExit(f'--model {spec} is not LABEL=FOLDER.')
    models[label] = folder
  return models


def summary(l1_cents):
  """Mean, median and the count of draws over OFF_CENTS.

  >>> summary([8.0, 10.0, 1200.0])
  {'mean': 406.0, 'median': 10.0, 'n_off': 1, 'n': 3}
  """
  l1 = np.asarray(l1_cents, np.float64)
  return {'mean': float(l1.mean()), 'median': float(np.median(l1)),
          'n_off': int((l1 > OFF_CENTS).sum()), 'n': int(len(l1))}


def draw_errors(loaded, prior, ctrl, n, seed):
  """Each draw's mean |f0 error| in cents on the phrase (a LoadedModel),
  as `evaluate.generation` reads them (`evaluate.phrase_pitch_errors`)."""
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  z = prior.sample(n, seed=seed).astype(np.float32)
  _, errors = evaluate.phrase_pitch_errors(loaded.model, z, ctrl,
                                           loaded.sample_rate)
  return [float(e['l1_cents']) for e in errors]


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--model', action='append', default=[],
                      help='LABEL=FOLDER (repeatable; default: the shipped '
                      'model)')
  parser.add_argument('--seeds', default='0,1,2')
  parser.add_argument('--n', type=int, default=16)
  parser.add_argument('--out', default=os.path.join(
      HERE, 'results', 'generation_pitch.json'))
  args = parser.parse_args()
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import shipped  # pylint: disable=g-import-not-at-top
  models = parse_models(args.model) or {'shipped': shipped.model_dir()}
  for label, folder in models.items():
    if not os.path.isfile(os.path.join(folder, contracts.PRIOR_FILE)):
      raise SystemExit(f'--model {label}={folder} has no '
                       f'{contracts.PRIOR_FILE}.')
  seeds = [int(s) for s in args.seeds.split(',')]
  ctrl, _ = generate.make_controls(evaluate.GENERATION_NOTES)
  register = float(prior_lib.register_pitch(ctrl.f0_hz[None],
                                            ctrl.loudness_db[None])[0])
  result = {'cpu': bench_common.cpu_name(),
            'notes': evaluate.GENERATION_NOTES, 'register': register,
            'off_cents': OFF_CENTS, 'seeds': seeds, 'models': {}}
  for label, folder in models.items():
    loaded = model_io.load_model(folder)
    path = os.path.join(folder, contracts.PRIOR_FILE)
    priors = {
        'every_register': prior_lib.GaussianMixturePrior.load(path),
        'given_register': prior_lib.GaussianMixturePrior.load(
            path, context={prior_lib.REGISTER: register})}
    out = result['models'][label] = {'folder': folder}
    for mode, prior in priors.items():
      rows = []
      for seed in seeds:
        errors = draw_errors(loaded, prior, ctrl, args.n, seed)
        rows.append(dict(summary(errors), seed=seed, l1_cents=errors))
        print(f'{label:10s} {mode:15s} seed {seed}: mean '
              f'{rows[-1]["mean"]:6.1f} cents, median '
              f'{rows[-1]["median"]:5.1f}, off {rows[-1]["n_off"]}/'
              f'{args.n}', flush=True)
      pooled = summary([e for r in rows for e in r['l1_cents']])
      out[mode] = {'per_seed': rows, 'pooled': pooled}
      print(f'{label:10s} {mode:15s} pooled: off {pooled["n_off"]}/'
            f'{pooled["n"]}, median {pooled["median"]:.1f}', flush=True)
  bench_common.write_result(result, args.out)
  print(f'Wrote {args.out}')


if __name__ == '__main__':
  main()

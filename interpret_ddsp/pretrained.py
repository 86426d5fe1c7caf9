# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The shipped pretrained default: a tiny timbre AE and its prior.

It lives in `interpret_ddsp/pretrained_model/` (package data, a few MB):
the newest TF checkpoint, the operative gin config, knobs.json,
knob_statistics.json, prior.npz (global + per instrument), the `evaluate`
metrics.json and MODEL_CARD.md. `sample`, `interpolate`, `evaluate` and
`demo` use it when no model is given.

Reproduce it end to end (render FluidR3_GM.sf2 -> prepare -> train ->
extract-z -> fit-prior -> sample -> evaluate -> export):

  sudo apt-get install fluid-soundfont-gm   # Debian's MIT-licensed FluidR3
  .venv/bin/python -m interpret_ddsp.pretrained \\
      --soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2 --run_dir runs/pretrained
"""

import argparse
import json
import os
import shutil

from interpret_ddsp import errors

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'pretrained_model')
PRIOR = 'prior.npz'
CARD = 'MODEL_CARD.md'
# What a model folder needs besides the checkpoint files.
MODEL_FILES = ('operative_config-0.gin', 'knobs.json', 'knob_statistics.json')


def model_dir(path=None):
  """The pretrained model folder (or `path` when given), checked.

  Raises:
    UserError: It has no checkpoint.
  """
  path = path or DEFAULT_DIR
  if not os.path.exists(os.path.join(path, 'checkpoint')):
    raise errors.UserError(
        f'No pretrained model in {path}: reinstall interpret_ddsp, or '
        'reproduce it with `python -m interpret_ddsp.pretrained`.')
  return path


def prior_path(path=None):
  """The prior .npz of the pretrained model."""
  return os.path.join(model_dir(path), PRIOR)


def metrics(path=None):
  """The `evaluate` metrics of the pretrained model (dict)."""
  with open(os.path.join(model_dir(path), 'metrics.json')) as f:
    return json.load(f)


def export(run_dir, dest=DEFAULT_DIR):
  """Copies a pipeline run (interpret_ddsp.pipeline) into `dest`.

  Keeps only the newest checkpoint, so the folder stays a few MB.

  Returns:
    dest.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import pipeline  # pylint: disable=g-import-not-at-top
  p = pipeline.paths(run_dir)
  ckpt = tf.train.latest_checkpoint(p['model'])
  if not ckpt:
    raise errors.UserError(f'No checkpoint in {p["model"]}.')
  os.makedirs(dest, exist_ok=True)
  for name in os.listdir(dest):  # Older checkpoints of an earlier export.
    if name.startswith('ckpt-') or name == 'checkpoint':
      os.remove(os.path.join(dest, name))
  prefix = os.path.basename(ckpt)
  for name in os.listdir(p['model']):
    if name.startswith(prefix + '.') or name in MODEL_FILES:
      shutil.copy(os.path.join(p['model'], name), dest)
  with open(os.path.join(dest, 'checkpoint'), 'w') as f:
    f.write(f'model_checkpoint_path: "{prefix}"\n'
            f'all_model_checkpoint_paths: "{prefix}"\n')
  shutil.copy(p['prior'], os.path.join(dest, PRIOR))
  shutil.copy(os.path.join(p['evaluation'], 'metrics.json'), dest)
  return dest


def main(argv=None):
  parser = argparse.ArgumentParser(
      prog='python -m interpret_ddsp.pretrained',
      description='Reproduce the shipped pretrained model end to end.')
  parser.add_argument('--soundfont',
                      default='/usr/share/sounds/sf2/FluidR3_GM.sf2',
                      help='FluidR3_GM.sf2 (Debian fluid-soundfont-gm, MIT)')
  parser.add_argument('--run_dir', default=os.path.join('runs', 'pretrained'))
  parser.add_argument('--dest', default=DEFAULT_DIR)
  parser.add_argument('--no_progress', action='store_true')
  args = parser.parse_args(argv)
  import interpret_ddsp  # pylint: disable=g-import-not-at-top,unused-import
  from interpret_ddsp import pipeline  # pylint: disable=g-import-not-at-top
  if not os.path.isfile(args.soundfont):
    parser.error(f'{args.soundfont} not found: `apt-get install '
                 'fluid-soundfont-gm`, or pass --soundfont.')
  summary = pipeline.run(args.run_dir, 'pretrained', soundfont=args.soundfont,
                         progress=not args.no_progress)
  dest = export(args.run_dir, args.dest)
  with open(os.path.join(args.run_dir, 'summary.json'), 'w') as f:
    json.dump({k: v for k, v in summary.items() if k != 'metrics'}, f,
              indent=1)
  print(f'Exported step {summary["steps"]} to {dest}; update {CARD} there '
        f'from {os.path.join(dest, "metrics.json")}.')
  return 0


if __name__ == '__main__':
  raise SystemExit(main())

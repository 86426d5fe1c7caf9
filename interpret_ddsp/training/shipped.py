# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Where the shipped pretrained models are, and the one rule for using them.

Two models ship as package data (a few MB each; their files are listed in
`contracts`), each named in `MODELS` with the folder it lives in and the
`pipeline.RECIPES` entry that reproduces it:

  default      interpret_ddsp/pretrained_model/: seven GM instruments at
               16 kHz, the default of every command
  violin_48k   interpret_ddsp/pretrained_violin_48k/: FluidR3's violin
               alone, rendered, prepared and trained at 48 kHz (air above
               8 kHz that a 16 kHz model cannot make)

Every command that takes a model resolves "none given" and "a shipped
model's name" here (`resolve`); reproducing and exporting a model is
`interpret_ddsp.apps.pretrained`, a layer above everything else.

Example:
  >>> save_dir, prior, z = resolve()   # The default model, prior and z.
  >>> os.path.basename(prior) == contracts.PRIOR_FILE
  True
  >>> os.path.basename(resolve(model='violin_48k')[0])
  'pretrained_violin_48k'
"""

import json
import os

from interpret_ddsp import contracts
from interpret_ddsp import errors

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: (folder inside the package, pipeline.RECIPES key that reproduces it).
MODELS = {
    'default': ('pretrained_model', 'pretrained'),
    'violin_48k': ('pretrained_violin_48k', 'violin_48k'),
}
DEFAULT_MODEL = 'default'
DEFAULT_DIR = os.path.join(_PACKAGE, MODELS[DEFAULT_MODEL][0])


def named_dir(name=None):
  """The folder of the shipped model `name` (None: the default).

  >>> os.path.basename(named_dir('violin_48k'))
  'pretrained_violin_48k'

  Raises:
    UserError: No shipped model has that name.
  """
  name = name or DEFAULT_MODEL
  if name not in MODELS:
    raise errors.UserError(
        f'No shipped model is called {name!r}; the shipped ones are '
        f'{", ".join(sorted(MODELS))}.')
  return os.path.join(_PACKAGE, MODELS[name][0])


def recipe_name(name=None):
  """The pipeline recipe that reproduces the shipped model `name`."""
  named_dir(name)  # Checks the name.
  return MODELS[name or DEFAULT_MODEL][1]


def model_dir(path=None):
  """The pretrained model folder (or `path` when given), checked.

  Raises:
    UserError: It has no checkpoint.
  """
  path = path or DEFAULT_DIR
  if not os.path.exists(os.path.join(path, contracts.CHECKPOINT_INDEX)):
    names = [n for n, (folder, _) in MODELS.items()
             if os.path.abspath(path) == os.path.join(_PACKAGE, folder)]
    flag = f' --model {names[0]}' if names else ''
    raise errors.UserError(
        f'No pretrained model in {path}: reinstall interpret_ddsp, or '
        f'reproduce it with `python -m interpret_ddsp.apps.pretrained{flag}`.')
  return path


def prior_path(path=None):
  """The prior .npz of the pretrained model."""
  return os.path.join(model_dir(path), contracts.PRIOR_FILE)


def z_path(path=None):
  """The training z (.npz from extract-z) of the pretrained model."""
  return os.path.join(model_dir(path), contracts.Z_FILE)


def expression_model_path(path=None):
  """The learned note-expression model (.npz) of the pretrained model."""
  return os.path.join(model_dir(path), contracts.EXPRESSION_MODEL)


def metrics(path=None):
  """The `evaluate` metrics of the pretrained model (dict)."""
  with open(os.path.join(model_dir(path), contracts.METRICS_JSON)) as f:
    return json.load(f)


def resolve(save_dir=None, prior=None, z=None, model=None):
  """(save_dir, prior, z) a command runs with.

  No model folder given: the shipped model `model` (None: the default),
  with its own prior and z wherever those are not given either. A model
  folder given keeps exactly the prior and z it came with (None where none
  was given: a shipped prior belongs to its own model's z space, not to
  another model's).

  Raises:
    UserError: Both a model folder and a shipped model's name, or an
      unknown name.
  """
  if save_dir is not None:
    if model is not None:
      raise errors.UserError(
          f'Both a model folder ({save_dir}) and a shipped model '
          f'({model}) were given: give one.')
    return save_dir, prior, z
  path = model_dir(named_dir(model))
  return path, prior or prior_path(path), z or z_path(path)

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Where the shipped pretrained model is, and the one rule for using it.

The model lives in `interpret_ddsp/pretrained_model/` (package data, a few
MB; its files are listed in `contracts`). Every command that takes a model
resolves "none given" here (`resolve`); reproducing and exporting the model
is `interpret_ddsp.apps.pretrained`, a layer above everything else.

Example:
  >>> save_dir, prior, z = resolve()   # The shipped model, prior and z.
  >>> os.path.basename(prior) == contracts.PRIOR_FILE
  True
"""

import json
import os

from interpret_ddsp import contracts
from interpret_ddsp import errors

DEFAULT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    'pretrained_model')


def model_dir(path=None):
  """The pretrained model folder (or `path` when given), checked.

  Raises:
    UserError: It has no checkpoint.
  """
  path = path or DEFAULT_DIR
  if not os.path.exists(os.path.join(path, 'checkpoint')):
    raise errors.UserError(
        f'No pretrained model in {path}: reinstall interpret_ddsp, or '
        'reproduce it with `python -m interpret_ddsp.apps.pretrained`.')
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


def resolve(save_dir=None, prior=None, z=None):
  """(save_dir, prior, z) a command runs with.

  No model given: the shipped model, with its own prior and z wherever
  those are not given either. A model given keeps exactly the prior and z
  it came with (None where none was given: the shipped prior belongs to the
  shipped model's z space, not to another model's).
  """
  if save_dir is not None:
    return save_dir, prior, z
  path = model_dir()
  return path, prior or prior_path(path), z or z_path(path)

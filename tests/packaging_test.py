# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""A plain (non-editable) install carries its gin configs and the shipped
model, and trains with the packaged models/timbre_ae_tiny.gin."""

import json
import os
import subprocess
import sys

import pytest

from interpret_ddsp import contracts
from interpret_ddsp.training import shipped

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
  """The package built and installed (no deps: they are this venv's) into
  a scratch folder, the way `pip install .` installs it."""
  target = tmp_path_factory.mktemp('site')
  subprocess.run(
      [sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
       '--no-build-isolation', '--disable-pip-version-check', '--target',
       str(target), REPO], check=True, capture_output=True, timeout=600)
  return str(target)


def _run_installed(target, code, cwd):
  """Python code run against the scratch install (not the checkout: the
  editable finder comes after PYTHONPATH), from a folder outside the repo."""
  env = dict(os.environ, PYTHONPATH=target)
  return subprocess.run([sys.executable, '-c', code], cwd=cwd, env=env,
                        capture_output=True, text=True, timeout=600,
                        check=False)


def test_the_install_ships_the_gin_configs_and_the_model(installed):
  pkg = os.path.join(installed, 'interpret_ddsp')
  for name in ('models/timbre_ae_tiny.gin', 'models/_timbre_ae_base.gin',
               'datasets/tfrecord.gin', 'optimization/cpu.gin'):
    with open(os.path.join(REPO, 'gin', name)) as a, \
         open(os.path.join(pkg, 'gin', name)) as b:
      assert a.read() == b.read(), name
  for folder, _ in shipped.MODELS.values():  # Every shipped model.
    for name in contracts.MODEL_FILES + (contracts.PRIOR_FILE,
                                         contracts.MODEL_CARD, 'checkpoint'):
      assert os.path.isfile(os.path.join(pkg, folder, name)), (folder, name)
  # The data files beside the modules that read them.
  for name in ('score/moods.json', 'apps/static/play.js',
               'apps/static/listen.js', 'apps/static/worklet.js'):
    assert os.path.isfile(os.path.join(pkg, name)), name


@pytest.mark.slow
def test_the_install_trains_from_its_packaged_configs(installed, tiny_dataset,
                                                      tmp_path):
  save_dir = tmp_path / 'model'
  code = (
      'import interpret_ddsp, os, sys\n'
      'from interpret_ddsp import cli\n'
      'from interpret_ddsp.training import train\n'
      f'assert interpret_ddsp.__file__.startswith({installed!r}), '
      'interpret_ddsp.__file__\n'
      f'assert train.GIN_DIR.startswith({installed!r}), train.GIN_DIR\n'
      f'sys.exit(cli.main(["train", "--dataset", {tiny_dataset!r}, '
      f'"--save_dir", {str(save_dir)!r}, "--num_steps", "2", '
      '"--no_progress"]))\n')
  result = _run_installed(installed, code, cwd=str(tmp_path))
  assert result.returncode == 0, result.stderr[-2000:]
  with open(save_dir / contracts.OPERATIVE_CONFIG) as f:
    config = f.read()
  assert 'TimbreKnobs' in config  # The packaged timbre_ae_tiny.gin's model.
  with open(save_dir / contracts.KNOBS_FILE) as f:
    assert json.load(f)['knob_names'] == ['brightness', 'hollowness',
                                          'noisiness']

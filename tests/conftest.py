# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Shared fixtures. The compat shims are already applied by the pytest plugin
(setup.cfg: -p interpret_ddsp.pytest_plugin)."""

import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, env=None, timeout=600):
  """Runs `interpret-ddsp ARGS` in a fresh interpreter; returns the result."""
  return subprocess.run(
      [sys.executable, '-m', 'interpret_ddsp.cli', *args], cwd=REPO,
      capture_output=True, text=True, env=env, timeout=timeout, check=False)


@pytest.fixture
def clean_env():
  """os.environ without the variables our own import set (a fresh shell)."""
  env = dict(os.environ)
  env.pop('TF_USE_LEGACY_KERAS', None)
  return env

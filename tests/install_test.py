# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""install.sh: re-running is fast and changes nothing; bad options fail."""

import os
import subprocess
import sys
import time

import pytest

from interpret_ddsp.support import crepe_install

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_unknown_option_is_refused():
  out = subprocess.run(['bash', 'install.sh', '--bogus'], cwd=REPO,
                       capture_output=True, text=True, check=False)
  assert out.returncode == 2
  assert 'unknown option --bogus' in out.stderr


def test_unknown_crepe_capacity_is_refused(capsys):
  assert crepe_install.main(['--capacities', 'tiny,huge']) == 1
  assert "Unknown CREPE capacity ['huge']" in capsys.readouterr().err


@pytest.mark.slow
def test_rerun_is_a_fast_no_op():
  if os.path.realpath(sys.prefix) != os.path.realpath(
      os.path.join(REPO, '.venv')):
    pytest.skip('tests are not running from this checkout\'s .venv')
  subprocess.run(['bash', 'install.sh'], cwd=REPO, capture_output=True,
                 text=True, check=True, timeout=900)
  # The first call may have had work to do (edited files); the second not.
  start = time.perf_counter()
  out = subprocess.run(['bash', 'install.sh'], cwd=REPO, capture_output=True,
                       text=True, check=True, timeout=60)
  assert 'environment up to date' in out.stdout
  assert time.perf_counter() - start < 30

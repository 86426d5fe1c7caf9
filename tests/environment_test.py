# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""`interpret-ddsp doctor` and one-sentence environment errors."""

import pytest

from interpret_ddsp.apps import environment
from interpret_ddsp import cli
from interpret_ddsp import compat


def test_diagnose_reports_a_working_stack():
  lines, problems = environment.diagnose(run_crepe=True)
  assert problems == []
  text = '\n'.join(lines)
  assert 'ddsp                     3.7.0' in text
  assert 'crepe                    0.0.16' in text
  for capacity in compat.installed_crepe_capacities():
    assert f'CREPE {capacity} on 440 Hz' in text


def test_smoke_test_measures_pitch_error():
  error_cents, _ = environment.crepe_smoke_test('tiny', f0_hz=523.25)
  assert error_cents < 20


def test_doctor_cli_prints_versions(capsys):
  assert cli.main(['doctor', '--quick']) == 0
  out = capsys.readouterr().out
  assert 'tensorflow               2.21.' in out
  assert 'The stack works.' in out


def test_gpu_requested_but_absent_is_one_sentence(capsys):
  if environment.accelerators()['GPU']:
    pytest.skip('this machine has a GPU')
  assert cli.main(['doctor', '--quick', '--require-gpu']) == 2
  err = capsys.readouterr().err.strip()
  assert err.startswith('interpret-ddsp doctor: A GPU was requested')
  assert '\n' not in err and 'Traceback' not in err


def test_missing_crepe_capacity_in_cli_is_one_sentence(capsys):
  missing = [c for c in compat.CREPE_CAPACITIES
             if c not in compat.installed_crepe_capacities()]
  if not missing:
    pytest.skip('every CREPE capacity is installed here')
  assert cli.main(['doctor', '--quick', '--crepe_model', missing[0]]) == 2
  err = capsys.readouterr().err.strip()
  assert f"CREPE capacity '{missing[0]}' is not installed" in err
  assert '\n' not in err and 'Traceback' not in err

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""What the installed stack is, and whether it works (`interpret-ddsp doctor`).
"""

import importlib.metadata
import time

import numpy as np

from interpret_ddsp import compat
from interpret_ddsp import errors
from interpret_ddsp.support import signals

# Distribution name -> the version (prefix) this project is tested with.
EXPECTED_VERSIONS = {
    'tensorflow': '2.21.',
    'tf-keras': '2.21.',
    'tensorflow-probability': '0.25.',
    'ddsp': '3.7.0',
    'crepe': '0.0.16',
    'apache-beam': None,
    'tensorflow-datasets': None,
    'scikit-learn': None,
    'numpy': None,
    'gin-config': None,
    'librosa': None,
}


def package_versions():
  """{distribution name: installed version or None}."""
  versions = {}
  for name in EXPECTED_VERSIONS:
    try:
      versions[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
      versions[name] = None
  return versions


def accelerators():
  """{'GPU': [names], 'TPU': [names]} of the devices TensorFlow sees."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  return {kind: [d.name for d in tf.config.list_physical_devices(kind)]
          for kind in ('GPU', 'TPU')}


def require_gpu():
  """Raises EnvironmentProblem unless TensorFlow sees at least one GPU."""
  gpus = accelerators()['GPU']
  if not gpus:
    raise errors.EnvironmentProblem(
        'A GPU was requested, but TensorFlow sees none on this machine (no '
        'CUDA driver or no GPU); run on a GPU machine or leave out the GPU '
        'option to train on the CPU.')
  return gpus


def crepe_smoke_test(capacity, f0_hz=440.0, seconds=0.5):
  """Runs CREPE through ddsp's compute_f0 on a tone of known pitch.

  Returns:
    (median absolute error in cents, wall seconds).
  """
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  sample_rate = spectral_ops.CREPE_SAMPLE_RATE
  audio, _ = signals.harmonic_tone(f0_hz, seconds, sample_rate)
  start = time.perf_counter()
  with compat.crepe_capacity(capacity):
    f0, _ = spectral_ops.compute_f0(audio, frame_rate=100, viterbi=True)
  elapsed = time.perf_counter() - start
  return float(np.median(np.abs(signals.cents(f0[5:-5], f0_hz)))), elapsed


def diagnose(run_crepe=True):
  """Checks the stack; returns (report lines, list of problems)."""
  lines, problems = [], []
  versions = package_versions()
  for name, version in versions.items():
    expected = EXPECTED_VERSIONS[name]
    lines.append(f'{name:24s} {version or "not installed"}')
    if version is None:
      problems.append(f'{name} is not installed.')
    elif expected and not version.startswith(expected):
      problems.append(f'{name} {version} is installed; interpret_ddsp is '
                      f'tested with {expected}*.')
  try:
    lines.append(f'{"tf.keras":24s} {compat.check_legacy_keras()}')
  except errors.EnvironmentProblem as e:
    problems.append(str(e))

  capacities = compat.installed_crepe_capacities()
  lines.append(f'{"CREPE capacities":24s} {", ".join(capacities) or "none"}')
  if not capacities:
    problems.append('No CREPE weights are installed: run ./install.sh.')
  elif run_crepe:
    for capacity in capacities:
      error_cents, secs = crepe_smoke_test(capacity)
      lines.append(f'{"CREPE " + capacity + " on 440 Hz":24s} '
                   f'{error_cents:.1f} cents off, {secs:.1f} s')
      if error_cents > 20:
        problems.append(f'CREPE {capacity} is {error_cents:.0f} cents off a '
                        '440 Hz tone: its weights are broken.')

  devices = accelerators()
  for kind, names in devices.items():
    lines.append(f'{kind + "s":24s} {", ".join(names) or "none"}')
  return lines, problems

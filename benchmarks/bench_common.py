# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""What several benchmark scripts share: machine facts, peak memory, a
synthetic training batch, writing the result JSON. Scripts import it as
`bench_common` (they run from benchmarks/, which Python puts on sys.path)."""

import json
import os
import platform
import resource


def cpu_name():
  """The CPU model from /proc/cpuinfo, else what platform knows."""
  try:
    with open('/proc/cpuinfo') as f:
      for line in f:
        if line.startswith('model name'):
          return line.split(':', 1)[1].strip()
  except OSError:
    pass
  return platform.processor() or platform.machine()


def peak_rss_mib():
  """Peak resident memory of this process so far (ru_maxrss), MiB."""
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def synthetic_batch(batch_size, secs=1.0, seed=0):
  """Harmonic tones (random pitch, spectral slope, slight noise) with ddsp
  loudness and our descriptors, as `prepare` would store them; every key
  the models read, 16 kHz audio and 250 Hz frames."""
  from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  n_samples, time_steps = int(16000 * secs), int(250 * secs)
  rng = np.random.default_rng(seed)
  feats = model_io.dummy_features(n_samples, time_steps, batch_size)
  t = np.arange(n_samples) / 16000
  for b in range(batch_size):
    f0 = rng.uniform(150, 600)
    slope = rng.uniform(0.5, 2)
    audio = sum(0.3 / k ** slope * np.sin(2 * np.pi * k * f0 * t)
                for k in range(1, 15) if k * f0 < 7500)
    audio = (audio + 0.01 * rng.standard_normal(n_samples)).astype(
        np.float32)
    feats['audio'][b] = audio
    feats['f0_hz'][b] = f0
    feats['loudness_db'][b] = features.compute_loudness(audio, 250)
    for k, v in features.compute_descriptors(audio, feats['f0_hz'][b],
                                             250).items():
      feats[k][b] = v
  return feats


def spread(per_round):
  """{name: [value per round]} -> ({name: median}, {name: [min, max]}):
  the figure and its spread over rounds, as every benchmark reports it."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  return ({k: float(np.median(v)) for k, v in per_round.items()},
          {k: [float(min(v)), float(max(v))] for k, v in per_round.items()})


def add_data_and_model(parser):
  """--data (a prepare output, default the shipped recipe's run) and
  --model (default the shipped model): the flags of the benchmarks that
  measure a trained model on its data."""
  parser.add_argument('--data', default=os.path.join('runs', 'pretrained',
                                                     'data'))
  parser.add_argument('--model', default=None,
                      help='model folder (default: the shipped model)')


def write_result(result, path):
  """Writes the result JSON (making its folder) and says where."""
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, 'w') as f:
    json.dump(result, f, indent=1)
  print(f'Wrote {path}')


def run_worker(script, args, log_path=None):
  """Runs `python script ARGS --out TMP` in a fresh process (so its peak
  memory is its own) and returns the JSON it wrote to TMP.

  Args:
    script: The benchmark script's path.
    args: Its command-line arguments (strings).
    log_path: File for its output; default: printed (last 3000
      characters) only if it fails.

  Raises:
    RuntimeError: The worker exited non-zero.
  """
  import subprocess  # pylint: disable=g-import-not-at-top
  import sys  # pylint: disable=g-import-not-at-top
  import tempfile  # pylint: disable=g-import-not-at-top
  with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as f:
    out = f.name
  cmd = [sys.executable, script] + list(args) + ['--out', out]
  log = open(log_path, 'w') if log_path else None  # pylint: disable=consider-using-with
  try:
    proc = subprocess.run(cmd, stdout=log or subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
  finally:
    if log:
      log.close()
  if proc.returncode:
    if not log_path:
      print(proc.stdout[-3000:])
    raise RuntimeError(f'{" ".join(args)} failed'
                       + (f' (see {log_path})' if log_path else ''))
  with open(out) as f:
    result = json.load(f)
  os.remove(out)
  return result

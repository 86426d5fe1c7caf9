# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Does the harmonic synth's amplitude interpolation read as noise?

ddsp's Harmonic (and our FastHarmonic) upsample the frame-rate partial
amplitudes to audio rate with `amp_resample_method`: 'window' (ddsp's
default, overlapping Hann windows: a raised-cosine blend of adjacent
frames) or 'linear'. Where the level moves fast (a release falling 270 dB
per second, 1.1 dB per 4-ms frame) the raised cosine bends the envelope
inside every frame, a modulation at the 250 Hz frame rate whose sidebands
lie between the partials: the noise ratio measures them as noise the
noise synth did not make, and the noisiness knob cannot turn them down.

Each trained model of --run is evaluated twice on the same examples, with
its own checkpoint and the binding changed in a copy of its config (the
decoder's outputs are the same; only the synth's upsampling differs):

  .venv/bin/python benchmarks/amp_interpolation.py \
      --run trumpet=runs/held_out_r2_base/trumpet/model:runs/held_out_r2_base/trumpet/data/held_out.tfrecord

Writes benchmarks/results/amp_interpolation.json: evaluate's headline
figures (knob_designs.summarize) per run and method.

The closed-form part (no model): `decay_noise_ratio` synthesizes a
10-partial 440 Hz tone decaying at a given rate with either method and
reads its noise ratio inside the decay.

  >>> round(decay_noise_ratio(0.0, 'window'))  # A steady tone: the floor.
  -90
"""

import argparse
import glob
import os
import re

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import numpy as np
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ('window', 'linear')
_BINDING = re.compile(r"^(\S*FastHarmonic\.amp_resample_method\s*=\s*)'\w+'",
                      re.M)


def decay_noise_ratio(db_per_sec, method, f0_hz=440.0, sample_rate=16000):
  """Median noise ratio (dB) of a 10-partial tone (amplitudes 1/k, 0.3
  peak) held for 0.5 s, then decaying at db_per_sec, read on the frames
  whose window lies in the decay while the level is above -40 dB (a steady
  tone: every frame past 0.57 s)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import descriptors  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import synths  # pylint: disable=g-import-not-at-top
  n_frames, secs = 500, 2.0
  t = np.arange(n_frames) / (n_frames / secs)
  level = -db_per_sec * np.clip(t - 0.5, 0.0, None)
  amps = (0.3 * 10 ** (level / 20))[:, None] / np.arange(1, 11)[None]
  n_samples = int(secs * sample_rate)
  audio = synths.harmonic_synthesis(
      tf.fill([1, n_frames, 1], f0_hz), tf.constant(amps[None], tf.float32),
      n_samples, sample_rate, method)[0].numpy()
  n = descriptors.n_frames(n_samples, sample_rate, 250)
  nhr = descriptors.noise_ratio(audio, np.full(n, f0_hz, np.float32),
                                sample_rate=sample_rate).numpy()
  centre = np.arange(n) * descriptors.hop_size(sample_rate, 250) / sample_rate
  inside = (centre > 0.57) & (-db_per_sec * (centre - 0.5) > -40.0)
  return float(np.median(nhr[inside]))


def with_method(src, dst, method):
  """dst: src's newest checkpoint and model files, its config's
  FastHarmonic.amp_resample_method set to `method` (kept if made)."""
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  if not train.latest_step(dst):
    model_io.place_checkpoint(src, train.latest_step(src), dst)
  for path in glob.glob(os.path.join(
      dst, contracts.OPERATIVE_CONFIG_PREFIX + '*.gin')):
    with open(path) as f:
      text = f.read()
    new, n = _BINDING.subn(rf"\g<1>'{method}'", text)
    if not n:
      raise SystemExit(f'No FastHarmonic.amp_resample_method in {path}.')
    with open(path, 'w') as f:
      f.write(new)
  return dst


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--run', action='append', required=True,
                      help='NAME=MODEL_DIR:TFRECORD_PATTERN; repeatable')
  parser.add_argument('--root', default=os.path.join('runs',
                                                     'amp_interpolation'))
  parser.add_argument('--max_examples', type=int, default=64)
  parser.add_argument('--knob_examples', type=int, default=32)
  parser.add_argument('--out', default=os.path.join(
      HERE, 'results', 'amp_interpolation.json'))
  args = parser.parse_args()
  for run in args.run:
    if '=' not in run or ':' not in run.split('=', 1)[1]:
      raise SystemExit(f'--run {run!r}: give NAME=MODEL_DIR:TFRECORD_PATTERN.')
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  import knob_designs  # pylint: disable=g-import-not-at-top  # benchmarks/
  result = {'cpu': bench_common.cpu_name(), 'decay_noise_ratio_db': {
      m: {str(r): decay_noise_ratio(r, m) for r in (0, 100, 200, 270, 400)}
      for m in METHODS}, 'runs': {}}
  print('noise ratio of a decaying tone (dB), by dB per second:',
        result['decay_noise_ratio_db'])
  for run in args.run:
    name, rest = run.split('=', 1)
    model_dir, pattern = rest.split(':', 1)
    result['runs'][name] = {'model': model_dir, 'data': pattern}
    for method in METHODS:
      root = os.path.join(args.root, name, method)
      model = with_method(model_dir, os.path.join(root, 'model'), method)
      metrics = evaluate.evaluate(
          model, pattern, os.path.join(root, 'evaluation'),
          max_examples=args.max_examples, knob_examples=args.knob_examples,
          progress=False)
      summary = knob_designs.summarize(metrics)
      result['runs'][name][method] = summary
      print(f'{name} {method}: spectral {summary["spectral_distance"]:.3f} '
            + ' '.join(f'{k} r {v["pearson_r"]:.3f} slope {v["slope"]:.2f}'
                       for k, v in summary['knobs'].items()))
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

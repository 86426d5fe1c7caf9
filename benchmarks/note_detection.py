# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Note detection on plain recordings, against a rendered set's own notes.

Every WAV of a `render-soundfont` folder (the shipped recipe's by default)
is treated as a plain recording: its f0 from CREPE (the capacity `prepare`
uses, tiny by default) and its ddsp loudness, computed from the audio
alone, go through `note_detection.detect_notes`; the JSON beside it holds
the notes the synth was told to play. A true note is found when a detected
note starts within 50 ms of it with its pitch within half a semitone
(`note_detection.match`, one to one). Recall, precision and the onset
error, over all notes and per kind (single notes, melodies) and
instrument.

  .venv/bin/python benchmarks/note_detection.py --audio runs/pretrained_v4/audio

Target (the note-expression issue): >= 95% of the rendered ground-truth
notes found within 50 ms. Writes benchmarks/results/note_detection.json.
"""

import argparse
import glob
import os
import time

import numpy as np

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--audio', default=os.path.join('runs', 'pretrained_v4',
                                                      'audio'))
  parser.add_argument('--crepe_model', default='tiny')
  parser.add_argument('--max_files', type=int, default=0,
                      help='0: every file')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'note_detection.json'))
  args = parser.parse_args()
  import tqdm  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.dataset import soundfont_set  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import controls  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.score import note_detection  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.support import audio_io  # pylint: disable=g-import-not-at-top
  wavs = sorted(glob.glob(os.path.join(args.audio, '*', '*.wav')))
  if args.max_files:
    wavs = wavs[::max(1, len(wavs) // args.max_files)][:args.max_files]
  start = time.perf_counter()
  groups = {}
  misses = []
  for path in tqdm.tqdm(wavs, desc='detect', unit='file'):
    truth = soundfont_set.load_ground_truth(path)
    if not truth.get('notes'):
      continue
    audio, _ = audio_io.load_audio(path, 16000)
    loud = features.compute_loudness(audio, 250)
    f0, conf = features.compute_f0(audio, 250, crepe_model=args.crepe_model)
    detected = note_detection.detect_notes(f0, loud, 250, confidence=conf)
    notes = [controls.Note(n['key'], n['start'], n['start'] + n['duration'],
                           n['velocity']) for n in truth['notes']]
    m = note_detection.match(notes, detected)
    kind = 'melody' if truth.get('kind') == 'melody' else 'single'
    for key in ('all', kind, truth['instrument']):
      g = groups.setdefault(key, {'found': 0, 'n_truth': 0, 'n_detected': 0,
                                  'errors': []})
      g['found'] += m['found']
      g['n_truth'] += m['n_truth']
      g['n_detected'] += m['n_detected']
      g['errors'] += m['onset_errors_secs']
    if m['found'] < m['n_truth'] or m['n_detected'] > m['found']:
      misses.append({'file': os.path.relpath(path, args.audio),
                     'truth': [(round(n.pitch), round(n.start_secs, 3))
                               for n in notes],
                     'detected': [(round(n.pitch, 2), round(n.start_secs, 3))
                                  for n in detected]})
  result = {'cpu': bench_common.cpu_name(), 'audio': args.audio,
            'crepe_model': args.crepe_model, 'n_files': len(wavs),
            'secs': round(time.perf_counter() - start, 1), 'groups': {}}
  for key, g in groups.items():
    e = np.array(g['errors']) * 1000
    result['groups'][key] = {
        'n_truth': g['n_truth'], 'n_detected': g['n_detected'],
        'recall': g['found'] / max(g['n_truth'], 1),
        'precision': g['found'] / max(g['n_detected'], 1),
        'onset_error_ms_median': float(np.median(e)) if len(e) else None,
        'onset_error_ms_p95': float(np.percentile(e, 95)) if len(e) else None}
  result['meets_95_percent'] = result['groups']['all']['recall'] >= 0.95
  result['misses'] = misses[:40]
  bench_common.write_result(result, args.out)
  for key, g in result['groups'].items():
    print(f'{key:14s} recall {g["recall"]:.3f} precision '
          f'{g["precision"]:.3f} ({g["n_truth"]} notes; onset error median '
          f'{g["onset_error_ms_median"]:.1f} ms, p95 '
          f'{g["onset_error_ms_p95"]:.1f} ms)')


if __name__ == '__main__':
  main()

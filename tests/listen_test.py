# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The listening test: stimuli of the shipped model (the sweep measured,
the hidden reference identical, the anchor low-passed), answers that
survive a kill -9 of the server, bad answers refused in one sentence, and
a report whose figures are the closed-form means of known answers."""

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
import soundfile

from conftest import REPO
from interpret_ddsp.apps import answer_store
from interpret_ddsp.apps import listening
from interpret_ddsp import contracts

SR = 16000


def _fake_test(d):
  """A listening test of two trials over sine WAVs (no model)."""
  t = np.arange(SR // 2) / SR
  for name, f in (('a', 440.0), ('b', 660.0), ('c', 880.0)):
    soundfile.write(str(d / f'{name}.wav'), 0.1 * np.sin(2 * np.pi * f * t),
                    SR)
  test = {'sample_rate': SR, 'trials': [
      {'id': 'sweep_brightness', 'kind': 'rating', 'knob': 'brightness',
       'question': 'Smooth?', 'range': [1, 5],
       'stimuli': [{'id': 'a', 'wav': 'a.wav', 'condition': 'sweep',
                    'value': None}]},
      {'id': 'mushra_brightness', 'kind': 'mushra', 'knob': 'brightness',
       'question': 'Close?', 'range': [0, 100], 'reference': 'b.wav',
       'stimuli': [{'id': 'c', 'wav': 'c.wav', 'condition': 'anchor',
                    'value': 1.0},
                   {'id': 'b', 'wav': 'b.wav', 'condition': 'reference',
                    'value': 1.0}]}]}
  (d / contracts.LISTENING_TEST).write_text(json.dumps(test))
  return test


def _start(test_dir):
  proc = subprocess.Popen(
      [sys.executable, '-m', 'interpret_ddsp.cli', 'listen', '--test_dir',
       str(test_dir), '--port', '0'], cwd=REPO, stdout=subprocess.PIPE,
      stderr=subprocess.PIPE, text=True)
  deadline = time.time() + 120
  while time.time() < deadline:
    line = proc.stdout.readline()
    m = re.search(r'http://127\.0\.0\.1:(\d+)/', line)
    if m:
      return proc, f'http://127.0.0.1:{m.group(1)}/'
    if proc.poll() is not None:
      break
  proc.kill()
  raise AssertionError(f'no server: {proc.stderr.read()[-2000:]}')


def _post(url, body):
  data = body if isinstance(body, bytes) else json.dumps(body).encode()
  req = urllib.request.Request(url + 'answer', data=data, method='POST',
                               headers={'Content-Type': 'application/json'})
  try:
    with urllib.request.urlopen(req, timeout=30) as r:
      return r.status, json.loads(r.read())
  except urllib.error.HTTPError as e:
    return e.code, json.loads(e.read())


def _get(url, path):
  with urllib.request.urlopen(url + path, timeout=30) as r:
    return r.status, r.read()


@pytest.mark.slow
def test_answers_survive_a_killed_server_and_bad_ones_are_refused(tmp_path):
  _fake_test(tmp_path)
  proc, url = _start(tmp_path)
  try:
    status, page = _get(url, '')
    assert status == 200 and b'listen.js' in page
    public = json.loads(_get(url, 'test')[1])
    # The page is not told which stimulus is the hidden reference.
    assert 'condition' not in json.dumps(public)
    assert _get(url, 'audio/b.wav')[0] == 200
    with pytest.raises(urllib.error.HTTPError):
      _get(url, 'audio/..%2Flistening_test.json')
    sent = [{'listener': 'ann', 'trial': 'sweep_brightness', 'stimulus': 'a',
             'value': 4},
            {'listener': 'ann', 'trial': 'mushra_brightness',
             'stimulus': 'b', 'value': 97.5},
            {'listener': 'bob', 'trial': 'mushra_brightness',
             'stimulus': 'c', 'value': 20}]
    for i, answer in enumerate(sent):
      assert _post(url, answer) == (200, {'saved': True, 'n_answers': i + 1})
    bad = [
        (b'{"listener": ', 'not JSON'),
        ({'listener': 'ann', 'trial': 'nope', 'stimulus': 'a', 'value': 3},
         'No trial'),
        ({'listener': 'ann', 'trial': 'sweep_brightness', 'stimulus': 'a',
          'value': 3.5}, 'whole number'),
        ({'listener': 'ann', 'trial': 'mushra_brightness', 'stimulus': 'b',
          'value': float('nan')}, 'from 0 to 100'),
        ({'listener': 'ann', 'trial': 'mushra_brightness', 'stimulus': 'b',
          'value': 101}, 'from 0 to 100'),
        ({'listener': 'a b', 'trial': 'sweep_brightness', 'stimulus': 'a',
          'value': 3}, 'listener id'),
        ({'trial': 'sweep_brightness'}, 'lacks listener'),
        ([1, 2], 'JSON object'),
    ]
    for body, says in bad:
      status, reply = _post(url, body)
      assert status == 400 and says in reply['error'], (body, reply)
      assert reply['error'].count('.') <= 2  # One sentence.
  finally:
    proc.send_signal(signal.SIGKILL)
    proc.wait()
  assert 'Traceback' not in proc.stderr.read()
  # A new server on the same folder has every answer it said it saved.
  proc, url = _start(tmp_path)
  try:
    assert json.loads(_get(url, 'answers?listener=ann')[1]) == {
        'n_answers': 2}
    assert json.loads(_get(url, 'answers')[1]) == {'n_answers': 3}
  finally:
    proc.terminate()
    proc.wait()


def test_report_gives_the_means_of_known_answers(tmp_path):
  """Ratings 3, 4, 5 -> mean 4; hidden reference 95 and 100 -> 97.5 (the
  listener who rated it 50 is left out by post-screening, and with them
  their anchor score); the interval holds the mean; one PNG per knob."""
  test = _fake_test(tmp_path)
  store = answer_store.AnswerStore(str(tmp_path / 'a.sqlite'), test)
  for listener, rating, ref, anchor in (('ann', 3, 95, 20), ('bob', 4, 100, 30),
                                        ('cid', 5, 50, 90)):
    store.add({'listener': listener, 'trial': 'sweep_brightness',
               'stimulus': 'a', 'value': rating})
    store.add({'listener': listener, 'trial': 'mushra_brightness',
               'stimulus': 'b', 'value': ref})
    store.add({'listener': listener, 'trial': 'mushra_brightness',
               'stimulus': 'c', 'value': anchor})
  # A changed mind: the last answer to a stimulus counts.
  store.add({'listener': 'ann', 'trial': 'mushra_brightness',
             'stimulus': 'c', 'value': 10})
  out = tmp_path / 'report'
  summary = listening.report(test, store.answers(), str(out))
  assert summary['screened_out'] == ['cid']
  assert not summary['synthetic']
  sweep = summary['trials']['sweep_brightness']['conditions']['sweep']
  mushra = summary['trials']['mushra_brightness']['conditions']
  assert sweep['n'] == 2 and sweep['mean'] == pytest.approx(3.5)
  assert mushra['reference']['mean'] == pytest.approx(97.5)
  assert mushra['anchor']['mean'] == pytest.approx(20.0)  # (10 + 30) / 2
  lo, hi = mushra['reference']['ci95']
  assert 95.0 <= lo <= 97.5 <= hi <= 100.0
  assert (out / 'listening_brightness.png').stat().st_size > 1000
  text = (out / contracts.REPORT_MD).read_text()
  assert '| mushra_brightness | reference | 2 | 97.5 |' in text
  assert 'Synthetic' not in text
  with pytest.raises(listening.ListeningError, match='No answers'):
    listening.report(test, [], str(out))


def test_pilot_report_is_labelled_synthetic(tmp_path):
  test = _fake_test(tmp_path)
  store = answer_store.AnswerStore(str(tmp_path / 'p.sqlite'), test)
  n = listening.pilot_answers(test, store, n_listeners=6)
  assert n == 6 * 3 == len(store.answers())
  summary = listening.report(test, store.answers(), str(tmp_path / 'r'))
  assert summary['synthetic'] and summary['screened_out'] == ['pilot-05']
  assert 'Synthetic answers' in (tmp_path / 'r' / contracts.REPORT_MD
                                 ).read_text()


def test_stimuli_of_the_shipped_model(tmp_path):
  """Per knob: a sweep whose measured value follows the asked one (r >
  0.99, within 0.2 std: the knobs' error target; noisiness reads
  up to 0.15 high at the low end), a MUSHRA trial whose hidden reference is the
  reference file's audio, and an anchor without energy above 3.5 kHz that
  matches the reference below it."""
  test = listening.make_test(str(tmp_path), progress=False)
  above = []
  assert [t['id'] for t in test['trials']] == [
      f'{k}_{n}' for n in ('brightness', 'hollowness', 'noisiness')
      for k in ('sweep', 'mushra')]
  for t in test['trials']:
    if t['kind'] == 'rating':
      asked, got = np.array(t['values']), np.array(t['measured'])
      assert np.corrcoef(asked, got)[0, 1] > 0.99
      assert np.abs(got - asked).max() < 0.2, (t["knob"], asked, got)
      continue
    by = {s['condition']: s for s in t['stimuli']}
    assert set(by) == {'reference', 'anchor', '-1.0 std', '-0.5 std',
                       '+0.5 std'}
    assert by['reference']['wav'] == t['reference']
    ref, sr = soundfile.read(str(tmp_path / t['reference']))
    anchor, _ = soundfile.read(str(tmp_path / by['anchor']['wav']))
    spec_r, spec_a = np.fft.rfft(ref), np.fft.rfft(anchor)
    freqs = np.fft.rfftfreq(len(ref), 1 / sr)
    high = freqs > listening.ANCHOR_HZ + 50
    # What is left is the WAV's 16-bit rounding: white noise of variance
    # LSB^2 / 12 has E|X_k|^2 = N LSB^2 / 12 per bin (twice that in a
    # difference of two files).
    floor = len(ref) * (2.0 ** -15) ** 2 / 12
    assert np.mean(np.abs(spec_a[high]) ** 2) < 4 * floor
    above.append(np.mean(np.abs(spec_r[high]) ** 2) / floor)
    low = freqs < listening.ANCHOR_HZ - 50
    assert np.mean(np.abs(spec_a[low] - spec_r[low]) ** 2) < 8 * floor
  assert max(above) > 100, above  # A reference had something to remove.

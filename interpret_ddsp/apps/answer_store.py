# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Listening-test answers in one SQLite file that a crash cannot corrupt.

The file runs in WAL mode with synchronous=FULL, and every answer is one
transaction, committed before the server says "saved": what a listener
was told is saved survives a killed server (kill -9, tests/listen_test.py)
or a power cut. `check` turns a submitted answer into a row or one
sentence (AnswerError) saying what is wrong with it.

Example:
  >>> import tempfile, os
  >>> test = {'trials': [{'id': 't', 'kind': 'rating', 'range': [1, 5],
  ...                     'stimuli': [{'id': 's', 'condition': 'sweep'}]}]}
  >>> store = AnswerStore(os.path.join(tempfile.mkdtemp(), 'a.sqlite'), test)
  >>> store.add({'listener': 'ann', 'trial': 't', 'stimulus': 's',
  ...            'value': 4})
  1
  >>> store.answers()[0]['value']
  4.0
"""

import math
import re
import sqlite3
import time

from interpret_ddsp import errors

_LISTENER = re.compile(r'^[A-Za-z0-9_.-]{1,64}$')
_SCHEMA = '''CREATE TABLE IF NOT EXISTS answers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  listener TEXT NOT NULL, trial TEXT NOT NULL, stimulus TEXT NOT NULL,
  condition TEXT NOT NULL, value REAL NOT NULL, received REAL NOT NULL)'''


class AnswerError(errors.UserError):
  """An answer that cannot be stored; str(e) says why, in one sentence."""


def check(test, answer):
  """A submitted answer -> (listener, trial, stimulus, condition, value).

  Args:
    test: The listening test dict (listening.make_test).
    answer: {'listener', 'trial', 'stimulus', 'value'} as sent.

  Raises:
    AnswerError: not such a dict, an unknown trial or stimulus, a listener
      id that is not 1-64 letters, digits, '_', '.' or '-', or a value
      that is not a finite number in the trial's range (an integer for
      ratings).
  """
  if not isinstance(answer, dict):
    raise AnswerError('An answer is a JSON object with listener, trial, '
                      'stimulus and value.')
  missing = [k for k in ('listener', 'trial', 'stimulus', 'value')
             if k not in answer]
  if missing:
    raise AnswerError(f'The answer lacks {", ".join(missing)}.')
  listener = answer['listener']
  if not isinstance(listener, str) or not _LISTENER.match(listener):
    raise AnswerError('A listener id is 1-64 letters, digits, "_", "." or '
                      f'"-", not {str(listener)[:40]!r}.')
  trials = {t['id']: t for t in test['trials']}
  trial = trials.get(answer['trial'])
  if trial is None:
    raise AnswerError(f'No trial {str(answer["trial"])[:40]!r} in this '
                      'listening test.')
  stimuli = {s['id']: s for s in trial['stimuli']}
  stimulus = stimuli.get(answer['stimulus'])
  if stimulus is None:
    raise AnswerError(f'Trial {trial["id"]} has no stimulus '
                      f'{str(answer["stimulus"])[:40]!r}.')
  value = answer['value']
  lo, hi = trial['range']
  ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
        and math.isfinite(value) and lo <= value <= hi)
  if ok and trial['kind'] == 'rating':
    ok = float(value).is_integer()
  if not ok:
    kind = 'a whole number' if trial['kind'] == 'rating' else 'a number'
    raise AnswerError(f'The value for {trial["id"]} is {kind} from {lo} to '
                      f'{hi}, not {str(value)[:40]!r}.')
  return (listener, trial['id'], stimulus['id'], stimulus['condition'],
          float(value))


class AnswerStore:
  """Answers to one listening test in one SQLite file (module doc)."""

  def __init__(self, path, test):
    self.path = path
    self.test = test
    try:
      with self._connect() as db:
        mode = db.execute('PRAGMA journal_mode=WAL').fetchone()[0]
        db.execute(_SCHEMA)
    except sqlite3.Error as e:
      raise AnswerError(f'Cannot open the answers file {path} ({e}).') from e
    if mode.lower() != 'wal':
      raise AnswerError(f'The answers file {path} cannot run in WAL mode '
                        f'(SQLite chose {mode}).')

  def _connect(self):
    db = sqlite3.connect(self.path, timeout=30.0)
    db.execute('PRAGMA synchronous=FULL')
    return db

  def add(self, answer):
    """Checks and stores one answer in its own committed transaction;
    returns how many answers the file holds.

    Raises:
      AnswerError: a bad answer (`check`), or the file failed.
    """
    row = check(self.test, answer)
    db = self._connect()
    try:
      with db:  # One transaction, committed on leaving.
        db.execute('INSERT INTO answers (listener, trial, stimulus, '
                   'condition, value, received) VALUES (?, ?, ?, ?, ?, ?)',
                   row + (time.time(),))
      return db.execute('SELECT COUNT(*) FROM answers').fetchone()[0]
    except sqlite3.Error as e:
      raise AnswerError(f'Could not save the answer ({e}).') from e
    finally:
      db.close()

  def answers(self, listener=None):
    """Every stored answer as a dict, in the order received."""
    db = self._connect()
    try:
      query = ('SELECT listener, trial, stimulus, condition, value, received '
               'FROM answers')
      args = ()
      if listener is not None:
        query += ' WHERE listener = ?'
        args = (listener,)
      rows = db.execute(query + ' ORDER BY id', args).fetchall()
    finally:
      db.close()
    keys = ('listener', 'trial', 'stimulus', 'condition', 'value',
            'received')
    return [dict(zip(keys, r)) for r in rows]

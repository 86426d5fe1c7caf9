# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Every docstring example in the package, and in the benchmark scripts,
runs and gives what it shows (librosa's habit: an example a reader can
trust). Examples that need a trained model or a server say
`# doctest: +SKIP`."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import doctest
import glob
import importlib
import os
import pkgutil

import pytest

MODULES = sorted(m.name for m in pkgutil.walk_packages(
    interpret_ddsp.__path__, 'interpret_ddsp.'))
BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'benchmarks')
# The scripts with examples (read as text: importing all would be slow).
BENCHMARK_MODULES = sorted(
    os.path.splitext(os.path.basename(p))[0]
    for p in glob.glob(os.path.join(BENCHMARKS, '*.py'))
    if '>>>' in open(p, encoding='utf-8').read())


@pytest.mark.parametrize('name', MODULES)
def test_docstring_examples(name):
  module = importlib.import_module(name)
  result = doctest.testmod(module, optionflags=doctest.ELLIPSIS,
                           report=True)
  assert result.failed == 0, f'{result.failed} example(s) of {name} failed'


@pytest.mark.parametrize('name', BENCHMARK_MODULES)
def test_benchmark_docstring_examples(name, monkeypatch):
  # The scripts import their neighbours (bench_common, ...) as top-level
  # modules, as when run from benchmarks/.
  monkeypatch.syspath_prepend(BENCHMARKS)
  module = importlib.import_module(name)
  result = doctest.testmod(module, optionflags=doctest.ELLIPSIS,
                           report=True)
  assert result.attempted and result.failed == 0, (
      f'{result.failed} example(s) of benchmarks/{name}.py failed')


def test_a_wrong_example_fails():
  """The check itself can fail: an example whose output is not what it
  shows is counted."""
  def wrong():
    """
    >>> 1 + 1
    3
    """
  finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(
      verbose=False)
  for test in finder.find(wrong, 'wrong', globs={}):
    runner.run(test, out=lambda _: None)
  assert runner.failures == 1

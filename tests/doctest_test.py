# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Every docstring example in the package runs and gives what it shows
(librosa's habit: an example a reader can trust). Examples that need a
trained model or a server say `# doctest: +SKIP`."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
import doctest
import importlib
import pkgutil

import pytest

MODULES = sorted(m.name for m in pkgutil.walk_packages(
    interpret_ddsp.__path__, 'interpret_ddsp.'))


@pytest.mark.parametrize('name', MODULES)
def test_docstring_examples(name):
  module = importlib.import_module(name)
  result = doctest.testmod(module, optionflags=doctest.ELLIPSIS,
                           report=True)
  assert result.failed == 0, f'{result.failed} example(s) of {name} failed'


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

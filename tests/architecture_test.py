# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The package's layers: no import cycle (imports inside functions count),
the leaves stay leaves, and every on-disk name has one home (contracts)."""

import ast
import os

import pytest

from interpret_ddsp import contracts
from interpret_ddsp import shipped

PKG_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'interpret_ddsp')


def _modules():
  return sorted(f[:-3] for f in os.listdir(PKG_DIR)
                if f.endswith('.py') and f != '__init__.py')


def _imports(module, known):
  """Package modules `module` imports anywhere in its source."""
  with open(os.path.join(PKG_DIR, module + '.py')) as f:
    tree = ast.parse(f.read())
  found = set()
  for node in ast.walk(tree):
    if isinstance(node, ast.ImportFrom) and node.module:
      if node.module == 'interpret_ddsp':
        found.update(a.name for a in node.names if a.name in known)
      elif node.module.startswith('interpret_ddsp.'):
        found.add(node.module.split('.')[1])
    elif isinstance(node, ast.Import):
      found.update(a.name.split('.')[1] for a in node.names
                   if a.name.startswith('interpret_ddsp.'))
  return found - {module}


def import_graph():
  known = set(_modules())
  return {m: _imports(m, known) for m in known}


def find_cycle(graph):
  """One import cycle as a list [a, b, ..., a], or None (depth-first)."""
  state, stack = {}, []

  def visit(node):
    state[node] = 'open'
    stack.append(node)
    for nxt in sorted(graph.get(node, ())):
      if state.get(nxt) == 'open':
        return stack[stack.index(nxt):] + [nxt]
      if nxt not in state:
        found = visit(nxt)
        if found:
          return found
    state[node] = 'done'
    stack.pop()
    return None

  for node in sorted(graph):
    if node not in state:
      found = visit(node)
      if found:
        return found
  return None


def test_find_cycle_finds_a_known_cycle():
  graph = {'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}
  assert find_cycle(graph) == ['a', 'b', 'c', 'a']
  assert find_cycle({'a': {'b'}, 'b': set(), 'c': {'a', 'b'}}) is None


def test_the_package_has_no_import_cycle():
  cycle = find_cycle(import_graph())
  assert cycle is None, 'import cycle: ' + ' -> '.join(cycle)


def test_the_leaves_import_nothing_above_them():
  graph = import_graph()
  assert graph['contracts'] <= {'errors'}
  assert graph['errors'] == set()
  assert graph['files'] == set()
  assert graph['shipped'] <= {'contracts', 'errors'}
  # Only the release layer (and the CLI over it) may import it.
  importers = {m for m, deps in graph.items() if 'pretrained' in deps}
  assert importers <= {'cli'}, importers


@pytest.mark.parametrize('name', sorted(
    v for k, v in vars(contracts).items()
    if k.isupper() and isinstance(v, str) and '.' in v
    and not v.startswith('.')))
def test_each_file_name_has_one_home(name):
  """No package module spells a contracts file name itself."""
  quoted = (f"'{name}'", f'"{name}"')
  spelled = []
  for module in _modules():
    if module == 'contracts':
      continue
    with open(os.path.join(PKG_DIR, module + '.py')) as f:
      source = f.read()
    if any(q in source for q in quoted):
      spelled.append(module)
  assert not spelled, f'{name} spelled in {spelled}; use contracts'


def test_resolve_defaults_to_the_shipped_model_only_when_none_is_given(
    tmp_path):
  save_dir, prior, z = shipped.resolve()
  assert save_dir == shipped.DEFAULT_DIR
  assert prior == os.path.join(shipped.DEFAULT_DIR, contracts.PRIOR_FILE)
  assert z == os.path.join(shipped.DEFAULT_DIR, contracts.Z_FILE)
  assert os.path.isfile(prior) and os.path.isfile(z)
  # The user's prior wins over the shipped one.
  assert shipped.resolve(prior='mine.npz')[1] == 'mine.npz'
  # A model of the user's never gets the shipped prior (other z space).
  assert shipped.resolve(str(tmp_path)) == (str(tmp_path), None, None)

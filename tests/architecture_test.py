# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The package's layers: no import cycle (imports inside functions count),
the leaves stay leaves, and every on-disk name has one home (contracts)."""

import ast
import os
import sys

import pytest

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.training import shipped

PKG_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'interpret_ddsp')

# The package's layers, lowest first: a module imports only modules of its
# own layer or of a lower one. Top-level modules sit on a layer by what
# they are: errors and contracts under everything, compat (the shims) and
# pytest_plugin (which applies them before any test) with support, data
# (the TFRecord providers) with dataset, models (the model class saved
# configs import) with training, the CLI over everything.
LAYERS = ('support', 'analysis', 'score', 'dataset', 'training',
          'generation', 'evaluation', 'apps')
TOP_LEVEL = {'errors': -1, 'contracts': -1, 'compat': 0, 'pytest_plugin': 0,
             'data': LAYERS.index('dataset'),
             'models': LAYERS.index('training'), 'cli': len(LAYERS)}


def _modules():
  """{module name: path relative to the package}, every module of every
  subpackage (names are unique across the package)."""
  found = {}
  for folder, _, names in os.walk(PKG_DIR):
    for name in names:
      if name.endswith('.py') and name != '__init__.py':
        rel = os.path.relpath(os.path.join(folder, name), PKG_DIR)
        assert name[:-3] not in found, f'two modules named {name}'
        found[name[:-3]] = rel
  return dict(sorted(found.items()))


def layer_of(module, path):
  """The layer index of a module, from its folder (or TOP_LEVEL)."""
  folder = os.path.dirname(path)
  if not folder:
    return TOP_LEVEL[module]
  return LAYERS.index(folder.split(os.sep)[0])


def _imports(module, known):
  """Package modules `module` imports anywhere in its source."""
  with open(os.path.join(PKG_DIR, known[module])) as f:
    tree = ast.parse(f.read())
  found = set()

  def add(dotted):
    # interpret_ddsp[.pkg][.module]: the last part that is a module.
    parts = [p for p in dotted.split('.')[1:] if p in known]
    found.update(parts[-1:])

  for node in ast.walk(tree):
    if isinstance(node, ast.ImportFrom) and node.module and (
        node.module == 'interpret_ddsp' or
        node.module.startswith('interpret_ddsp.')):
      add(node.module)
      found.update(a.name for a in node.names if a.name in known)
    elif isinstance(node, ast.Import):
      for a in node.names:
        if a.name.startswith('interpret_ddsp.'):
          add(a.name)
  return found - {module}


def import_graph():
  known = _modules()
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


def test_the_imports_finds_every_form(tmp_path, monkeypatch):
  """The graph reads every import form the package uses."""
  pkg = tmp_path / 'interpret_ddsp'
  (pkg / 'low').mkdir(parents=True)
  (pkg / 'low' / 'a.py').write_text('')
  (pkg / 'low' / 'b.py').write_text('')
  (pkg / 'c.py').write_text('')
  (pkg / 'user.py').write_text(
      'from interpret_ddsp.low import a\n'
      'def f():\n  import interpret_ddsp.low.b\n'
      '  from interpret_ddsp import c\n')
  monkeypatch.setattr(sys.modules[__name__], 'PKG_DIR', str(pkg))
  assert import_graph()['user'] == {'a', 'b', 'c'}


def test_each_layer_imports_only_its_own_or_lower_layers():
  """A listing reads as the pipeline: support < analysis < score < dataset
  < training < generation < evaluation < apps < cli, and no arrow runs
  back up (imports inside functions included)."""
  known = _modules()
  graph = import_graph()
  upward = sorted(f'{m} ({known[m]}) -> {d} ({known[d]})'
                  for m, deps in graph.items() for d in deps
                  if layer_of(d, known[d]) > layer_of(m, known[m]))
  assert not upward, 'imports that run up a layer: ' + '; '.join(upward)


def test_every_subpackage_is_a_layer():
  folders = {d for d in os.listdir(PKG_DIR)
             if os.path.isfile(os.path.join(PKG_DIR, d, '__init__.py'))}
  assert folders == set(LAYERS)
  top = {m for m, path in _modules().items() if os.sep not in path}
  assert top == set(TOP_LEVEL)


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
  for module, path in _modules().items():
    if module == 'contracts':
      continue
    with open(os.path.join(PKG_DIR, path)) as f:
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
  # A shipped model by name comes with its own prior and z, not the
  # default's; a name beside a folder, or an unknown name, is an error.
  violin = shipped.named_dir('violin_48k')
  assert violin != shipped.DEFAULT_DIR
  assert shipped.resolve(model='violin_48k') == (
      violin, os.path.join(violin, contracts.PRIOR_FILE),
      os.path.join(violin, contracts.Z_FILE))
  with pytest.raises(errors.UserError, match='give one'):
    shipped.resolve(str(tmp_path), model='violin_48k')
  with pytest.raises(errors.UserError, match='violin_48k'):
    shipped.resolve(model='banjo')

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The listening page in a real browser (headless Chromium, as
live_browser_test): it loads without a console error, a listener answers
every trial through the page's own controls, and every answer is in the
file after the server is stopped and a new one started on it."""

import json
import urllib.request

import pytest

from interpret_ddsp.apps import answer_store
from interpret_ddsp.apps import listen_server
from interpret_ddsp.apps import listening
from interpret_ddsp.apps import live_server
from interpret_ddsp import contracts
from listen_test import _fake_test  # pylint: disable=g-bad-import-order

CHROMIUM = live_server.chromium_path()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None,
                       reason='no Chromium (install.sh --test-tools installs it)'),
]


def _count(url):
  with urllib.request.urlopen(url + 'answers', timeout=30) as r:
    return json.loads(r.read())['n_answers']


def test_a_listener_answers_every_trial_and_a_restart_keeps_them(tmp_path):
  playwright = pytest.importorskip('playwright.sync_api')
  test = _fake_test(tmp_path)
  with live_server.Background(listen_server.make_app(str(tmp_path)),
                              serve_fn=listen_server.serve) as server:
    with playwright.sync_playwright() as p:
      browser = p.chromium.launch(executable_path=CHROMIUM,
                                  args=list(live_server.CHROMIUM_FLAGS))
      page = browser.new_page()
      errors = []
      page.on('console', lambda m: m.type == 'error' and errors.append(m.text))
      page.on('pageerror', lambda e: errors.append(str(e)))
      page.goto(server.url)
      page.wait_for_function('window.listen && window.listen.ready',
                             timeout=30000)
      page.fill('#listener', 'tester-1')
      # Submitting a rating trial with nothing chosen is refused on the page.
      page.click('#submit')
      assert page.evaluate('window.listen.errors') == ['Choose a rating first.']
      page.check('input[type=radio][value="4"]')
      page.click('#submit')
      page.wait_for_function('window.listen.index === 1', timeout=30000)
      page.evaluate("""() => {
        for (const el of document.querySelectorAll('input[type=range]')) {
          el.value = el.dataset.stimulus === 'b' ? '96' : '25';
          el.dispatchEvent(new Event('input'));
        }}""")
      page.click('#submit')
      page.wait_for_function('window.listen.done === true', timeout=30000)
      assert page.evaluate('window.listen.saved') == 3
      browser.close()
    assert errors == []
    assert _count(server.url) == 3
  # A new server on the same folder: the answers are in the file.
  with live_server.Background(listen_server.make_app(str(tmp_path)),
                              serve_fn=listen_server.serve) as server:
    assert _count(server.url) == 3
  store = answer_store.AnswerStore(str(tmp_path / contracts.ANSWERS_DB),
                                   test)
  got = {(a['listener'], a['trial'], a['condition']): a['value']
         for a in store.answers()}
  assert got == {('tester-1', 'sweep_brightness', 'sweep'): 4.0,
                 ('tester-1', 'mushra_brightness', 'reference'): 96.0,
                 ('tester-1', 'mushra_brightness', 'anchor'): 25.0}
  summary = listening.summarize(test, store.answers())
  assert summary['screened_out'] == []

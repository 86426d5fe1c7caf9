# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The listening test's web server (aiohttp): a page, its stimuli, and an
endpoint that stores each answer before it says so.

  GET  /                 the page (static/listen.html, listen.js)
  GET  /test             the trials, without their conditions
                         (listening.public_test)
  GET  /audio/<id>.wav   a stimulus of the test (no other file)
  POST /answer           {"listener", "trial", "stimulus", "value"}: 200
                         {"saved": true, "n_answers"} once committed
                         (answer_store), or 400 {"error": one sentence}
  GET  /answers?listener=<id>   {"n_answers"} of that listener

Binds 127.0.0.1 unless told otherwise (`serve`).

Example:
  >>> app = make_app('runs/listen')           # doctest: +SKIP
  >>> asyncio.run(serve(app, port=8001))       # doctest: +SKIP
"""

import asyncio
import json
import os

from aiohttp import web

from interpret_ddsp.apps import answer_store
from interpret_ddsp.apps import listening
from interpret_ddsp import contracts

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'static')
DEFAULT_HOST = '127.0.0.1'
MAX_ANSWER_BYTES = 4096


def make_app(test_dir, db_path=None, static_dir=STATIC_DIR):
  """The aiohttp application of the test in test_dir.

  Args:
    test_dir: A folder listening.make_test wrote.
    db_path: The answers file (default test_dir/contracts.ANSWERS_DB).
    static_dir: The page's files.

  Raises:
    listening.ListeningError / answer_store.AnswerError: no test there, or
      an answers file that cannot be opened.
  """
  test = listening.load_test(test_dir)
  store = answer_store.AnswerStore(
      db_path or os.path.join(test_dir, contracts.ANSWERS_DB), test)
  public = listening.public_test(test)
  wavs = {s['wav'] for t in test['trials'] for s in t['stimuli']}
  wavs |= {t['reference'] for t in test['trials'] if 'reference' in t}
  app = web.Application(client_max_size=MAX_ANSWER_BYTES)
  app['store'] = store

  async def page(request):
    del request
    return web.FileResponse(os.path.join(static_dir, 'listen.html'))

  async def script(request):
    del request
    return web.FileResponse(os.path.join(static_dir, 'listen.js'))

  async def trials(request):
    del request
    return web.json_response(public)

  async def audio(request):
    name = request.match_info['name']
    if name not in wavs:
      raise web.HTTPNotFound(text='No such stimulus.')
    return web.FileResponse(os.path.join(test_dir, name))

  async def answer(request):
    try:
      body = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
      return web.json_response({'error': 'The answer is not JSON.'},
                               status=400)
    except web.HTTPRequestEntityTooLarge:
      return web.json_response({'error': 'The answer is too long.'},
                               status=400)
    loop = asyncio.get_running_loop()
    try:  # The commit (an fsync) off the event loop.
      n = await loop.run_in_executor(None, store.add, body)
    except answer_store.AnswerError as e:
      return web.json_response({'error': str(e)}, status=400)
    return web.json_response({'saved': True, 'n_answers': n})

  async def answers(request):
    listener = request.query.get('listener')
    loop = asyncio.get_running_loop()
    rows = await loop.run_in_executor(None, store.answers, listener)
    return web.json_response({'n_answers': len(rows)})

  app.router.add_get('/', page)
  app.router.add_get('/listen.js', script)
  app.router.add_get('/test', trials)
  app.router.add_get('/audio/{name}', audio)
  app.router.add_post('/answer', answer)
  app.router.add_get('/answers', answers)
  return app


async def serve(app, host=DEFAULT_HOST, port=8001, print_fn=print,
                ready=None):
  """Serves the app until cancelled; `ready` (a Future) gets the bound
  (host, port)."""
  runner = web.AppRunner(app, access_log=None)
  await runner.setup()
  site = web.TCPSite(runner, host, port)
  try:
    try:
      await site.start()
    except OSError as e:
      raise listening.ListeningError(
          f'Cannot serve on {host}:{port} ({e.strerror or e}).') from e
    bound = runner.addresses[0][:2]
    print_fn(f'Listening test on http://{bound[0]}:{bound[1]}/ (answers in '
             f'{app["store"].path}; Ctrl-C stops).')
    if ready is not None:
      ready.set_result(bound)
    await asyncio.Event().wait()
  finally:
    await runner.cleanup()

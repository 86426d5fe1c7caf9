# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The live instrument's web server (aiohttp): a page, and audio over a
WebSocket.

Design: every browser tab that connects to `/ws` gets its own
`live.Engine` (its own knobs, timbre and 8 voices). The server renders that
engine's blocks just in time on the event loop's clock and sends each in
slices of `send_frames` frames (4 frames, 16 ms, by default), each slice
at its due time, as one binary WebSocket message of float32 samples
(little-endian, the model's sample rate: 16 kHz for the shipped model); the
page's AudioWorklet (`static/worklet.js`) queues them and plays them at the
same rate (the page opens its AudioContext at the model's sample rate, so
nothing is resampled). Control messages go the other way as JSON text
(`live.parse_message`). A slice sent after the page's queue would have run
dry counts as late (server-side underrun, `late_blocks`), and the page
counts its own underruns (queue empty when the sound card asks).

Latency: a note (note on or off) that arrives while a block is being sent
does not wait for the next block: the engine renders the block again from
its first unsent slice with the note in it (`Engine.rewind`: the sent
frames keep their state), at most about once a block per client (the rest
wait for the next block), so a key is heard a slice, not a block, after
it arrives, while the synth still runs one graph call per block when
nothing changes. Knob moves apply at the next block.

All TensorFlow work (building engines, tracing, rendering) runs on one
worker thread: the model's layers are shared and tracing is not
thread-safe. The event loop checks each message (`Engine.post`, one
sentence back if it is bad) and queues it on the engine, which applies it
at the start of its next block on that thread; the loop otherwise only
paces and sends, so a client
flooding messages (a burst over `rate` per second is dropped with one error
per second to that client) or sending garbage cannot stall the others.

Binds 127.0.0.1 unless told otherwise.

Example:
  >>> app = make_app(lambda: live.Engine(model, priors))   # doctest: +SKIP
  >>> serve(app, port=8000)                                # doctest: +SKIP
"""

import asyncio
import collections
import concurrent.futures
import json
import os
import time
import warnings

from aiohttp import web
import numpy as np

from interpret_ddsp.apps import live

# The app's state lives under plain string keys (app['sessions'], ...).
warnings.filterwarnings('ignore', category=web.NotAppKeyWarning)

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'static')
DEFAULT_HOST = '127.0.0.1'
# Driving the page headless (tests, benchmarks): the system Chromium
# (install.sh --test-tools) and the flags a sandboxed, offline machine needs.
CHROMIUM_FLAGS = ('--no-sandbox', '--disable-gpu', '--disable-quic',
                  '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync',
                  '--autoplay-policy=no-user-gesture-required')


def chromium_path():
  """The system Chromium's executable, or None."""
  import shutil  # pylint: disable=g-import-not-at-top
  return shutil.which('chromium') or shutil.which('chromium-browser')
RATE = 200.0  # Control messages per second a client may send (sustained).
BURST = 100  # ... and at once.
STATS_SECS = 0.5  # How often a client is told the stream's counters.
# The page queues this much audio before it starts playing: the margin a
# block may arrive late by without an underrun (and part of the latency).
PREBUFFER_SECS = 0.03
# Frames per WebSocket message of audio: the grain at which a note that
# arrives mid-block can start (Engine.rewind). None: whole blocks.
SEND_FRAMES = 4
# Messages that make the stream render its block again from the next slice.
REWIND_TYPES = ('note_on', 'note_off', 'all_notes_off')


class RateLimiter:
  """Token bucket: `allow()` is True for at most `burst` calls at once and
  `rate` per second sustained."""

  def __init__(self, rate=RATE, burst=BURST, clock=time.monotonic):
    self.rate, self.burst, self.clock = float(rate), float(burst), clock
    self.tokens, self.last = float(burst), clock()

  def allow(self):
    now = self.clock()
    self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
    self.last = now
    if self.tokens >= 1.0:
      self.tokens -= 1.0
      return True
    return False


class Session:
  """One connected client's stream counters."""

  def __init__(self):
    self.engine = None
    self.blocks_sent = 0  # Blocks rendered (rewinds not counted).
    self.slices_sent = 0  # Binary messages.
    self.rewinds = 0
    self.late_blocks = 0  # Slices sent after the page's queue ran dry.
    self.wake = asyncio.Event()  # A note was posted: rewind.
    self.render_ms = collections.deque(maxlen=200)  # Latest blocks, ms.
    self.messages = 0
    self.errors = 0
    self.dropped = 0

  def stats(self):
    ms = np.asarray(self.render_ms or [0.0])
    return {'type': 'stats', 'blocks_sent': self.blocks_sent,
            'slices_sent': self.slices_sent, 'rewinds': self.rewinds,
            'late_blocks': self.late_blocks, 'messages': self.messages,
            'errors': self.errors, 'dropped': self.dropped,
            'render_ms_mean': float(ms.mean()),
            'render_ms_max': float(ms.max())}

  def post(self, message):
    """Queues a control message on the engine (live.MessageError if
    bad); a note wakes the stream to start it within the block."""
    self.engine.post(message)
    if message.get('type') in REWIND_TYPES:
      self.wake.set()


def make_app(engine_factory, static_dir=STATIC_DIR, rate=RATE, burst=BURST,
             lead_secs=0.0, max_clients=8, prebuffer_secs=PREBUFFER_SECS,
             prewarm=1, send_frames=SEND_FRAMES):
  """The aiohttp application.

  Args:
    engine_factory: Called (on the render thread) once per client; returns
      a warmed-up live.Engine.
    static_dir: The page's files (index.html, play.js, worklet.js).
    rate, burst: Each client's control-message limit (RateLimiter).
    lead_secs: Render each block this much before its due time (0: just
      in time; more absorbs scheduling jitter at the cost of latency).
    max_clients: Connections past this are refused with a message.
    prebuffer_secs: Audio the page queues before playing (told in
      'hello'); a block sent later than its due time plus this is late.
    prewarm: Engines built (and traced) before the server answers, so the
      first players neither wait nor stall the others' streams. Engines
      are built on their own thread and return to the pool when a player
      leaves.
    send_frames: Frames per audio message, the grain a note arriving
      mid-block starts at (a divisor of the engine's block is best); None:
      whole blocks, a note waits for the next one (the design before).

  Returns:
    web.Application; app['sessions'] lists the live Sessions.
  """
  app = web.Application()
  app['sessions'] = []
  executor = concurrent.futures.ThreadPoolExecutor(
      max_workers=1, thread_name_prefix='interpret-ddsp-render')
  # Building an engine traces its graph (seconds): on a thread of its own,
  # so that the streams on the render thread go on meanwhile.
  builder = concurrent.futures.ThreadPoolExecutor(
      max_workers=1, thread_name_prefix='interpret-ddsp-build')
  app['executor'] = executor
  app['pool'] = []  # Idle, warmed-up engines.

  async def on_startup(app_):
    loop = asyncio.get_running_loop()
    for _ in range(int(prewarm)):
      app_['pool'].append(await loop.run_in_executor(builder, engine_factory))

  async def on_cleanup(app_):
    app_['executor'].shutdown(wait=False, cancel_futures=True)
    builder.shutdown(wait=False, cancel_futures=True)

  app.on_startup.append(on_startup)
  app.on_cleanup.append(on_cleanup)

  async def index(request):
    del request
    return web.FileResponse(os.path.join(static_dir, 'index.html'))

  async def websocket(request):
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=64 * 1024)
    await ws.prepare(request)
    if len(app['sessions']) >= max_clients:
      await ws.send_json({'type': 'error', 'message':
                          f'The server plays for at most {max_clients} '
                          'clients at once; close another tab.'})
      await ws.close()
      return ws
    loop = asyncio.get_running_loop()
    session = Session()
    app['sessions'].append(session)
    try:
      if app['pool']:
        engine = app['pool'].pop()
      else:
        engine = await loop.run_in_executor(builder, engine_factory)
      session.engine = engine
      frames = min(int(send_frames or engine.block_frames),
                   engine.block_frames)
      await ws.send_json(dict(engine.describe(), type='hello',
                              prebuffer_secs=prebuffer_secs,
                              send_frames=frames,
                              send_samples=frames * engine.hop_size))
      streamer = asyncio.ensure_future(
          _stream(ws, engine, session, executor, lead_secs, prebuffer_secs,
                  frames))
      try:
        await _receive(ws, engine, session, rate, burst)
      finally:
        streamer.cancel()
        try:
          await streamer
        except (asyncio.CancelledError, ConnectionResetError):
          pass
    finally:
      app['sessions'].remove(session)
      if session.engine is not None:
        engine = session.engine
        session.engine = None
        # Reset on the render thread (no render of it is in flight now).
        await loop.run_in_executor(executor, engine.reset_player)
        app['pool'].append(engine)
    return ws

  app.router.add_get('/', index)
  app.router.add_get('/ws', websocket)
  app.router.add_static('/static/', static_dir)
  return app


async def _receive(ws, engine, session, rate, burst):
  """Queues the client's control messages on its engine until it
  disconnects."""
  try:
    await _receive_messages(ws, engine, session, rate, burst)
  except ConnectionResetError:
    pass  # The client left while we answered it.


async def _receive_messages(ws, engine, session, rate, burst):
  limiter = RateLimiter(rate, burst)
  last_drop_note = -1e9
  async for msg in ws:
    if msg.type != web.WSMsgType.TEXT:
      if msg.type == web.WSMsgType.BINARY:
        session.errors += 1
        await ws.send_json({'type': 'error', 'message':
                            'Control messages are JSON text, not binary.'})
      continue
    session.messages += 1
    if not limiter.allow():
      session.dropped += 1
      now = time.monotonic()
      if now - last_drop_note > 1.0:
        last_drop_note = now
        await ws.send_json({'type': 'error', 'message':
                            f'Too many messages: over {rate:g} per second '
                            'are dropped.'})
      continue
    try:
      message = json.loads(msg.data)
    except ValueError as e:
      session.errors += 1
      await ws.send_json({'type': 'error',
                          'message': f'Not JSON ({e.msg}).'})
      continue
    try:
      session.post(message)  # Applied on the render thread.
    except live.MessageError as e:
      session.errors += 1
      await ws.send_json({'type': 'error', 'message': str(e)})


async def _stream(ws, engine, session, executor, lead_secs, prebuffer_secs,
                  send_frames):
  """Renders the engine's blocks and sends them in slices of send_frames
  frames, each at its due time minus lead_secs; a posted note (session.wake)
  renders the block again from its first unsent slice (Engine.rewind), at
  most about once per block."""
  loop = asyncio.get_running_loop()
  sr = engine.sample_rate
  hop = engine.hop_size
  piece = send_frames * hop
  rewinds = RateLimiter(rate=sr / engine.block_samples, burst=2,
                        clock=loop.time)
  start = loop.time()
  next_stats = start
  samples = 0  # Samples sent.
  pending = np.zeros(0, np.float32)  # The block's samples not yet sent.
  sent_frames = 0  # Frames of the current block sent.

  async def render(fn, *args):
    session.wake.clear()  # What is posted from here on wakes it again.
    t0 = time.perf_counter()
    audio = await loop.run_in_executor(executor, fn, *args)
    session.render_ms.append(1000.0 * (time.perf_counter() - t0))
    return audio

  # The page plays sample s at anchor + prebuffer + (s - anchor_sample) /
  # sr: from the first slice on, and again after an underrun (it waits for
  # a new prebuffer then, as the worklet does; the worklet's dropping of a
  # margin that stood unused, in silence, is not mirrored here).
  anchor = anchor_sample = None
  while not ws.closed:
    delay = start + samples / sr - lead_secs - loop.time()
    if not len(pending):
      if delay > 0:
        await asyncio.sleep(delay)
      pending, sent_frames = await render(engine.render_block), 0
      session.blocks_sent += 1
      continue
    if delay > 0 and not session.wake.is_set():
      try:
        await asyncio.wait_for(session.wake.wait(), delay)
      except asyncio.TimeoutError:
        pass
    if session.wake.is_set():
      if rewinds.allow():
        pending = await render(engine.rewind, sent_frames)
        session.rewinds += 1
        continue
      session.wake.clear()  # Over budget: the note waits for the next block.
      continue
    if ws.closed:
      break
    now = loop.time()
    if anchor is None:
      anchor, anchor_sample = now, samples
    elif now > anchor + prebuffer_secs + (samples - anchor_sample) / sr:
      session.late_blocks += 1  # The page's queue ran dry before it.
      anchor, anchor_sample = now, samples
    out, pending = pending[:piece], pending[piece:]
    await ws.send_bytes(np.ascontiguousarray(out, '<f4').tobytes())
    samples += len(out)
    sent_frames += len(out) // hop
    session.slices_sent += 1
    while engine.replies:
      await ws.send_json(engine.replies.popleft())
    if loop.time() >= next_stats:
      next_stats = loop.time() + STATS_SECS
      await ws.send_json(dict(session.stats(), voices=engine.sounding))


async def broadcast(app, message):
  """Applies a controller's message (OSC, MIDI) to every connected
  player's engine; a refused message is counted in app['input_errors']
  and its sentence kept in app['input_log']."""
  if message.get('type') == 'error':
    errors_ = [message['message']]
  else:
    errors_ = []
    for session in list(app['sessions']):
      if session.engine is None:
        continue
      try:
        session.post(message)
      except live.MessageError as e:
        errors_.append(str(e))
        break  # Every engine refuses it alike.
  app['input_errors'] = app.get('input_errors', 0) + len(errors_)
  app.setdefault('input_log', []).extend(errors_)
  del app['input_log'][:-100]


def thread_dispatcher(app, loop):
  """dispatch(message) callable from any thread (mido's, OSC's): the
  message is broadcast on `loop`."""
  def dispatch(message):
    loop.call_soon_threadsafe(
        lambda: asyncio.ensure_future(broadcast(app, message)))
  return dispatch


async def serve(app, host=DEFAULT_HOST, port=8000, osc_port=None,
                midi_port=None, cc_map=None, print_fn=print, ready=None):
  """Serves the app (and OSC / MIDI inputs when asked) until cancelled.

  Args:
    app: From make_app.
    host, port: Where the page is served (port 0: any free port).
    osc_port: UDP port for OSC on the same host, or None.
    midi_port: MIDI input name, '' for the first one, or None.
    cc_map: From live_inputs.load_cc_map (None: its default).
    print_fn: Called with a line per input opened.
    ready: An asyncio.Future set to the bound (host, port) once serving.
  """
  from interpret_ddsp.apps import live_inputs  # pylint: disable=g-import-not-at-top
  loop = asyncio.get_running_loop()
  runner = web.AppRunner(app, access_log=None)
  await runner.setup()
  site = web.TCPSite(runner, host, port)
  closers = []
  try:
    try:
      await site.start()
    except OSError as e:
      raise live_inputs.InputError(f'Cannot serve on {host}:{port} '
                                   f'({e.strerror or e}).') from e
    bound = runner.addresses[0][:2]
    print_fn(f'Playing on http://{bound[0]}:{bound[1]}/ (Ctrl-C stops).')
    dispatch = thread_dispatcher(app, loop)
    if osc_port is not None:
      transport = await live_inputs.start_osc(
          lambda m: asyncio.ensure_future(broadcast(app, m)), host, osc_port)
      closers.append(transport.close)
      app['osc_port'] = osc_port
      print_fn(f'OSC on udp://{host}:{osc_port} (/note/on, /knob/<name>, '
               '...).')
    if midi_port is not None:
      port_ = live_inputs.open_midi(dispatch, midi_port or None,
                                    cc_map or live_inputs.DEFAULT_CC_MAP)
      closers.append(port_.close)
      print_fn(f'MIDI from {port_.name}.')
    if ready is not None:
      ready.set_result(bound)
    await asyncio.Event().wait()  # Until cancelled.
  finally:
    for close in closers:
      close()
    await runner.cleanup()


class Background:
  """Serves an app on its own thread and event loop (tests, notebooks):

    with Background(app) as server:        # 127.0.0.1, a free port
      url = server.url
  """

  def __init__(self, app, host=DEFAULT_HOST, port=0, osc_port=None,
               timeout=120.0, serve_fn=None):
    """serve_fn: another app's serve(app, host, port, print_fn, ready)
    (e.g. listen_server.serve); None: this module's (with osc_port)."""
    import threading  # pylint: disable=g-import-not-at-top
    self.app = app
    self.loop = asyncio.new_event_loop()
    self._ready = self.loop.create_future()
    self._error = None
    kwargs = dict(host=host, port=port, print_fn=lambda line: None,
                  ready=self._ready)
    if serve_fn is None:
      serve_fn = serve
      kwargs['osc_port'] = osc_port

    def run():
      asyncio.set_event_loop(self.loop)
      self._task = self.loop.create_task(serve_fn(app, **kwargs))
      try:
        self.loop.run_until_complete(self._task)
      except asyncio.CancelledError:
        pass
      except Exception as e:  # pylint: disable=broad-except
        self._error = e
        if not self._ready.done():
          self._ready.set_exception(e)
      finally:
        self.loop.close()

    self._thread = threading.Thread(target=run, daemon=True,
                                    name='interpret-ddsp-live')
    self._thread.start()
    deadline = time.monotonic() + timeout
    while not self._ready.done():
      if time.monotonic() > deadline or not self._thread.is_alive():
        raise RuntimeError(f'The live server did not start ({self._error}).')
      time.sleep(0.02)
    self.host, self.port = self._ready.result()
    self.url = f'http://{self.host}:{self.port}/'

  def call(self, coro, timeout=60.0):
    """Runs a coroutine on the server's loop; returns its result."""
    return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

  def stop(self):
    if self._thread.is_alive():
      self.loop.call_soon_threadsafe(self._task.cancel)
      self._thread.join(30)

  def __enter__(self):
    return self

  def __exit__(self, *exc):
    self.stop()

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The live instrument's speed and latency (issue 17's targets).

1. Server-side time per block and real-time factor against the number of
   voices sounding, on one core (the process pinned with
   os.sched_setaffinity), for 16- and 4-frame blocks, with and without XLA;
   CPU per voice = the 8-voice block's CPU time over 8, as a share of the
   block's duration. Side by side: the same voices rendered one
   StreamingSynth per voice (the design before batching), in the same run.
2. A long run (--secs, default 60) through the real server and a loopback
   WebSocket client with 8 voices held: blocks received (in samples over
   a block), slices late (the page's queue would have run dry) and the
   arrival jitter between slices.
3. End-to-end latency in headless Chromium: key event -> the note's first
   samples at the page (arrival) and -> their playout by the AudioWorklet
   (its queue; the AudioContext's output timestamp maps the sample to the
   moment the device plays it, output latency included), median and
   spread over --presses presses, per block size, --rounds times; at 16
   frames side by side with whole-block sending (a note waits for the next
   block: the design before notes started mid-block); the browser and the
   server share the machine's cores.
4. Every shipped model (`shipped.MODELS`: the 16 kHz default and the 48
   kHz violin) side by side, part 1's 16-frame XLA blocks at 1 and 8
   voices, the models' rounds interleaved: what 3x the samples costs
   live (--parts models).

  .venv/bin/python benchmarks/live.py            # writes results/live.json
"""

import argparse
import asyncio
import json
import os
import resource
import time

import numpy as np

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp.apps import live
from interpret_ddsp.apps import live_server
from interpret_ddsp.generation import streaming
from interpret_ddsp.training import shipped
import bench_common  # pylint: disable=g-bad-import-order  # benchmarks/

HERE = os.path.dirname(os.path.abspath(__file__))
SR = 16000  # The shipped model's sample rate.


def _cpu():
  r = resource.getrusage(resource.RUSAGE_SELF)
  return r.ru_utime + r.ru_stime


def block_times(make, voices=(1, 2, 4, 8), n_blocks=100, rounds=3):
  """ms per block (median of rounds, and their spread) per voice count."""
  engine = make()
  out = {}
  for n in voices:
    engine.reset_player()
    for p in range(n):
      engine.note_on(60 + 2 * p, 100)
    for _ in range(5):
      engine.render_block()
    per_round, cpu_round = [], []
    for _ in range(rounds):
      t0, c0 = time.perf_counter(), _cpu()
      for _ in range(n_blocks):
        engine.render_block()
      per_round.append(1000 * (time.perf_counter() - t0) / n_blocks)
      cpu_round.append(1000 * (_cpu() - c0) / n_blocks)
    block_ms = 1000 * engine.block_samples / engine.sample_rate
    ms = float(np.median(per_round))
    out[n] = {'ms_per_block': ms, 'rounds_ms': per_round,
              'cpu_ms_per_block': float(np.median(cpu_round)),
              'real_time_factor': block_ms / ms, 'block_ms': block_ms}
  return out


def shipped_models(voices=(1, 8), rounds=3):
  """Part 1's block times for every shipped model, side by side: each
  round times every model once, so a busy spell hits them alike."""
  makes = {}
  for name in shipped.MODELS:
    save_dir, prior, _ = shipped.resolve(model=name)
    makes[name] = live.engine_factory(save_dir, prior, block_frames=16)
  rows = {name: [] for name in makes}
  for _ in range(rounds):
    for name, make in makes.items():
      rows[name].append(block_times(make, voices, rounds=1))
  out = {}
  for name, per_round in rows.items():
    out[name] = {'sample_rate': makes[name].loaded.sample_rate}
    for n in voices:
      ms = [r[n]['ms_per_block'] for r in per_round]
      out[name][n] = {'ms_per_block': float(np.median(ms)), 'rounds_ms': ms,
                      'block_ms': per_round[0][n]['block_ms'],
                      'real_time_factor': per_round[0][n]['block_ms'] /
                                          float(np.median(ms))}
  base = out[shipped.DEFAULT_MODEL]
  for name in out:
    for n in voices:
      out[name][n]['x_default'] = (out[name][n]['ms_per_block'] /
                                   base[n]['ms_per_block'])
    print(f'{name} ({out[name]["sample_rate"]} Hz): ' + ', '.join(
        f'{n} voices {out[name][n]["ms_per_block"]:.2f} ms '
        f'({out[name][n]["real_time_factor"]:.1f}x real time, '
        f'{out[name][n]["x_default"]:.2f}x the default)' for n in voices))
  return out


def one_synth_per_voice(model, block_frames, jit, n=8, n_blocks=50):
  """ms per block for n single-voice StreamingSynths (the unbatched way)."""
  synths = [streaming.StreamingSynth(model, block_frames, jit_compile=jit)
            for _ in range(n)]
  for s in synths:
    s.warm_up()
  z = np.zeros(model.z_dims, np.float32)
  f0 = np.full(block_frames, 261.6, np.float32)
  ld = np.full(block_frames, -30.0, np.float32)
  t0 = time.perf_counter()
  for _ in range(n_blocks):
    for s in synths:
      s.process(f0, ld, z)
  return 1000 * (time.perf_counter() - t0) / n_blocks


def long_run(make, secs):
  """8 voices held for `secs` through the server and a loopback client."""
  import aiohttp  # pylint: disable=g-import-not-at-top
  app = live_server.make_app(make, prewarm=1)
  with live_server.Background(app) as server:
    async def run():
      arrivals = []
      async with aiohttp.ClientSession() as session:
        async with session.ws_connect(server.url + 'ws') as ws:
          hello = await ws.receive_json(timeout=120)
          for p in range(8):
            await ws.send_json({'type': 'note_on', 'pitch': 55 + 3 * p,
                                'velocity': 100})
          stats = {}
          end = time.monotonic() + secs
          while time.monotonic() < end:
            msg = await ws.receive(timeout=10)
            if msg.type == aiohttp.WSMsgType.BINARY:
              arrivals.append((time.monotonic(), len(msg.data) // 4))
            elif msg.type == aiohttp.WSMsgType.TEXT:
              m = json.loads(msg.data)
              if m['type'] == 'stats':
                stats = m
      return hello, arrivals, stats
    hello, arrivals, stats = asyncio.run(run())
  block_secs = hello['block_samples'] / hello['sample_rate']
  gaps = np.diff([t for t, _ in arrivals])
  samples = sum(n for _, n in arrivals)
  return {'secs': secs, 'blocks': samples / hello['block_samples'],
          'expected_blocks': secs / block_secs,
          'messages': len(arrivals), 'send_samples': hello['send_samples'],
          'late_blocks': stats.get('late_blocks'),
          'voices': stats.get('voices'),
          'render_ms_mean': stats.get('render_ms_mean'),
          'render_ms_max': stats.get('render_ms_max'),
          'gap_ms_p50': float(np.median(gaps) * 1000),
          'gap_ms_max': float(gaps.max() * 1000)}


def browser_latency(make, presses, send_frames=live_server.SEND_FRAMES):
  """Key -> first sound at the page, ms (arrival and playout); audio sent
  in slices of send_frames (None: whole blocks, a note waits for the next
  block)."""
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  chromium = live_server.chromium_path()
  app = live_server.make_app(make, prewarm=1, send_frames=send_frames)
  with live_server.Background(app) as server:
    with sync_playwright() as p:
      browser = p.chromium.launch(executable_path=chromium,
                                  args=list(live_server.CHROMIUM_FLAGS))
      page = browser.new_page()
      page.goto(server.url)
      page.wait_for_function('window.live && window.live.hello',
                             timeout=60000)
      page.click('#start')
      page.wait_for_function('window.live.worklet.played > 0', timeout=30000)
      time.sleep(1.0)
      rng = np.random.default_rng(0)
      for _ in range(presses):
        page.keyboard.down('g')
        time.sleep(0.35)
        page.keyboard.up('g')
        time.sleep(0.35 + float(rng.uniform(0, 0.1)))  # Phase vs blocks.
      time.sleep(0.6)
      r = json.loads(page.evaluate(
          'JSON.stringify({lat: window.live.latencies, w: window.live.worklet,'
          ' s: window.live.serverStats, out: window.live.ctx.outputLatency,'
          ' base: window.live.ctx.baseLatency,'
          ' queued: window.live.worklet.queued})'))
      browser.close()
  summary = lambda a: {'median': float(np.median(a)),
                       'p10': float(np.percentile(a, 10)),
                       'p90': float(np.percentile(a, 90)), 'n': len(a)}
  return {'arrival_ms': summary(r['lat']['arrival_ms']),
          'playout_ms': summary(r['lat']['playout_ms']),
          'page_underruns': r['w']['underruns'],
          'page_queue_ms_at_end': 1000 * r['queued'] / SR,
          'page_skipped_ms': 1000 * (r['w'].get('skipped') or 0) / SR,
          'page_trimmed_ms': 1000 * (r['w'].get('trimmed') or 0) / SR,
          'late_blocks': r['s'].get('late_blocks'),
          'rewinds': r['s'].get('rewinds'),
          'send_frames': send_frames,
          'context_output_latency_ms': 1000 * (r['out'] or 0),
          'context_base_latency_ms': 1000 * (r['base'] or 0)}


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--secs', type=float, default=60.0)
  parser.add_argument('--presses', type=int, default=20)
  parser.add_argument('--rounds', type=int, default=3,
                      help='latency rounds per design (a fresh server and '
                      'browser each)')
  parser.add_argument('--out', default=os.path.join(HERE, 'results',
                                                    'live.json'))
  parser.add_argument('--parts', default='blocks,long_run,latency,models',
                      help='which parts to run (the others are kept from '
                      '--out)')
  args = parser.parse_args()
  parts = set(args.parts.split(','))
  result = {'blocks': {}, 'long_run': {}, 'latency': {}, 'models': {}}
  if parts != {'blocks', 'long_run', 'latency', 'models'} and os.path.exists(
      args.out):
    with open(args.out) as f:
      result.update(json.load(f))
  result['cpu'] = bench_common.cpu_name()
  cores = sorted(os.sched_getaffinity(0))
  os.sched_setaffinity(0, cores[:1])  # 1. on one core.
  for frames in ((16, 4) if 'blocks' in parts else ()):
    for jit in (True, False):
      make = live.engine_factory(block_frames=frames, jit_compile=jit)
      key = f'{frames}_frames_{"xla" if jit else "no_xla"}'
      times = block_times(make)
      times['8_single_synths_ms'] = one_synth_per_voice(
          make.loaded.model, frames, jit)
      result['blocks'][key] = times
      eight = times[8]
      print(f'{key}: ' + ', '.join(
          f'{n} voices {times[n]["ms_per_block"]:.2f} ms '
          f'({times[n]["real_time_factor"]:.1f}x)' for n in (1, 2, 4, 8)) +
            f'; 8 single synths {times["8_single_synths_ms"]:.2f} ms; CPU '
            f'per voice {100 * eight["cpu_ms_per_block"] / 8 / eight["block_ms"]:.1f}%')
  if 'models' in parts:  # 4. on one core, rounds interleaved.
    result['models'] = shipped_models()
  for frames in (16, 4):  # 2. on one core, 3. on all.
    make = live.engine_factory(block_frames=frames)
    key = f'{frames}_frames_xla'
    if 'long_run' in parts:
      os.sched_setaffinity(0, cores[:1])
      result['long_run'][key] = run_ = long_run(make, args.secs)
      print(f'{key} long run: {run_["blocks"]} blocks of '
            f'{run_["expected_blocks"]:.0f}, late slices {run_["late_blocks"]}, '
            f'render {run_["render_ms_mean"]:.1f} ms mean, '
            f'{run_["render_ms_max"]:.1f} max')
    os.sched_setaffinity(0, cores)  # The browser and server side by side.
    if 'latency' in parts and live_server.chromium_path():
      # Side by side: slices with notes started mid-block (play's default)
      # and whole blocks (a note waits for the next block), one after the
      # other on the same engine factory, --rounds times.
      designs = (((live_server.SEND_FRAMES, key),
                  (None, key + '_whole_blocks'))
                 if frames > live_server.SEND_FRAMES else ((None, key),))
      for send, name in designs:
        rounds = [browser_latency(make, args.presses, send)
                  for _ in range(args.rounds)]
        lat = dict(rounds[-1], rounds=[
            {k: r[k] for k in ('arrival_ms', 'playout_ms', 'page_underruns',
                               'page_trimmed_ms', 'page_queue_ms_at_end',
                               'late_blocks', 'rewinds')} for r in rounds])
        for what in ('arrival_ms', 'playout_ms'):
          lat[what] = dict(lat[what], median_of_rounds=[
              r[what]['median'] for r in rounds])
        result['latency'][name] = lat
        print(f'{name} latency: arrival medians ' + ', '.join(
            f'{m:.1f}' for m in lat['arrival_ms']['median_of_rounds']) +
              ' ms; playout medians ' + ', '.join(
                  f'{m:.1f}' for m in lat['playout_ms']['median_of_rounds'])
              + f' ms; underruns {[r["page_underruns"] for r in rounds]}, '
              f'trimmed ms {[round(r["page_trimmed_ms"]) for r in rounds]}')
  os.sched_setaffinity(0, cores)
  bench_common.write_result(result, args.out)


if __name__ == '__main__':
  main()

// The live instrument's page: controls -> JSON over the WebSocket; audio
// blocks (float32) -> the AudioWorklet. window.live exposes state for the
// browser tests (latencies, received samples, counters).
'use strict';
const live = window.live = {
  hello: null, ws: null, ctx: null, node: null, errors: [], replies: [],
  latencies: {arrival_ms: [], playout_ms: []}, received: 0,
  capture: new Float32Array(16000 * 8), captureWrite: 0,
  worklet: {queued: 0, underruns: 0, played: 0}, serverStats: {},
  probeId: 0, probes: {}, octave: 0,
};
const $ = (id) => document.getElementById(id);
// The last n samples the page received, oldest first (for the tests).
live.tail = (n) => {
  const out = new Array(n), size = live.capture.length;
  for (let i = 0; i < n; i++) out[i] = live.capture[(live.captureWrite - n + i + size) % size];
  return out;
};
const PROBE_THRESHOLD = 1e-3;

function send(message) {
  if (live.ws && live.ws.readyState === WebSocket.OPEN) live.ws.send(JSON.stringify(message));
}

function showError(text) { $('error').textContent = text; live.errors.push(text); }

function connect() {
  const ws = live.ws = new WebSocket(`ws://${location.host}/ws`);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') return onJson(JSON.parse(e.data));
    const block = new Float32Array(e.data);
    live.received += block.length;
    for (let i = 0; i < block.length; i++) {
      live.capture[live.captureWrite] = block[i];
      live.captureWrite = (live.captureWrite + 1) % live.capture.length;
    }
    const message = {type: 'block', samples: block};
    const pending = Object.values(live.probes).find((p) => p.arrival === undefined);
    if (pending) {
      let loud = false;
      for (let i = 0; i < block.length; i++) if (Math.abs(block[i]) > PROBE_THRESHOLD) { loud = true; break; }
      if (loud) {
        pending.arrival = performance.now();
        live.latencies.arrival_ms.push(pending.arrival - pending.t0);
        Object.assign(message, {probe: pending.id, threshold: PROBE_THRESHOLD});
      }
    }
    if (live.node) live.node.port.postMessage(message, [block.buffer]);
  };
  ws.onclose = () => { $('stats').textContent = 'disconnected'; };
}

function onJson(m) {
  if (m.type === 'hello') { live.hello = m; buildControls(m); }
  else if (m.type === 'error') showError(m.message);
  else if (m.type === 'stats') { live.serverStats = m; showStats(); }
  else if (m.type === 'knobs') {
    for (const [k, v] of Object.entries(m.knobs)) setSlider('knob', k, v);
    for (const [k, v] of Object.entries(m.expression || {})) setSlider('expression', k, v);
  }
  live.replies.push(m);
}

// kind: 'knob' or 'expression' (the slider's data attribute).
function setSlider(kind, name, value) {
  const input = document.querySelector(`input[data-${kind}="${name}"]`);
  if (!input) return;
  input.value = value;
  input.parentElement.querySelector('.value').textContent = (+value).toFixed(2);
}

function buildExpression(h) {
  // One slider per field of the notes' profile (live.EXPRESSION_CONTROLS),
  // for the notes played after it moves.
  const box = $('expression');
  box.innerHTML = '';
  for (const [name, c] of Object.entries(h.expression || {})) {
    const [lo, hi] = c.range, value = h.expression_values[name];
    const div = document.createElement('div');
    div.className = 'knob';
    div.innerHTML = `<label for="expr_${name}">${name.replace(/_(cents|hz|secs)$/, '').replace(/_/g, ' ')} <span class="value">${value.toFixed(2)}</span></label>
      <input type="range" id="expr_${name}" data-expression="${name}" min="${lo}" max="${hi}" step="${(hi - lo) / 200}" value="${value}" style="background: #eee">
      <small>${c.unit}; next notes</small>`;
    div.querySelector('input').addEventListener('input', (e) => {
      div.querySelector('.value').textContent = (+e.target.value).toFixed(2);
      send({type: 'expression', name, value: +e.target.value});
    });
    box.appendChild(div);
  }
}

function buildControls(h) {
  buildExpression(h);
  const knobs = $('knobs');
  knobs.innerHTML = '';
  for (const k of h.knobs) {
    const [lo, hi] = k.trained_range;
    const span = 2 * k.limit;
    const left = 100 * (lo + k.limit) / span, width = 100 * (hi - lo) / span;
    const div = document.createElement('div');
    div.className = 'knob';
    div.innerHTML = `<label for="knob_${k.name}">${k.name} <span class="value">0.00</span></label>
      <input type="range" id="knob_${k.name}" data-knob="${k.name}" min="${-k.limit}" max="${k.limit}" step="0.01" value="${h.values[k.name] || 0}"
        style="background: linear-gradient(to right, #eee ${left}%, #cde ${left}%, #cde ${left + width}%, #eee ${left + width}%)">
      <small>${k.descriptor} (${k.unit}), std units; trained ${lo.toFixed(1)} to ${hi.toFixed(1)}</small>`;
    div.querySelector('input').addEventListener('input', (e) => {
      div.querySelector('.value').textContent = (+e.target.value).toFixed(2);
      send({type: 'knob', name: k.name, value: +e.target.value});
    });
    knobs.appendChild(div);
  }
  const moods = $('moods');
  moods.innerHTML = 'Moods: ';
  for (const [name, description] of Object.entries(h.moods)) {
    const b = document.createElement('button');
    b.textContent = name; b.title = description; b.dataset.mood = name;
    b.onclick = () => send({type: 'mood', name});
    moods.appendChild(b);
  }
  const select = $('instrument');
  select.innerHTML = '';
  for (const name of h.instruments) {
    const o = document.createElement('option');
    o.value = name; o.textContent = name || 'every instrument';
    select.appendChild(o);
  }
  select.value = h.instrument;
  select.onchange = () => send({type: 'instrument', name: select.value});
  // 'profile': the sliders' (or a mood's) expression; 'learned': each note
  // drawn from the model's expression model (when it has one).
  const source = $('expression_source');
  source.innerHTML = '';
  for (const name of h.expression_sources || ['profile']) {
    const o = document.createElement('option');
    o.value = name;
    o.textContent = name === 'learned' ? 'learned, per note' : 'the sliders';
    source.appendChild(o);
  }
  source.value = h.expression_source || 'profile';
  source.onchange = () => send({type: 'expression_source', name: source.value});
  $('new_timbre').onclick = () => send({type: 'new_timbre'});
  showStats();
}

async function startAudio() {
  if (live.ctx) return;
  const h = live.hello;
  const ctx = live.ctx = new AudioContext({sampleRate: h.sample_rate, latencyHint: 'interactive'});
  await ctx.audioWorklet.addModule('/static/worklet.js');
  live.node = new AudioWorkletNode(ctx, 'block-player', {
    outputChannelCount: [1],
    processorOptions: {prebufferSamples: Math.round(h.prebuffer_secs * h.sample_rate),
                       bufferSamples: h.sample_rate * 4}});
  live.node.port.onmessage = (e) => {
    const m = e.data;
    if (m.type === 'status') { live.worklet = m; showStats(); }
    else if (m.type === 'onset' && live.probes[m.id]) {
      const ts = ctx.getOutputTimestamp();
      const perfAt = ts.performanceTime + (m.time - ts.contextTime) * 1000;
      const p = live.probes[m.id];
      // getOutputTimestamp maps context time to the moment the device
      // outputs it: the output latency is already in perfAt.
      p.playout = perfAt;
      live.latencies.playout_ms.push(p.playout - p.t0);
      delete live.probes[m.id];
    }
  };
  live.node.connect(ctx.destination);
  await ctx.resume();
  $('start').textContent = 'Sound on';
}

function median(a) { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; }

function showStats() {
  const s = live.serverStats, w = live.worklet, h = live.hello || {};
  $('stats').textContent =
    `block ${h.block_frames} frames (${(1000 * h.block_samples / h.sample_rate).toFixed(0)} ms), ` +
    `sent in ${(1000 * (h.send_samples || h.block_samples) / h.sample_rate).toFixed(0)} ms slices, ` +
    `synth lookahead+block ${(h.algorithmic_latency_ms || 0).toFixed(0)} ms\n` +
    `latency key->first sound: arrival ${median(live.latencies.arrival_ms).toFixed(1)} ms, ` +
    `playout ${median(live.latencies.playout_ms).toFixed(1)} ms (median of ${live.latencies.playout_ms.length})\n` +
    `page underruns ${w.underruns}, queued ${(1000 * w.queued / (h.sample_rate || 1)).toFixed(0)} ms, ` +
    `skipped ${(1000 * (w.skipped || 0) / (h.sample_rate || 1)).toFixed(0)} ms (silence given back ${(1000 * (w.trimmed || 0) / (h.sample_rate || 1)).toFixed(0)} ms)\n` +
    `server blocks ${s.blocks_sent || 0} (notes started mid-block ${s.rewinds || 0}), late slices ${s.late_blocks || 0}, render ${(s.render_ms_mean || 0).toFixed(1)} ms/block, ` +
    `voices ${s.voices || 0}, dropped messages ${s.dropped || 0}`;
}

// --- Notes: on-screen keyboard, computer keyboard, Web MIDI --------------
const held = new Set();
function noteOn(pitch, velocity = 100) {
  if (held.has(pitch)) return;
  held.add(pitch);
  const id = ++live.probeId;
  live.probes[id] = {id, t0: performance.now()};
  for (const k of Object.keys(live.probes)) if (+k < id) delete live.probes[k];
  send({type: 'note_on', pitch, velocity});
  const key = document.querySelector(`.key[data-pitch="${pitch}"]`);
  if (key) key.classList.add('down');
}
function noteOff(pitch) {
  if (!held.delete(pitch)) return;
  send({type: 'note_off', pitch});
  const key = document.querySelector(`.key[data-pitch="${pitch}"]`);
  if (key) key.classList.remove('down');
}
live.noteOn = noteOn; live.noteOff = noteOff;

function buildKeyboard() {
  const kb = $('keyboard');
  const whites = [0, 2, 4, 5, 7, 9, 11];
  let x = 0;
  for (let pitch = 48; pitch <= 84; pitch++) {
    const pc = pitch % 12, white = whites.includes(pc);
    const key = document.createElement('div');
    key.className = 'key ' + (white ? 'white' : 'black');
    key.dataset.pitch = pitch;
    if (white) { key.style.left = `${x}px`; x += 38; } else key.style.left = `${x - 12}px`;
    if (pc === 0) key.innerHTML = `<span>C${pitch / 12 - 1}</span>`;
    key.addEventListener('pointerdown', (e) => { e.preventDefault(); startAudio(); noteOn(pitch); });
    key.addEventListener('pointerup', () => noteOff(pitch));
    key.addEventListener('pointerleave', () => noteOff(pitch));
    kb.appendChild(key);
  }
}

const KEYMAP = {a: 0, w: 1, s: 2, e: 3, d: 4, f: 5, t: 6, g: 7, y: 8, h: 9, u: 10, j: 11, k: 12};
document.addEventListener('keydown', (e) => {
  if (e.repeat || e.target.tagName === 'INPUT' && e.target.type !== 'range') return;
  const key = e.key.toLowerCase();
  if (key === 'z') { live.octave = Math.max(-3, live.octave - 1); return; }
  if (key === 'x') { live.octave = Math.min(3, live.octave + 1); return; }
  if (key in KEYMAP) { startAudio(); noteOn(60 + 12 * live.octave + KEYMAP[key]); }
});
document.addEventListener('keyup', (e) => {
  const key = e.key.toLowerCase();
  if (key in KEYMAP) noteOff(60 + 12 * live.octave + KEYMAP[key]);
});

async function connectMidi() {
  if (!navigator.requestMIDIAccess) { $('midi_status').textContent = 'Web MIDI: not in this browser'; return; }
  try {
    const access = await navigator.requestMIDIAccess();
    const bind = () => {
      let n = 0;
      for (const input of access.inputs.values()) {
        n++;
        input.onmidimessage = (e) => {
          const [status, a, b] = e.data, cmd = status & 0xf0;
          if (cmd === 0x90 && b > 0) { startAudio(); noteOn(a, b); }
          else if (cmd === 0x80 || (cmd === 0x90 && b === 0)) noteOff(a);
        };
      }
      $('midi_status').textContent = `Web MIDI: ${n} input(s)`;
    };
    bind();
    access.onstatechange = bind;
  } catch (err) {
    $('midi_status').textContent = 'Web MIDI: not allowed';
  }
}

$('start').onclick = () => startAudio();
buildKeyboard();
connect();
connectMidi();

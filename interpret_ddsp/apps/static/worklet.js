// The live instrument's player: queues the float32 blocks the server
// streams and hands them to the sound card, 128 samples per render quantum.
// Counts underruns (the card asked and the queue was empty after playing
// began) and reports the first loud sample of a probed block (latency).
//
// Latency adapts: an underrun starts playing again a prebuffer behind the
// late block (the margin grows where the stream proved jittery), and a
// margin that stood unused for TRIM_SECS (the queue never fell below
// prebuffer + one render quantum) is given back by dropping the excess,
// only where it is silent (below SILENT), so no note is cut.
const TRIM_SECS = 2.0;
const SILENT = 1e-3;

class BlockPlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = options.processorOptions || {};
    this.size = opts.bufferSamples || 65536;
    this.ring = new Float32Array(this.size);
    this.read = 0;
    this.write = 0;
    this.queued = 0;
    this.prebuffer = opts.prebufferSamples || 512;
    this.pad = 0;
    this.playing = false;
    this.underruns = 0;
    this.skipped = 0;  // Samples dropped to keep the latency down.
    this.trimmed = 0;  // ... of them, silence dropped after a calm spell.
    this.minQueued = Infinity;  // The queue's low mark since windowStart.
    this.windowStart = 0;
    this.played = 0;
    this.probes = [];  // [{id, at (ring sample index, absolute), threshold}]
    this.written = 0;  // Samples ever queued.
    this.lastReport = 0;
    this.port.onmessage = (e) => this.onMessage(e.data);
  }

  onMessage(data) {
    if (data.type === 'block') {
      const block = data.samples;
      if (data.probe !== undefined) {
        let first = -1;
        for (let i = 0; i < block.length; i++) {
          if (Math.abs(block[i]) > data.threshold) { first = i; break; }
        }
        if (first >= 0) this.probes.push({id: data.probe, at: this.written + first});
      }
      for (let i = 0; i < block.length; i++) {
        if (this.queued === this.size) break;  // Full: drop the rest.
        this.ring[this.write] = block[i];
        this.write = (this.write + 1) % this.size;
        this.queued++;
      }
      this.written += block.length;
      // Keep the queue near prebuffer + one block: audio that piled up
      // (blocks posted before the context ran, a stall) is latency for
      // good, so past that plus 100 ms (or a block) the oldest samples are
      // skipped; arrival jitter alone stays under it.
      const target = this.prebuffer + block.length;
      if (this.queued > target + Math.max(block.length, 0.1 * sampleRate)) {
        const skip = this.queued - target;
        this.read = (this.read + skip) % this.size;
        this.queued -= skip;
        this.played += skip;
        this.skipped += skip;
      }
    } else if (data.type === 'reset') {
      this.read = this.write = this.queued = 0;
      this.playing = false;
    }
  }

  trim() {
    // The margin above prebuffer + a quantum that the last window never
    // used; dropped once the samples to drop are silent.
    const spare = this.minQueued - this.prebuffer - 128;
    if (spare <= 0) {
      this.minQueued = Infinity;
      this.windowStart = currentTime;
      return;
    }
    for (let j = 0; j < spare; j++) {
      if (Math.abs(this.ring[(this.read + j) % this.size]) > SILENT) return;
    }
    this.read = (this.read + spare) % this.size;
    this.queued -= spare;
    this.played += spare;
    this.skipped += spare;
    this.trimmed += spare;
    this.minQueued = Infinity;
    this.windowStart = currentTime;
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    let i = 0;
    const startRead = this.played;
    let padded = 0;
    if (!this.playing && this.queued > 0) {
      // (Re)start with `prebuffer` samples of silence ahead of the queue:
      // the margin every later block may arrive late by.
      this.playing = true;
      this.pad = this.prebuffer;
    }
    if (this.playing) {
      while (i < out.length && this.pad > 0) { out[i++] = 0; this.pad--; padded++; }
      const n = Math.min(out.length - i, this.queued);
      for (let j = 0; j < n; j++) {
        out[i++] = this.ring[this.read];
        this.read = (this.read + 1) % this.size;
      }
      this.queued -= n;
      this.played += n;
      if (i < out.length) {
        this.underruns++;
        this.playing = false;
        this.minQueued = Infinity;
        this.windowStart = currentTime;
      } else if (this.pad === 0) {
        this.minQueued = Math.min(this.minQueued, this.queued);
        if (currentTime - this.windowStart > TRIM_SECS) this.trim();
      }
      while (this.probes.length && this.probes[0].at < this.played) {
        const p = this.probes.shift();
        this.port.postMessage({type: 'onset', id: p.id,
                               time: currentTime + (padded + p.at - startRead) / sampleRate});
      }
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    if (currentTime - this.lastReport > 0.25) {
      this.lastReport = currentTime;
      this.port.postMessage({type: 'status', queued: this.queued,
                             underruns: this.underruns, played: this.played,
                             skipped: this.skipped, trimmed: this.trimmed});
    }
    return true;
  }
}

registerProcessor('block-player', BlockPlayer);

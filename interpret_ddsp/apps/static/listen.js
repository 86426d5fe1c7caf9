// The listening test page: one trial at a time, each answer POSTed to
// /answer and counted as saved only when the server says so.
'use strict';

const state = { trials: [], index: 0, saved: 0, errors: [], ready: false };
window.listen = state;

function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function shuffled(items) {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function post(answer) {
  const r = await fetch('answer', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(answer) });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  state.saved = body.n_answers;
  return body;
}

function show() {
  const box = document.getElementById('trial');
  box.innerHTML = '';
  if (state.index >= state.trials.length) {
    box.appendChild(el('p', {}, 'Thank you: every trial is answered.'));
    state.done = true;
    return;
  }
  const t = state.trials[state.index];
  const div = el('div', { class: 'trial', 'data-trial': t.id });
  div.appendChild(el('h2', {}, `Trial ${state.index + 1} of ${state.trials.length}`));
  div.appendChild(el('p', {}, t.question));
  const inputs = [];
  if (t.kind === 'mushra') {
    const ref = el('div', { class: 'row' });
    ref.appendChild(el('span', {}, 'Reference'));
    ref.appendChild(el('audio', { controls: '', src: t.reference_url, preload: 'none' }));
    div.appendChild(ref);
    shuffled(t.stimuli).forEach((s, i) => {
      const row = el('div', { class: 'row' });
      row.appendChild(el('span', {}, String.fromCharCode(65 + i)));
      row.appendChild(el('audio', { controls: '', src: s.url, preload: 'none' }));
      const slider = el('input', { type: 'range', min: t.range[0], max: t.range[1],
                                   value: '50', 'data-stimulus': s.id });
      const out = el('span', { class: 'score' }, '50');
      slider.addEventListener('input', () => { out.textContent = slider.value; });
      row.appendChild(slider); row.appendChild(out);
      div.appendChild(row);
      inputs.push(slider);
    });
  } else {
    const s = t.stimuli[0];
    div.appendChild(el('audio', { controls: '', src: s.url, preload: 'none' }));
    const row = el('div', { class: 'row' });
    for (let v = t.range[0]; v <= t.range[1]; v++) {
      const label = el('label');
      const radio = el('input', { type: 'radio', name: `r_${t.id}`, value: String(v),
                                  'data-stimulus': s.id });
      label.appendChild(radio); label.appendChild(document.createTextNode(` ${v}`));
      row.appendChild(label);
      inputs.push(radio);
    }
    div.appendChild(row);
  }
  const submit = el('button', { id: 'submit' }, 'Submit');
  submit.addEventListener('click', async () => {
    const listener = document.getElementById('listener').value.trim();
    const answers = t.kind === 'mushra'
      ? inputs.map((x) => ({ stimulus: x.dataset.stimulus, value: Number(x.value) }))
      : inputs.filter((x) => x.checked)
          .map((x) => ({ stimulus: x.dataset.stimulus, value: Number(x.value) }));
    if (!answers.length) { setError('Choose a rating first.'); return; }
    submit.disabled = true;
    try {
      for (const a of answers) await post({ listener, trial: t.id, ...a });
      setError('');
      document.getElementById('status').textContent = `Saved (${state.saved} answers in all).`;
      state.index += 1;
      show();
    } catch (e) {
      setError(e.message);
      submit.disabled = false;
    }
  });
  div.appendChild(submit);
  box.appendChild(div);
}

function setError(text) {
  document.getElementById('error').textContent = text;
  if (text) state.errors.push(text);
}

async function main() {
  const id = document.getElementById('listener');
  id.value = 'listener-' + Math.random().toString(36).slice(2, 8);
  const r = await fetch('test');
  state.trials = (await r.json()).trials;
  state.ready = true;
  show();
}

main().catch((e) => setError(String(e)));

// The dashboard: plain DOM over the agent's /api, no framework and no build step, so the
// agent can serve it as it is. Everything from the API goes in with textContent (image
// tags, event attributes and finding text come from the engine, never as HTML).
// Polls: the cheap views every 15 s, the GC dry run (it inspects every image) every 60 s.

const FAST_MS = 15_000;
const SLOW_MS = 60_000;
const $ = (id) => document.getElementById(id);

const state = { images: [], sort: { key: 'size', dir: -1 }, host: null, chart: null, plan: null };

// ---- talking to the agent -------------------------------------------------------------

function token() {
  return localStorage.getItem('dockwarden.token') ?? '';
}

async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (token()) headers.authorization = `Bearer ${token()}`;
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => ({ error: `${path} answered ${res.status} without JSON` }));
  if (!res.ok) throw new Error(body.error ?? `${path} answered ${res.status}`);
  return body;
}

function showError(err) {
  const box = $('error');
  box.hidden = err === null;
  box.textContent = err === null ? '' : err.message;
}

// ---- formatting -----------------------------------------------------------------------

function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const h = seconds / 3600;
  if (h < 1) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (h < 48) return `${h.toFixed(h < 10 ? 1 : 0)} h`;
  return `${Math.round(h / 24)} days`;
}

function ago(iso) {
  if (!iso) return 'never';
  const s = (Date.now() - Date.parse(iso)) / 1000;
  return s < 90 ? 'just now' : `${duration(s)} ago`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function replaceChildren(parent, nodes) {
  parent.replaceChildren(...nodes);
}

// ---- header ---------------------------------------------------------------------------

async function loadHost() {
  const h = await api('/api/host');
  state.host = h;
  $('host-name').textContent = h.host;
  document.title = `${h.host} · dockwarden`;
  const fs = h.dataRootFs ? ` on ${h.dataRootFs.fsType} (${h.dataRootFs.device})` : '';
  const up = h.health.engineUp ? '' : ' · ENGINE DOWN';
  $('host-facts').textContent = `Docker ${h.engineVersion ?? '?'} · ${h.driver ?? '?'} · ${h.dataRoot ?? '?'}${fs}${up}`;
  updateGcButton();
}

// ---- findings -------------------------------------------------------------------------

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Plain http on another host: the Clipboard API is not there; fall back to a selection.
    const area = el('textarea', { 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.textContent = 'Copied';
  setTimeout(() => (button.textContent = 'Copy commands'), 1500);
}

function findingNode(f) {
  const commands = f.fix.commands.join('\n');
  const fix = el('div', { class: 'fix' }, el('p', {}, el('strong', { text: 'Fix: ' }), f.fix.summary));
  if (commands) {
    const button = el('button', { type: 'button', text: 'Copy commands', 'aria-label': `Copy the commands that fix ${f.id}` });
    button.addEventListener('click', () => copy(commands, button));
    fix.append(el('pre', { text: commands }), button);
  }
  return el(
    'li',
    { class: `finding ${f.severity}`, 'data-id': f.id },
    el('h3', {}, el('span', { class: `severity severity-${f.severity}`, text: f.severity }), f.title),
    el('p', { text: f.detail }),
    el('ul', { class: 'evidence' }, ...f.evidence.map((e) => el('li', { text: e }))),
    fix,
    el('p', { class: 'muted', text: `${f.id} · open since ${ago(f.firstSeen)}` }),
  );
}

async function loadFindings() {
  const { findings } = await api('/api/findings');
  $('findings-empty').hidden = findings.length > 0;
  replaceChildren($('findings'), findings.map(findingNode));
}

// ---- usage chart ----------------------------------------------------------------------

function chartSize() {
  const width = $('chart').clientWidth || 600;
  return { width, height: Math.max(200, Math.min(320, Math.round(width * 0.45))) };
}

// The theme's colours are light-dark() pairs, which only a property resolves: let an
// element's `color` pick the current one, since a canvas needs a plain colour.
function cssVar(name) {
  const probe = el('span', { hidden: '' });
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

/** With `containerd`, a line for containerd's root too: images fill that one when containerd keeps it on its own filesystem. */
function makeChart(data, containerd) {
  const percent = (u, v) => (v === null ? '–' : `${v.toFixed(1)}%`);
  const opts = {
    ...chartSize(),
    scales: { x: { time: true }, y: { range: [0, 100] } },
    axes: [
      { stroke: cssVar('--muted'), grid: { stroke: cssVar('--border') } },
      { stroke: cssVar('--muted'), grid: { stroke: cssVar('--border') }, values: (u, v) => v.map((x) => `${x}%`) },
    ],
    series: [
      {},
      { label: containerd ? 'Data root' : 'Used', stroke: cssVar('--chart-line'), width: 2, value: percent },
      ...(containerd ? [{ label: "containerd's root", stroke: cssVar('--chart-line-2'), width: 2, value: percent }] : []),
      { label: 'Forecast', stroke: cssVar('--chart-forecast'), width: 2, dash: [6, 4], value: percent },
    ],
  };
  return new uPlot(opts, data, $('chart'));
}

async function loadUsage() {
  const range = $('range').value;
  const { samples, fullInSeconds, fullInFs } = await api(`/api/usage?since=${range}&points=1000`);
  const pct = (size, avail) => (size === null || avail === null ? null : Math.round((1 - avail / size) * 10000) / 100);
  const xs = [];
  const used = [];
  const containerd = [];
  for (const s of samples) {
    const d = pct(s.fsSizeBytes, s.fsAvailBytes);
    const c = pct(s.containerdFsSizeBytes ?? null, s.containerdFsAvailBytes ?? null);
    if (d === null && c === null) continue;
    xs.push(s.at / 1000);
    used.push(d);
    containerd.push(c);
  }
  const forecast = used.map(() => null);
  // The forecast is a straight line from the last sample of the filesystem filling first to 100% at the predicted time.
  if (fullInSeconds !== null && xs.length > 0) {
    const from = fullInFs === 'containerd-root' ? containerd : used;
    forecast[forecast.length - 1] = from[from.length - 1];
    xs.push(xs[xs.length - 1] + fullInSeconds);
    used.push(null);
    containerd.push(null);
    forecast.push(100);
  }
  const measuresContainerd = containerd.some((v) => v !== null);
  const data = measuresContainerd ? [xs, used, containerd, forecast] : [xs, used, forecast];
  // The series are fixed when a chart is made: a host that starts or stops measuring containerd's root gets a new one.
  if (state.chart && state.chart.series.length !== data.length) {
    state.chart.destroy();
    state.chart = null;
  }
  if (state.chart) state.chart.setData(data);
  else state.chart = makeChart(data, measuresContainerd);
  // What bench/dashboard measures: navigation start to the first chart with data.
  if (xs.length > 0 && performance.getEntriesByName('first-chart').length === 0) performance.mark('first-chart');
  $('chart').dataset.points = String(samples.length);
  $('forecast').textContent = fullInSeconds === null ? 'Not filling up at the recent rate.' : `Full in ${duration(fullInSeconds)} at the rate of the last hours.`;
}

// ---- images and GC --------------------------------------------------------------------

function imageName(img) {
  return img.tags.length > 0 ? img.tags.join(', ') : `${img.id.replace('sha256:', '').slice(0, 12)} (untagged)`;
}

function renderImages() {
  const { key, dir } = state.sort;
  const value = (img) => (key === 'size' ? img.size : Date.parse(img.lastUsed ?? 0) || 0);
  const rows = [...state.images].sort((a, b) => (value(a) - value(b)) * dir);
  for (const th of document.querySelectorAll('#images th')) {
    const b = th.querySelector('button.sort');
    if (!b) continue;
    if (b.dataset.sort === key) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
  replaceChildren(
    document.querySelector('#images tbody'),
    rows.map((img) =>
      el(
        'tr',
        { 'data-id': img.id },
        el('td', { text: imageName(img) }),
        el('td', { class: 'num', text: bytes(img.size), title: `${bytes(img.bytes)} freed by deleting it (layers other images share stay)` }),
        el('td', { class: 'num', text: ago(img.lastUsed), title: `${img.lastUsed ?? 'never'} (${img.lastUsedSource})` }),
        el('td', { class: `verdict-${img.verdict}`, text: img.verdict }),
        el('td', { text: img.reason }),
      ),
    ),
  );
}

async function loadImages() {
  const plan = await api('/api/images');
  state.plan = plan;
  state.images = plan.images;
  renderImages();
  const toDelete = plan.images.filter((i) => i.verdict === 'delete');
  $('gc-summary').textContent =
    `Dry run: ${plan.summary} ` + (toDelete.length > 0 ? `${toDelete.length} images would go, freeing about ${bytes(plan.predictedFreed)}.` : 'Nothing would be deleted now.');
  updateGcButton();
}

function updateGcButton() {
  const button = $('gc-run');
  const allowed = state.host?.gcFromDashboard === true;
  button.disabled = !allowed || !token();
  $('gc-note').textContent = !allowed ? 'Running GC from here needs the agent started with --token.' : token() ? '' : 'Enter the agent token to run GC.';
}

async function runGc() {
  const n = state.plan ? state.plan.images.filter((i) => i.verdict === 'delete').length : 0;
  if (!window.confirm(`Run GC now? The dry run deletes ${n} images; images a container or service uses are never deleted.`)) return;
  const button = $('gc-run');
  button.disabled = true;
  $('gc-note').textContent = 'Running…';
  try {
    const { run } = await api('/api/gc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ confirm: true }) });
    $('gc-note').textContent = `Done: ${run.summary}`;
    await Promise.all([loadImages(), loadGcRuns(), loadUsage()]);
  } catch (err) {
    $('gc-note').textContent = err.message;
  } finally {
    updateGcButton();
  }
}

async function loadGcRuns() {
  const { runs } = await api('/api/gc?limit=5');
  replaceChildren(
    $('gc-runs'),
    runs.map((r) => el('li', { text: `${ago(r.at)} (${r.trigger}${r.dryRun ? ', dry run' : ''}): ${r.deleted} deleted, ${bytes(r.freedBytes)} freed, ${r.failed} failed` })),
  );
}

// ---- fleet, restarts, events ----------------------------------------------------------

async function loadFleet() {
  const { hosts } = await api('/api/fleet');
  $('fleet-section').hidden = hosts.length < 2;
  replaceChildren(
    document.querySelector('#fleet tbody'),
    hosts.map((h) => {
      const s = h.summary;
      const name = s ? s.host : h.url;
      const link = h.url ? el('a', { href: `${h.url}/`, text: name }) : el('span', { text: `${name} (this host)` });
      if (!s) return el('tr', {}, el('td', {}, link), el('td', { class: 'verdict-delete', text: h.error }), el('td', { text: '–' }), el('td', { text: '–' }), el('td', { text: '–' }));
      const worst = s.worst ? `${s.worst.severity}: ${s.worst.title}` : 'healthy';
      return el(
        'tr',
        {},
        el('td', {}, link),
        el('td', { class: s.worst ? `severity-${s.worst.severity}` : 'verdict-keep', text: worst }),
        el('td', { class: 'num', text: s.usedPct === null ? '–' : `${s.usedPct.toFixed(1)}%` }),
        el('td', { class: 'num', text: duration(s.fullInSeconds) }),
        el('td', { text: `${s.engineUp ? '' : 'DOWN · '}${s.engineVersion ?? '?'} ${s.driver ?? ''}` }),
      );
    }),
  );
}

async function loadRestarts() {
  const { restarts, forensics } = await api('/api/restarts?limit=10');
  replaceChildren(
    $('restarts'),
    restarts.map((r) => el('li', { text: `${ago(r.at)}: Docker ${r.serverVersion}, ${r.driver} on ${r.dockerRootDir}, ${r.images} images, ${r.containers} containers` })),
  );
  replaceChildren(
    $('forensics'),
    forensics.map((line) => el('li', { text: line })),
  );
}

async function loadEvents() {
  const { events } = await api('/api/events?limit=100');
  replaceChildren(
    $('events'),
    events.map((e) => {
      const name = e.attributes.name ?? e.attributes.image ?? e.actorId.slice(0, 12);
      return el('li', { text: `${new Date(e.at).toLocaleTimeString()} ${e.type} ${e.action} ${name}` });
    }),
  );
}

// ---- wiring ---------------------------------------------------------------------------

async function guarded(fn) {
  try {
    await fn();
    return true;
  } catch (err) {
    showError(err);
    return false;
  }
}

async function refreshFast() {
  const ok = await Promise.all([loadHost, loadFindings, loadUsage, loadGcRuns, loadFleet, loadRestarts, loadEvents].map(guarded));
  if (ok.every(Boolean)) showError(null);
}

function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  // The chart's colours come from CSS variables: draw it again in the new ones.
  if (state.chart) {
    state.chart.destroy();
    state.chart = null;
    guarded(loadUsage);
  }
}

function start() {
  $('token').value = token();
  $('token').addEventListener('change', (e) => {
    localStorage.setItem('dockwarden.token', e.target.value.trim());
    Promise.all([refreshFast(), guarded(loadImages)]);
  });
  $('theme').addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme ? document.documentElement.dataset.theme === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
    const next = dark ? 'light' : 'dark';
    localStorage.setItem('dockwarden.theme', next);
    applyTheme(next);
  });
  applyTheme(localStorage.getItem('dockwarden.theme'));
  // ?range=30d opens the chart on that period: links and bookmarks can say which.
  const range = new URLSearchParams(location.search).get('range');
  if (range && [...$('range').options].some((o) => o.value === range)) $('range').value = range;
  $('range').addEventListener('change', () => guarded(loadUsage));
  $('gc-run').addEventListener('click', runGc);
  for (const b of document.querySelectorAll('button.sort')) {
    b.addEventListener('click', () => {
      state.sort = { key: b.dataset.sort, dir: state.sort.key === b.dataset.sort ? -state.sort.dir : -1 };
      renderImages();
    });
  }
  new ResizeObserver(() => state.chart?.setSize(chartSize())).observe($('chart'));
  Promise.all([refreshFast(), guarded(loadImages)]).then(() => (document.body.dataset.loaded = 'true'));
  setInterval(refreshFast, FAST_MS);
  setInterval(() => guarded(loadImages), SLOW_MS);
}

start();

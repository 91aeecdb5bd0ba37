import { COMPARISON_CSS, SECTION_TITLES } from '../html-report/run-comparison.view.js';
import { FIGURE_SCRIPTS } from './figure-scripts.asset.js';

/** How often the page refreshes the run list and the picked runs' view, ms. */
export const DASHBOARD_POLL_MS = 2000;

/** Bucket widths the page offers for the plots over time, ms. */
const BUCKETS: [ms: number, label: string][] = [
  [500, '0.5 s'],
  [1000, '1 s'],
  [5000, '5 s'],
  [10_000, '10 s'],
  [60_000, '1 min'],
];

// Browser script of the page (plain JS, no modules; its only other scripts are the figure scripts this
// store serves under /dashboard/assets/). Contract with the tests:
// - #runs is a multiple select of the runs GET /runs lists (value = run id), refreshed every poll,
//   keeping the selection; ?runs=a,b in the page URL preselects runs, and picking updates it;
//   without ?runs=, the newest run (the first GET /runs lists) is picked on the first load;
// - every poll, GET /dashboard/view for the picked runs; a section's [data-content] element is
//   replaced only when its HTML or its figure changed, and body[data-renders] counts the replacements;
// - a section's figure (view.figures[key]) is embedded by vega-embed (SVG renderer) in its
//   figure[data-chart] at the width of the window, which then gets data-rendered="true";
// - body[data-state] is "idle" (nothing picked), "ready" (view shown) or "error" (#status says why);
//   body[data-stored-queries] is the picked runs' stored query rows of the last view;
// - with REPORTS_TOKEN set, data requests carry Authorization: Bearer <token>. The token comes from
//   #token=<token> in the page URL (then removed from the address bar) or from the #auth form, which
//   is shown (body[data-state]="auth") when a request is refused with 401; it is kept in
//   sessionStorage (this tab only, gone when the tab closes), never in the query string.
const SCRIPT = String.raw`
(function () {
  'use strict';
  var POLL_MS = ${DASHBOARD_POLL_MS};
  var KEYS = ${JSON.stringify(SECTION_TITLES.map(([key]) => key))};
  var picker = document.getElementById('runs');
  var bucket = document.getElementById('bucket');
  var status = document.getElementById('status');
  var sections = document.getElementById('sections');
  var auth = document.getElementById('auth');
  var tokenInput = document.getElementById('token');
  var TOKEN_KEY = 'aset-reports-token';
  var fromHash = /^#token=(.+)$/.exec(location.hash);
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  var initial = new URLSearchParams(location.search).get('runs');
  var wanted = initial ? initial.split(',') : [];
  var rendered = {};
  var views = {};
  var renders = 0;
  var timer = null;
  var busy = false;
  var again = false;

  function picked() {
    return Array.prototype.map.call(picker.selectedOptions, function (o) { return o.value; });
  }

  function describe(run) {
    var state = run.complete ? 'complete' : run.finishedAt ? 'ingesting' : run.parts ? 'running (' + run.parts.finished + '/' + run.parts.count + ' parts finished)' : 'running';
    return run.runId + ' | ' + (run.policy || '-') + ' | ' + (run.scenario || '-') + ' | ' + run.storedQueries + ' queries | ' + state;
  }

  function setState(state, text) {
    document.body.dataset.state = state;
    status.textContent = text;
  }

  function Unauthorized(message) { this.message = message; }

  async function getJson(url) {
    var headers = { accept: 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = 'Bearer ' + token;
    var res = await fetch(url, { cache: 'no-store', headers: headers });
    var body = await res.json().catch(function () { return {}; });
    if (res.status === 401) throw new Unauthorized(token ? 'The reports token was refused: enter the current one.' : 'This metrics store needs its reports token (REPORTS_TOKEN).');
    if (!res.ok) throw new Error((body && body.message) || ('GET ' + url + ': HTTP ' + res.status));
    return body;
  }

  async function refreshRuns() {
    var list = (await getJson('/runs?limit=200')).runs;
    var first = picker.options.length === 0;
    var keep = first ? (wanted.length > 0 ? wanted : list.slice(0, 1).map(function (r) { return r.runId; })) : picked();
    var ids = list.map(function (r) { return r.runId; });
    var current = Array.prototype.map.call(picker.options, function (o) { return o.value; });
    if (ids.join('\n') !== current.join('\n')) {
      picker.replaceChildren.apply(picker, list.map(function (r) {
        var o = document.createElement('option');
        o.value = r.runId;
        o.selected = keep.indexOf(r.runId) >= 0;
        return o;
      }));
    }
    if (first && keep.length > 0 && !initial) history.replaceState(null, '', '?runs=' + keep.map(encodeURIComponent).join(','));
    list.forEach(function (r, i) {
      var text = describe(r);
      if (picker.options[i].textContent !== text) picker.options[i].textContent = text;
    });
  }

  // A figure with a fixed plot width is drawn at the width of its section (Vega-Lite's "container"
  // width, refitted when the window resizes); one sized by its bars ({step}) keeps its size.
  async function embed(key, spec) {
    var el = document.querySelector('[data-content="' + key + '"] figure[data-chart="' + key + '"]');
    var wide = typeof spec.width === 'number' ? Object.assign({}, spec, { width: 'container', autosize: { type: 'fit-x', contains: 'padding', resize: true } }) : spec;
    var result = await vegaEmbed(el, wide, { renderer: 'svg', actions: false });
    views[key] = result.view;
    el.dataset.rendered = 'true';
  }

  async function refreshView() {
    var ids = picked();
    if (ids.length === 0) {
      sections.hidden = true;
      setState('idle', picker.options.length > 0 ? 'Pick one or several runs.' : 'No runs in the metrics store yet.');
      return;
    }
    var view = await getJson('/dashboard/view?runs=' + encodeURIComponent(ids.join(',')) + '&bucketMs=' + encodeURIComponent(bucket.value));
    if (view.runIds.join(',') !== picked().join(',')) return;
    var embeds = [];
    KEYS.forEach(function (key) {
      var html = view.sections[key];
      var figure = view.figures[key];
      var shown = html + (figure ? JSON.stringify(figure) : '');
      if (rendered[key] === shown) return;
      if (views[key]) { views[key].finalize(); delete views[key]; }
      document.querySelector('[data-content="' + key + '"]').innerHTML = html;
      rendered[key] = shown;
      renders += 1;
      if (figure) embeds.push(embed(key, figure));
    });
    await Promise.all(embeds);
    sections.hidden = false;
    document.body.dataset.renders = String(renders);
    document.body.dataset.storedQueries = String(view.storedQueries);
    setState('ready', view.runIds.join(', ') + ': ' + view.storedQueries + ' stored queries; refreshed every ' + POLL_MS / 1000 + ' s.');
  }

  async function poll() {
    if (busy) { again = true; return; }
    busy = true;
    clearTimeout(timer);
    try {
      await refreshRuns();
      await refreshView();
      auth.hidden = true;
    } catch (e) {
      if (e instanceof Unauthorized) {
        auth.hidden = false;
        setState('auth', e.message);
        return;
      }
      auth.hidden = true;
      setState('error', 'Refresh failed: ' + (e && e.message ? e.message : e) + ' (retrying).');
    } finally {
      busy = false;
      if (document.body.dataset.state !== 'auth') timer = setTimeout(poll, POLL_MS);
      if (again) { again = false; poll(); }
    }
  }

  function repoll() {
    var ids = picked();
    history.replaceState(null, '', ids.length > 0 ? '?runs=' + ids.map(encodeURIComponent).join(',') : location.pathname);
    rendered = {};
    poll();
  }

  auth.addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim());
    tokenInput.value = '';
    poll();
  });
  picker.addEventListener('change', repoll);
  bucket.addEventListener('change', repoll);
  poll();
})();
`;

/** The dashboard page: HTML with inline CSS and script, loading the figure scripts this store serves; the figures come as specs from /dashboard/view. */
export function dashboardHtml(): string {
  const sections = SECTION_TITLES.map(([key, title]) => `<section data-section="${key}">\n<h2>${title}</h2>\n<div data-content="${key}"></div>\n</section>`).join('\n');
  const buckets = BUCKETS.map(([ms, label]) => `<option value="${ms}"${ms === 1000 ? ' selected' : ''}>${label}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ASET dashboard</title>
<style>${COMPARISON_CSS}
#picker { display: flex; gap: 1rem; align-items: flex-start; flex-wrap: wrap; }
#picker select[multiple] { min-width: 36rem; font-family: monospace; }
figure[data-chart] { width: 100%; margin: 0.5rem 0; }
</style>
${FIGURE_SCRIPTS.map((f) => `<script src="/dashboard/assets/${f.name}"></script>`).join('\n')}
</head>
<body data-state="idle" data-renders="0">
<h1>ASET dashboard</h1>
<form id="auth" hidden>
<label>Reports token<br><input id="token" type="password" autocomplete="off" required></label>
<button type="submit">Use token</button>
</form>
<form id="picker" onsubmit="return false">
<label>Runs (pick one or several; Ctrl/Cmd-click for more)<br><select id="runs" multiple size="8"></select></label>
<label>Time bucket<br><select id="bucket">${buckets}</select></label>
</form>
<p id="status" class="note">Loading runs...</p>
<div id="sections" hidden>
${sections}
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

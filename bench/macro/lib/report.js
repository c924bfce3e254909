'use strict';
// Formats peers.sh results (TSV) as markdown. Usage: node report.js [--paste | --medians] results.tsv
//   (no option)  the full report (what peers.sh prints)
//   --paste      the summary for docs/PERFORMANCE.md: medians, nodecc ÷ peer, the issue's targets
//   --medians    one TSV row per server and workload: the medians plot.sh draws
const fs = require('fs');

const mode = process.argv[2] === '--paste' || process.argv[2] === '--medians' ? process.argv[2].slice(2) : 'report';
const rows = fs.readFileSync(process.argv[mode === 'report' ? 2 : 3], 'utf8').trim().split('\n').slice(1)
  .map((l) => l.split('\t'))
  .map(([run, server, wl, rps, p50, p99, mibps, errors, rss, bpc, conns, cpu, note]) =>
    ({ run: +run, server, wl: +wl, rps, p50, p99, mibps, errors, rss, bpc, conns, cpu, note: note || '' }));

const WL = {
  1: '1. plaintext keep-alive (wrk -c64)',
  2: '2. plaintext pipelined x16 (wrk -c64)',
  3: '3. many connections (wrk -c1000)',
  4: '4. Connection: close (ab -c32, 20k req)',
  5: '5. 1 MiB response (wrk -c64)',
  6: '6. POST 64 KiB (wrk -c64)',
  7: '7. idle keep-alive connections',
};
const NOTES = {
  nginx: 'nginx: /upload cannot count a body in plain nginx; the core reads and discards it and `return 200 $content_length` echoes the declared length. /big is a static file sent with sendfile. RSS = master + worker.',
  h2o: 'h2o: GET / and /big via `file.file` (static files from its open-file cache); POST /upload via the bundled mruby handler.',
  httplib: 'cpp-httplib: Debian build defaults (thread pool of 8 blocking threads = 8 connections served at a time, keep-alive closed after 5 requests, listen backlog 5) except set_tcp_nodelay(true) (without it: ~300 req/s, Nagle + delayed ACK on its separate header/body writes); all threads pinned to the one server CPU. It does not answer pipelined requests.',
  beast: 'Boost.Beast: one io_context thread; one async_write per response (no response batching for pipelined requests); read buffer reserved to 16 KiB per connection (unreserved, as in the example, bodies are read 512 bytes at a time: workload 6 measured ~4.2k instead of ~35k req/s, while idle memory was ~3.2 KB/conn instead of ~6.9 KB).',
  evhttp: 'evhttp: one event_base; /big is an evbuffer reference (no copy); TCP_NODELAY set on the listening socket (evhttp does not set it; without it, workload 2 falls to ~23k req/s on Nagle + delayed ACK).',
  limit: 'limit: bench/peers/limit_epoll.c, fixed response to any request, no HTTP parsing (ceiling, not a peer); it does not serve /big or /upload.',
};

const runs = [...new Set(rows.map((r) => r.run))].sort((a, b) => a - b);
const servers = [...new Set(rows.map((r) => r.server))];
const wls = [...new Set(rows.map((r) => r.wl))].sort((a, b) => a - b);
const get = (s, w, run) => rows.find((r) => r.server === s && r.wl === w && r.run === run);
const num = (v) => (v === undefined || v === '-' || v === '' ? NaN : Number(v));
const grp = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const sig = (n) => (!Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3));
// ab (workload 4) reports whole milliseconds
const lat = (w, n) => (w === 4 && Number.isFinite(n) ? (n < 1 ? '<1' : n.toFixed(0)) : sig(n));
const per = (s, w, f) => runs.map((run) => f(get(s, w, run), run)).join(' / ');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) + '×' : '-');
const used = new Set();
const unsupported = [];

const out = [];
const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const kilo = (n) => (!Number.isFinite(n) ? 'n/a' : n >= 1e6 ? (n / 1e6).toFixed(2) + 'M' : n >= 1e4 ? (n / 1e3).toFixed(1) + 'k' : grp(n));
if (mode !== 'report') {
  process.stdout.write(mode === 'paste' ? paste() : medianRows());
  process.exit(0);
}
// Summary: medians over the runs; the ratio is the median of the per-run ratios.
{
  const hdr = { 1: '1 keep-alive req/s', 2: '2 pipelined req/s', 3: '3 c1000 req/s', 4: '4 close req/s', 5: '5 1 MiB MiB/s', 6: '6 POST 64K req/s', 7: '7 idle B/conn' };
  out.push(`Summary: median over ${runs.length} run(s); (×) = median of the per-run ratios to node (for 7: bytes per connection relative to node, lower is better).`);
  out.push('');
  out.push('| server | ' + wls.map((w) => hdr[w]).join(' | ') + ' |');
  out.push('|---|' + wls.map(() => '---:').join('|') + '|');
  for (const s of servers) {
    const cells = wls.map((w) => {
      const field = w === 7 ? 'bpc' : w === 5 ? 'mibps' : 'rps';
      const vals = runs.map((run) => num((get(s, w, run) || {})[field]));
      const ratios = runs.map((run) => num((get(s, w, run) || {})[field]) / num((get('node', w, run) || {})[field]));
      const m = median(vals);
      if (!Number.isFinite(m)) return 'n/a';
      if (w === 7) { // a server that did not answer (nearly) every connection has no per-connection figure
        const kv = Object.fromEntries(((get(s, w, runs[0]) || {}).note || '').split(' ').map((x) => x.split('=')));
        const open = num((get(s, w, runs[0]) || {}).conns), ans = num(kv.answered);
        if (Number.isFinite(ans) && ans < 0.9 * open) return `n/a (${ans} of ${open} answered)`;
      }
      const r = median(ratios);
      return `${w === 5 || w === 7 ? grp(m) : kilo(m)}${Number.isFinite(r) && s !== 'node' ? ` (${r.toFixed(2)}×)` : ''}`;
    });
    out.push(`| ${s} | ${cells.join(' | ')} |`);
  }
  out.push('');
}
// nodecc against every other server: the median of the per-run ratios (same run), so
// machine drift between runs cancels out. For 7 (bytes per idle connection) lower is better.
if (servers.includes('nodecc')) {
  const hdr = { 1: '1 keep-alive', 2: '2 pipelined', 3: '3 c1000', 4: '4 close', 5: '5 1 MiB', 6: '6 POST 64K', 7: '7 idle B/conn' };
  out.push('nodecc ÷ peer: median of the per-run ratios of nodecc to that server in the same run (for 1–6 above 1 means nodecc is faster; for 7, below 1 means nodecc uses less memory per connection). The 1-CPU column compares server CPU µs per request (below 1: nodecc spends less CPU per request).');
  out.push('');
  out.push('| peer | ' + wls.map((w) => hdr[w]).join(' | ') + (wls.includes(1) ? ' | 1 CPU µs/req |' : ' |'));
  out.push('|---|' + wls.map(() => '---:').join('|') + (wls.includes(1) ? '|---:|' : '|'));
  for (const p of servers.filter((x) => x !== 'nodecc')) {
    const cells = wls.map((w) => {
      const field = w === 7 ? 'bpc' : w === 5 ? 'mibps' : 'rps';
      const r = median(runs.map((run) => num((get('nodecc', w, run) || {})[field]) / num((get(p, w, run) || {})[field])));
      return Number.isFinite(r) ? r.toFixed(2) + '×' : 'n/a';
    });
    if (wls.includes(1)) {
      const usPerReq = (srv, run) => { const r = get(srv, 1, run) || {}; return num(r.cpu) * 1e4 / num(r.rps); };
      const r = median(runs.map((run) => usPerReq('nodecc', run) / usPerReq(p, run)));
      cells.push(Number.isFinite(r) ? r.toFixed(2) + '×' : 'n/a');
    }
    out.push(`| ${p} | ${cells.join(' | ')} |`);
  }
  out.push('');
}
const loadWls = wls.filter((w) => w !== 7);
if (loadWls.length) {
  out.push(`Each cell: ${runs.map((r) => 'run ' + r).join(' / ')}. × node = this server's req/s divided by node's req/s in the same run. p50/p99 in ms (ab reports whole ms; for the pipelined workload wrk times each 16-request batch, and its percentiles break down (printed as 0, shown n/a) for fast servers). RSS = peak resident set of the server process(es) sampled every 0.5 s during the measurement. srv CPU = server CPU time / wall time of the measurement, all threads (about 100 %: the server core was the limit; clearly less: the client core or the kernel path was). srv CPU µs/req = server CPU time per request, comparable even when the client was the limit.`);
  out.push('');
  out.push('| workload | server | req/s | × node | p50 ms | p99 ms | MiB/s | srv CPU % | srv CPU µs/req | peak RSS MiB | errors |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const w of loadWls) {
    let first = true;
    for (const s of servers) {
      if (!runs.some((run) => get(s, w, run))) continue;
      used.add(s);
      const unsup = runs.map((run) => get(s, w, run)).find((r) => r && r.note);
      if (unsup) unsupported.push(`${s}, workload ${w}: ${unsup.note}`);
      out.push(`| ${first ? '**' + WL[w] + '**' : ''} | ${s} | ` + [
        per(s, w, (r) => grp(num(r && r.rps))),
        s === 'node' ? '1.00×' : per(s, w, (r, run) => ratio(num(r && r.rps), num((get('node', w, run) || {}).rps))),
        per(s, w, (r) => lat(w, num(r && r.p50))),
        per(s, w, (r) => lat(w, num(r && r.p99))),
        per(s, w, (r) => sig(num(r && r.mibps))),
        per(s, w, (r) => { const c = num(r && r.cpu); return Number.isFinite(c) ? c.toFixed(0) : 'n/a'; }),
        per(s, w, (r) => sig((num(r && r.cpu) / 100 / num(r && r.rps)) * 1e6)),
        per(s, w, (r) => sig(num(r && r.rss) / 1024)),
        per(s, w, (r) => (r && r.errors !== '-' ? r.errors : 'n/a')),
      ].join(' | ') + ' |');
      first = false;
    }
  }
  out.push('');
}
if (wls.includes(7)) {
  out.push('Idle memory: after warm-up, RSS is read; then N keep-alive connections are opened, one GET / is sent and answered on each, and RSS is read again 2 s after all are settled. Growth = (RSS after - RSS before) / connections still open. × node compares bytes per connection.');
  out.push('');
  out.push('| server | RSS growth bytes/conn | × node | open (answered) | RSS before → after MiB |');
  out.push('|---|---:|---:|---:|---:|');
  for (const s of servers) {
    if (!runs.some((run) => get(s, 7, run))) continue;
    used.add(s);
    const kv = (r) => Object.fromEntries((r && r.note ? r.note : '').split(' ').map((x) => x.split('=')));
    // no per-connection figure for a server that did not answer (nearly) every connection
    const ok = (r) => r && !(num(kv(r).answered) < 0.9 * num(r.conns));
    out.push(`| ${s} | ` + [
      per(s, 7, (r) => (ok(r) ? grp(num(r.bpc)) : 'n/a')),
      s === 'node' ? '1.00×' : per(s, 7, (r, run) => (ok(r) ? ratio(num(r.bpc), num((get('node', 7, run) || {}).bpc)) : '-')),
      per(s, 7, (r) => (r ? `${r.conns} (${kv(r).answered || '?'})` : 'n/a')),
      per(s, 7, (r) => { const k = kv(r); return k.rss0 ? `${sig(k.rss0 / 1024)} → ${sig(k.rss1 / 1024)}` : 'n/a'; }),
    ].join(' | ') + ' |');
  }
  out.push('');
}
const notes = [...used].filter((s) => NOTES[s]).map((s) => '- ' + NOTES[s]);
for (const u of [...new Set(unsupported)]) notes.push('- ' + u);
if (notes.length) out.push('Notes:', '', ...notes, '');
process.stdout.write(out.join('\n'));


// ---------------------------------------------------------------- --medians, --paste
// The headline figure of a workload in one run: req/s, MiB/s for 5, bytes per idle
// connection for 7 (none when fewer than 90 % of the connections were answered).
function value(s, w, run) {
  const r = get(s, w, run);
  if (!r) return NaN;
  if (w === 7) {
    const ans = num((r.note.match(/answered=(\d+)/) || [])[1]);
    return Number.isFinite(ans) && ans < 0.9 * num(r.conns) ? NaN : num(r.bpc);
  }
  return num(r[w === 5 ? 'mibps' : 'rps']);
}
function cpuUs(s, w, run) { // server CPU µs per request
  const r = get(s, w, run) || {};
  return w === 7 ? NaN : (num(r.cpu) / 100 / num(r.rps)) * 1e6;
}
function errorsOf(s, w) { return runs.reduce((a, run) => a + (num((get(s, w, run) || {}).errors) || 0), 0); }
function medOf(f, s, w) { return median(runs.map((run) => f(s, w, run))); }
// nodecc ÷ peer: the median of the per-run ratios, so that drift between runs cancels out
function ratioOf(f, p, w) { return median(runs.map((run) => f('nodecc', w, run) / f(p, w, run))); }

// nodecc first, then the others in the order they ran
function nodeccFirst() { return servers.includes('nodecc') ? ['nodecc', ...servers.filter((s) => s !== 'nodecc')] : servers; }

function medianRows() {
  const o = ['server\twl\tvalue\tcpu_us\terrors'];
  const cell = (n, d) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  for (const s of nodeccFirst()) {
    for (const w of wls) {
      if (!runs.some((run) => get(s, w, run))) continue;
      o.push([s, w, cell(medOf(value, s, w), w === 5 ? 1 : 0), cell(medOf(cpuUs, s, w), 3), errorsOf(s, w)].join('\t'));
    }
  }
  return o.join('\n') + '\n';
}

function paste() {
  const LABEL = {
    1: 'W1 keep-alive c64, req/s', 2: 'W2 pipelined ×16, req/s', 3: 'W3 c1000, req/s',
    4: 'W4 connection per request, req/s', 5: 'W5 1 MiB response, MiB/s', 6: 'W6 POST 64 KiB, req/s',
    7: 'W7 idle, bytes/connection',
  };
  const fmtV = (w, n) => (!Number.isFinite(n) ? 'n/a' : w === 5 ? sig(n) : grp(n));
  const x = (r) => (Number.isFinite(r) ? r.toFixed(2) + '×' : 'n/a');
  const peers = servers.filter((s) => s !== 'nodecc');
  const o = [];
  // rows: W1..W7, with W1's CPU µs per request right under W1
  const lines = [];
  for (const w of wls) {
    lines.push({ w, label: LABEL[w], f: value });
    if (w === 1) lines.push({ w, label: 'W1 server CPU µs/request', f: cpuUs, cpu: true });
  }
  o.push(`Median of ${runs.length} run(s). Higher is better, except for CPU µs/request and W7 (lower is better).`);
  o.push('');
  const cols = nodeccFirst();
  o.push('| workload | ' + cols.join(' | ') + ' |');
  o.push('|---|' + cols.map(() => '---:').join('|') + '|');
  for (const l of lines) {
    o.push(`| ${l.label} | ` + cols.map((s) => {
      if (!runs.some((run) => get(s, l.w, run))) return '–';
      const m = medOf(l.f, s, l.w);
      const e = l.w !== 7 && !l.cpu ? errorsOf(s, l.w) : 0;
      return (l.cpu ? sig(m) : fmtV(l.w, m)) + (e > 0 ? ` (${grp(e)} errors)` : '');
    }).join(' | ') + ' |');
  }
  o.push('');
  if (servers.includes('nodecc') && peers.length) {
    o.push('nodecc ÷ peer: the median of the per-run ratios (same run). Above 1 means nodecc is faster; for CPU µs/request and W7, below 1 means nodecc spends less.');
    o.push('');
    o.push('| workload | ' + peers.join(' | ') + ' |');
    o.push('|---|' + peers.map(() => '---:').join('|') + '|');
    for (const l of lines) o.push(`| ${l.label} | ` + peers.map((p) => x(ratioOf(l.f, p, l.w))).join(' | ') + ' |');
    o.push('');
  }
  if (servers.includes('nodecc')) {
    o.push('Targets of the performance issue (ceiling = `limit`, the raw-epoll server; "best peer" = the peer with the highest median, the ceiling excluded):');
    o.push('');
    o.push('| workload | target | measured | status |');
    o.push('|---|---|---|---|');
    const has = (s, w) => runs.some((run) => Number.isFinite(value(s, w, run)));
    const verdict = (ok) => (ok ? 'met' : '**not met**');
    const row = (w, target, measured, status) => { if (wls.includes(w)) o.push(`| W${w} | ${target} | ${measured} | ${status} |`); };
    const missing = (w, who) => `not measured (${who} not in this run)`;
    const vsPeer = (w, p, min, target) => {
      if (!has('nodecc', w)) return row(w, target, 'n/a', missing(w, 'nodecc'));
      if (!p || !has(p, w)) return row(w, target, 'n/a', missing(w, p || 'no peer'));
      const r = ratioOf(value, p, w);
      row(w, target, `${r.toFixed(3)}× ${p}`, verdict(r >= min));
    };
    const best = (w) => peers.filter((p) => p !== 'limit' && has(p, w))
      .sort((a, b) => medOf(value, b, w) - medOf(value, a, w))[0];
    vsPeer(1, 'limit', 0.95, 'req/s ≥ 0.95× ceiling');
    if (wls.includes(1)) {
      const r = ratioOf(cpuUs, 'limit', 1);
      row(1, 'CPU µs/request ≤ 1.1× ceiling', Number.isFinite(r) ? `${r.toFixed(3)}× limit` : 'n/a',
        Number.isFinite(r) ? verdict(r <= 1.1) : missing(1, has('nodecc', 1) ? 'limit' : 'nodecc'));
    }
    vsPeer(2, 'limit', 0.9, 'req/s ≥ 0.9× ceiling');
    if (wls.includes(2)) {
      const m = medOf(value, 'nodecc', 2);
      row(2, 'req/s ≥ 1,000,000', fmtV(2, m), Number.isFinite(m) ? verdict(m >= 1e6) : missing(2, 'nodecc'));
    }
    vsPeer(3, 'nginx', 1, 'req/s ≥ nginx');
    if (wls.includes(3)) {
      const e = errorsOf('nodecc', 3);
      row(3, 'zero errors (all runs)', has('nodecc', 3) ? `${grp(e)} errors` : 'n/a', has('nodecc', 3) ? verdict(e === 0) : missing(3, 'nodecc'));
    }
    vsPeer(4, best(4), 1, 'req/s ≥ best peer');
    vsPeer(5, best(5), 1.2, 'MiB/s ≥ 1.2× best peer');
    vsPeer(6, best(6), 1.2, 'req/s ≥ 1.2× best peer');
    if (wls.includes(7)) {
      const m = medOf(value, 'nodecc', 7);
      row(7, '≤ 512 bytes/connection', Number.isFinite(m) ? `${grp(m)} B` : 'n/a', Number.isFinite(m) ? verdict(m <= 512) : missing(7, 'nodecc'));
    }
    o.push('');
  }
  return o.join('\n');
}

#!/usr/bin/env bash
# bench/macro/plot.sh — draws a peers.sh results TSV as one PNG.
#
#   bash bench/macro/plot.sh bench/macro/results/results-<stamp>.tsv out.png
#
# Top panel: workloads 1–6, the median req/s of each server (MiB/s for workload 5)
# as grouped bars, log scale, the value over each bar ("n/a": measured but no
# figure, e.g. the ceiling does not serve /big). Bottom left: server CPU µs per
# request for the same workloads (log scale, lower is better). Bottom right:
# workload 7, RSS growth in bytes per idle keep-alive connection, with the
# issue's 512 B target (lower is better). Panels without data are left out.
# Medians come from lib/report.js --medians (the same medians as the report).
# Needs gnuplot (Debian gnuplot-nox: NODECC_WITH_BENCH_PEERS=1 bash scripts/install-deps.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ $# -ne 2 || $1 == -h || $1 == --help ]]; then
  sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2
fi
tsv=$1 out=$2
[[ -r $tsv ]] || { echo "plot.sh: cannot read $tsv" >&2; exit 1; }
command -v gnuplot >/dev/null || {
  echo "plot.sh: gnuplot missing (NODECC_WITH_BENCH_PEERS=1 bash scripts/install-deps.sh)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/macro-plot.XXXXXX")
trap '[[ -n ${PLOT_KEEP:-} ]] || rm -rf "$tmp"' EXIT
node "$here/lib/report.js" --medians "$tsv" >"$tmp/medians.tsv"
runs=$(awk -F'\t' 'NR > 1 && $1 > n { n = $1 } END { print n + 0 }' "$tsv")
# machine line of the report written next to the TSV by the same run, if any
report=$(dirname "$tsv")/$(basename "$tsv" | sed 's/^results-/report-/; s/\.tsv$/.md/')
machine=$([[ -r $report ]] && sed -n 's/^- machine: //p' "$report" | head -1 || true)

# medians.tsv (server wl value cpu_us errors) -> per panel a data file (a row per
# workload, a column per server, NaN where a server has no figure) and a label file
# (x y text: the value over each bar, "n/a" at the foot of a missing one; gnuplot
# 5.4.4 crashes on NaN in 'with labels', so the labels are placed here), plus the
# gnuplot settings that depend on the data (names, colours, tics, ranges).
awk -F'\t' -v dir="$tmp" '
  function color(s) {
    if (s == "nodecc") return "#d62728"; if (s == "node") return "#2ca02c"
    if (s == "nginx") return "#1f77b4"; if (s == "h2o") return "#9467bd"
    if (s == "httplib") return "#8c564b"; if (s == "beast") return "#e377c2"
    if (s == "evhttp") return "#bcbd22"; if (s == "limit") return "#7f7f7f"
    return extra[++ne % 4 + 1]
  }
  function lg(x) { return log(x) / log(10) }
  function fmt(v) {
    return v >= 1e6 ? sprintf("%.2fM", v / 1e6) : v >= 1e5 ? sprintf("%.0fk", v / 1e3) : \
           v >= 1e4 ? sprintf("%.1fk", v / 1e3) : v >= 100 ? sprintf("%.0f", v) : \
           v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v)
  }
  # panel name, column of medians.tsv, workloads w1..w2, log axis? -> NAME.dat, NAME.lab,
  # n_NAME (groups drawn), NAME_lo / NAME_hi (y range)
  function panel(name, field, w1, w2, logy,   w, j, v, x, lo, hi, k, ws, line) {
    k = 0
    for (w = w1; w <= w2; w++) if (w in wl) ws[k++] = w
    for (x = 0; x < k; x++) for (j = 1; j <= ns; j++) {
      v = ((sn[j], ws[x]) in med) ? med[sn[j], ws[x], field] : "-"
      if (v == "-" || (logy && v + 0 <= 0)) continue
      v += 0; if (lo == "" || v < lo) lo = v; if (hi == "" || v > hi) hi = v
    }
    if (hi == "") { printf "n_%s = 0\n", name >conf; return }
    if (logy) { lo = 10 ^ int(lg(lo) - (lg(lo) < 0 ? 1 : 0)); hi = 10 ^ (lg(hi) + 0.9) }  # room for the labels
    else { lo = lo < 0 ? lo * 1.3 : 0; hi = (hi > 512 ? hi : 512) * 1.45 }
    printf "n_%s = %d; %s_lo = %g; %s_hi = %g\n", name, k, name, lo, name, hi >conf
    for (x = 0; x < k; x++) {
      line = x
      for (j = 1; j <= ns; j++) {
        v = ((sn[j], ws[x]) in med) ? med[sn[j], ws[x], field] : "-"
        if (v == "-") { line = line " NaN"; if ((sn[j], ws[x]) in med) printf "%g %g \"n/a\"\n", X(x, j), (logy ? lo * 1.2 : lo + (hi - lo) / 100) >(dir "/" name ".lab"); continue }
        line = line " " v
        printf "%g %g \"%s\"\n", X(x, j), (v + 0 > lo ? v : lo), (w1 == 7 ? sprintf("%.0f", v) : fmt(v + 0)) >(dir "/" name ".lab")
      }
      print line >(dir "/" name ".dat")
    }
    close(dir "/" name ".dat"); close(dir "/" name ".lab")
  }
  function X(x, j) { return x + (j - (ns + 1) / 2) * 0.8 / (ns > 4 ? ns : 4) }   # as X(j) in plot.gp
  BEGIN {
    conf = dir "/conf.gp"
    split("#17becf #ff7f0e #aec7e8 #98df8a", extra, " ")
    lab[1] = "W1 keep-alive c64\\nreq/s"; lab[2] = "W2 pipelined x16\\nreq/s"
    lab[3] = "W3 c1000\\nreq/s"; lab[4] = "W4 conn. per request\\nreq/s"
    lab[5] = "W5 1 MiB response\\nMiB/s"; lab[6] = "W6 POST 64 KiB\\nreq/s"
  }
  NR == 1 { next }
  {
    if (!($1 in si)) { si[$1] = ++ns; sn[ns] = $1 }
    wl[$2] = 1; med[$1, $2] = 1; med[$1, $2, 3] = $3; med[$1, $2, 4] = $4
  }
  END {
    names = ""; colors = ""
    for (j = 1; j <= ns; j++) { names = names " " sn[j]; colors = colors " " color(sn[j]) }
    printf "N = %d; names = \"%s\"; colors = \"%s\"\n", ns, names, colors >conf
    panel("thr", 3, 1, 6, 1); panel("cpu", 4, 1, 6, 1); panel("idle", 3, 7, 7, 0)
    t = ""; x = 0
    for (w = 1; w <= 6; w++) if (w in wl) { t = t (x ? ", " : "") "\"" lab[w] "\" " x; x++ }
    printf "tics = \047set xtics (%s)\047\n", t >conf
  }' "$tmp/medians.tsv"

cat >"$tmp/plot.gp" <<'EOF'
load "conf.gp"
bw = 0.8 / (N > 4 ? N : 4)                        # bar width: a group spans at most 0.8 (as X in the awk above)
X(j) = $0 + (j - (N + 1) / 2.0) * bw

set terminal pngcairo size 1500,1150 font "sans,11" noenhanced
set output out
set multiplot title title font ",14"
set style fill solid 0.9 border lc rgb "#404040"
set grid ytics lc rgb "#dddddd"
set border 3; set tics nomirror
set xtics scale 0 font ",10"
bottom = (n_cpu || n_idle) ? 0.46 : 0.03
top_h = 0.93 - bottom

# bars(panel, base): the panel's bars, from base up, and the labels over them
bars(p, base) = sprintf('plot for [j=1:N] "%s.dat" using (X(j)):(column(j+1)):(X(j)-bw/2):(X(j)+bw/2):(%.17g):(column(j+1)) \
  with boxxyerror lc rgb word(colors, j) title word(names, j), \
  "%s.lab" using 1:2:3 with labels rotate by 90 left offset 0,0.4 font ",9" notitle', p, base, p)
key = 'set key outside top center horizontal font ",11" samplen 1.5'
# logpanel(panel, groups, y format, y label): a log-scale panel of groups of bars
logpanel(p, n, f, l) = sprintf('set logscale y; set yrange [%s_lo:%s_hi]; set format y "%s"; set xrange [-0.5:%g]; \
  set ylabel "%s"; %s; %s', p, p, f, n - 0.5, l, tics, bars(p, value(p . "_lo")))
set lmargin 11; set rmargin 3; set bmargin 3.5

if (n_thr) {
  set origin 0, bottom; set size 1, top_h
  @key
  eval logpanel("thr", n_thr, "%.0s%c", "median req/s (W5: MiB/s), log scale — higher is better")
  unset key
}
if (n_cpu) {
  set origin 0, 0; set size (n_idle ? 0.72 : 1), bottom
  if (!n_thr) { @key }
  eval logpanel("cpu", n_cpu, "%g", "server CPU µs per request, log — lower is better")
  unset key
}
if (n_idle) {
  if (n_thr || n_cpu) { set origin (n_cpu ? 0.72 : 0), 0; set size (n_cpu ? 0.28 : 1), bottom } \
  else { set origin 0, 0; set size 1, 0.9; @key }
  set lmargin 9; set rmargin 2
  unset logscale y; set yrange [idle_lo:idle_hi]; set format y "%.0f"
  set xrange [-0.5:0.5]
  set xtics ("W7 idle keep-alive\nbytes/connection" 0)
  set ylabel "RSS growth, bytes per connection — lower is better"
  set arrow 1 from graph 0, first 512 to graph 1, first 512 nohead dt 2 lw 1.5 lc rgb "#d62728" front
  set title "dashed line: target ≤ 512 B" textcolor rgb "#d62728" font ",10"
  eval bars("idle", 0)
}
unset multiplot
EOF

title="nodecc and its peers — medians of $runs run(s), $(basename "$tsv")"
[[ -n $machine ]] && title+="\\n$machine; server on CPU 0, wrk on CPU 1, loopback"
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$tmp" && gnuplot -e "out = '$out_abs'; title = \"$title\"" plot.gp)
echo "plot.sh: wrote $out" >&2

'use strict';
// Prints the framing transcript of each input line as parsed by Node's own llhttp
// (require('_http_common').HTTPParser), in the format parser_diff_driver prints.
//
// stdin: one case per line: id \t mode \t hex-bytes \t split-offsets (comma separated, may be empty)
//        mode: "strict" (Node default) or "lenient" (insecureHTTPParser: kLenientAll)
// stdout: one JSON array per line: [id, events...]
//
// Events: ["hc", method, url, version, [[name, value]...], keepAlive, upgrade]
//         ["body", latin1 bytes of the whole message body]   (before "mc" or at the end)
//         ["trailers", [[name, value]...]]
//         ["mc"]
//         ["upgrade", bytesParsed]                           (parsing stops, as Node's server does)
//         ["error", code, reason, bytesParsed] | ["finish", code-or-"ok"]
//         (bytesParsed: llhttp's error position in the read that failed, Node's err.bytesParsed)
const { HTTPParser } = require('_http_common');
const readline = require('readline');

process.noDeprecation = true;
const allMethods = process.binding('http_parser').allMethods;

function pairs(flat) {
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function transcript(id, mode, data, splits) {
  const events = [id];
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, 16384, mode === 'lenient' ? HTTPParser.kLenientAll : 0);
  let headers = [];
  let body = null;
  let headersDone = false;
  let upgraded = false;
  const flushBody = () => {
    if (body !== null) events.push(['body', body]);
    body = null;
  };
  parser[HTTPParser.kOnMessageBegin] = () => { headers = []; headersDone = false; parser._url = ''; };
  parser[HTTPParser.kOnHeaders] = (h) => { headers.push(...h); };
  parser[HTTPParser.kOnHeadersComplete] = (major, minor, h, method, url, sc, sm, upgrade, keepAlive) => {
    if (h) headers.push(...h);
    // Node's server keeps the url from kOnHeaders when the head spanned several reads.
    events.push(['hc', allMethods[method], (parser._url || '') + (url || ''), `${major}.${minor}`,
      pairs(headers), keepAlive ? 1 : 0, upgrade ? 1 : 0]);
    headers = [];
    headersDone = true;
    if (upgrade) { upgraded = true; return 2; }  // as Node's server with 'upgrade'/'connect' listeners
    return 0;
  };
  parser[HTTPParser.kOnBody] = (b) => { body = (body || '') + b.toString('latin1'); };
  parser[HTTPParser.kOnMessageComplete] = () => {
    flushBody();
    if (headersDone && headers.length) events.push(['trailers', pairs(headers)]);
    headers = [];
    events.push(['mc']);
  };
  // kOnHeaders also carries the url of a long head; keep it.
  const onHeaders = parser[HTTPParser.kOnHeaders];
  parser[HTTPParser.kOnHeaders] = (h, url) => { if (url) parser._url = (parser._url || '') + url; onHeaders(h); };
  parser._url = '';

  const cuts = [0, ...splits.filter((s) => s > 0 && s < data.length), data.length];
  let offset = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const piece = data.subarray(cuts[i], cuts[i + 1]);
    const ret = parser.execute(piece);
    if (ret instanceof Error) {
      flushBody();
      events.push(['error', ret.code, ret.reason, ret.bytesParsed]);
      return events;
    }
    if (upgraded) {
      flushBody();
      events.push(['upgrade', offset + ret]);
      return events;
    }
    offset += piece.length;
  }
  flushBody();
  const fin = parser.finish();
  if (fin instanceof Error) {
    flushBody();
    events.push(['finish', fin.code]);
  } else {
    flushBody();
    events.push(['finish', 'ok']);
  }
  return events;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
rl.on('line', (line) => {
  if (!line) return;
  const [id, mode, hex, splitText] = line.split('\t');
  const splits = splitText ? splitText.split(',').map(Number) : [];
  out.push(JSON.stringify(transcript(id, mode, Buffer.from(hex, 'hex'), splits)));
  if (out.length >= 256) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
});
rl.on('close', () => { if (out.length) process.stdout.write(out.join('\n') + '\n'); });

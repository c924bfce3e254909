// The EventEmitter operations of bench/micro/events_bench.cpp, in Node.
// Tight loops timed with process.hrtime.bigint(); a warm-up run first, then
// the median of several runs. Prints "name ns_per_op" lines.
'use strict';
const { EventEmitter } = require('events');

const N = 2_000_000;
const RUNS = 7;

function measure(body) {
  body(N); // warm-up: let V8 optimise the loop
  const results = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    body(N);
    const t1 = process.hrtime.bigint();
    results.push(Number(t1 - t0) / N);
  }
  results.sort((a, b) => a - b);
  return results[RUNS >> 1];
}

let sink = 0;

const typed1 = new EventEmitter();
typed1.on('tick', (a, b) => { sink += a + b; });

const typed3 = new EventEmitter();
typed3.on('tick', (a, b) => { sink += a + b; });
typed3.on('tick', (a) => { sink += a; });
typed3.on('tick', (a) => { sink -= a; });

const onOff = new EventEmitter();
onOff.on('tick', () => {});
let calls = 0;

const cases = [
  // Node has one emit; the "typed" rows are the same emit('tick', i, 1).
  ['BM_EventsTypedEmit1', (n) => { for (let i = 0; i < n; i++) typed1.emit('tick', i, 1); }],
  ['BM_EventsTypedEmit3', (n) => { for (let i = 0; i < n; i++) typed3.emit('tick', i, 1); }],
  ['BM_EventsStringEmit1', (n) => { for (let i = 0; i < n; i++) typed1.emit('tick', i, 1); }],
  ['BM_EventsOnOff', (n) => {
    for (let i = 0; i < n; i++) {
      const l = () => { calls++; };
      onOff.on('tick', l);
      onOff.off('tick', l);
    }
  }],
];

for (const [name, body] of cases) {
  console.log(`${name} ${measure(body).toFixed(2)}`);
}
if (sink === 42 && calls === 42) console.log('');

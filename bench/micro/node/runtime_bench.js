'use strict';
// The operations of bench/micro/runtime_bench.cpp, in Node. Prints one JSON
// object {benchmarkName: nsPerOp}, each the median of 5 timed runs after a warm-up.
// Usage: node runtime_bench.js
const { hrtime } = process;

const TICK_BATCH = 1000;

// process.nextTick(cb) plus running cb: 1000 ticks per macrotask, drained by
// Node after each setImmediate callback (runNextTicks).
function nextTickEnqueueDrain(ops) {
  return new Promise((resolve) => {
    let counter = 0;
    const inc = () => { counter++; };
    let batches = Math.ceil(ops / TICK_BATCH);
    const start = hrtime.bigint();
    function batch() {
      for (let i = 0; i < TICK_BATCH; i++) process.nextTick(inc);
      if (--batches > 0) {
        setImmediate(batch);
      } else {
        setImmediate(() => resolve(Number(hrtime.bigint() - start) / (counter || 1)));
      }
    }
    batch();
  });
}

function timerAddCancel(ops) {
  let counter = 0;
  const cb = () => { counter++; };
  const start = hrtime.bigint();
  for (let i = 0; i < ops; i++) clearTimeout(setTimeout(cb, 1000));
  return Number(hrtime.bigint() - start) / ops + counter;
}

function timerAddCancelBusyList(ops) {
  const others = [];
  for (let i = 0; i < 1000; i++) others.push(setTimeout(() => {}, 1000));
  let counter = 0;
  const cb = () => { counter++; };
  const start = hrtime.bigint();
  for (let i = 0; i < ops; i++) clearTimeout(setTimeout(cb, 1000));
  const ns = Number(hrtime.bigint() - start) / ops + counter;
  for (const t of others) clearTimeout(t);
  return ns;
}

function timerRefresh(ops) {
  let counter = 0;
  const t = setTimeout(() => { counter++; }, 1000);
  const start = hrtime.bigint();
  for (let i = 0; i < ops; i++) t.refresh();
  const ns = Number(hrtime.bigint() - start) / ops + counter;
  clearTimeout(t);
  return ns;
}

const benchmarks = [
  ['BM_RuntimeNextTickEnqueueDrain', nextTickEnqueueDrain, 2e6],
  ['BM_RuntimeTimerAddCancel', timerAddCancel, 1e6],
  ['BM_RuntimeTimerAddCancelBusyList', timerAddCancelBusyList, 1e6],
  ['BM_RuntimeTimerRefresh', timerRefresh, 2e6],
];

async function main() {
  const out = {};
  for (const [name, fn, ops] of benchmarks) {
    await fn(ops);  // warm-up (JIT)
    const runs = [];
    for (let r = 0; r < 5; r++) runs.push(await fn(ops));
    runs.sort((a, b) => a - b);
    out[name] = runs[2];
  }
  console.log(JSON.stringify(out));
}
main();

// Runtime micro benchmarks (issue 2 "Measure"): nextTick enqueue+drain and
// timer add/cancel/refresh. The same operations in Node are in
// node/runtime_bench.js; compare_runtime.sh runs both and prints the ratio.
// One benchmark iteration is one operation.
#include <benchmark/benchmark.h>

#include <vector>

#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/timers/timers.hpp"

namespace {

using nodecc::Loop;

// Ticks are drained in batches, as Node drains them after each macrotask.
constexpr int kTickBatch = 1000;

// process.nextTick(cb) plus running cb in processTicksAndRejections.
void BM_RuntimeNextTickEnqueueDrain(benchmark::State& state) {
    Loop loop;
    long counter = 0;
    int pending = 0;
    for (auto _ : state) {
        nodecc::process::nextTick([&counter] { ++counter; });
        if (++pending == kTickBatch) {
            nodecc::process::processTicksAndRejections(loop);
            pending = 0;
        }
    }
    nodecc::process::processTicksAndRejections(loop);
    benchmark::DoNotOptimize(counter);
}
BENCHMARK(BM_RuntimeNextTickEnqueueDrain);

// clearTimeout(setTimeout(cb, 1000)): allocates the Timeout, arms, unarms.
void BM_RuntimeTimerAddCancel(benchmark::State& state) {
    Loop loop;
    long counter = 0;
    for (auto _ : state) {
        nodecc::clearTimeout(nodecc::setTimeout([&counter] { ++counter; }, 1000));
    }
    loop.run();
    benchmark::DoNotOptimize(counter);
}
BENCHMARK(BM_RuntimeTimerAddCancel);

// The same with 1000 other timers of the same duration armed: the list exists.
void BM_RuntimeTimerAddCancelBusyList(benchmark::State& state) {
    Loop loop;
    long counter = 0;
    std::vector<nodecc::timers::TimeoutPtr> others;
    for (int i = 0; i < 1000; ++i) others.push_back(nodecc::setTimeout([] {}, 1000));
    for (auto _ : state) {
        nodecc::clearTimeout(nodecc::setTimeout([&counter] { ++counter; }, 1000));
    }
    for (auto& t : others) nodecc::clearTimeout(t);
    loop.run();
    benchmark::DoNotOptimize(counter);
}
BENCHMARK(BM_RuntimeTimerAddCancelBusyList);

// timeout.refresh() on an armed timer (what sockets do on every read/write).
void BM_RuntimeTimerRefresh(benchmark::State& state) {
    Loop loop;
    long counter = 0;
    auto t = nodecc::setTimeout([&counter] { ++counter; }, 1000);
    for (auto _ : state) t->refresh();
    nodecc::clearTimeout(t);
    loop.run();
    benchmark::DoNotOptimize(counter);
}
BENCHMARK(BM_RuntimeTimerRefresh);

}  // namespace

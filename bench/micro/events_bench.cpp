// EventEmitter micro benchmarks (issue 2 "Measure"); the same operations in
// Node are in node/events_bench.js, and compare_events.sh prints both.
#include <benchmark/benchmark.h>

#include <string_view>

#include "nodecc/events/event_emitter.hpp"

namespace {

using nodecc::events::Event;
using nodecc::events::EventEmitter;

inline constexpr Event<int, int> kTick{"tick"};

// emit with a typed key, one listener, two arguments.
void BM_EventsTypedEmit1(benchmark::State& state) {
    EventEmitter e;
    long sum = 0;
    e.on(kTick, [&](int a, int b) { sum += a + b; });
    int i = 0;
    for (auto _ : state) {
        e.emit(kTick, i, 1);
        ++i;
    }
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_EventsTypedEmit1);

// emit with a typed key, three listeners, two arguments.
void BM_EventsTypedEmit3(benchmark::State& state) {
    EventEmitter e;
    long sum = 0;
    e.on(kTick, [&](int a, int b) { sum += a + b; });
    e.on(kTick, [&](auto a, auto) { sum += a; });
    e.on(kTick, [&](int a) { sum -= a; });
    int i = 0;
    for (auto _ : state) {
        e.emit(kTick, i, 1);
        ++i;
    }
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_EventsTypedEmit3);

// emit by name (hashes the name each time), one listener, two arguments.
void BM_EventsStringEmit1(benchmark::State& state) {
    EventEmitter e;
    long sum = 0;
    e.on("tick", [&](int a, int b) { sum += a + b; });
    std::string_view name = "tick";
    benchmark::DoNotOptimize(name);
    int i = 0;
    for (auto _ : state) {
        e.emit(name, i, 1);
        ++i;
    }
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_EventsStringEmit1);

// on + off of one listener on an emitter that has another listener for the event.
void BM_EventsOnOff(benchmark::State& state) {
    EventEmitter e;
    e.on("tick", [] {});
    long calls = 0;
    for (auto _ : state) {
        auto l = e.on("tick", [&calls] { ++calls; });
        e.off("tick", l);
    }
    benchmark::DoNotOptimize(calls);
}
BENCHMARK(BM_EventsOnOff);

}  // namespace

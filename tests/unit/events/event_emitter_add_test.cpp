// Adding listeners: on/addListener, once, prependListener, prependOnceListener,
// and the 'newListener' event (NODE-BEHAVIOUR.md §6).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "nodecc/events/event_emitter.hpp"

namespace nodecc::events {
namespace {

// Node: test-event-emitter-add-listeners.js — 'newListener' sees the name and
// the listener before it is added; emit returns true and passes the arguments.
TEST(EventEmitterAdd, NewListenerSeesNameAndListenerBeforeAdding) {
    EventEmitter e;
    std::vector<std::string> events;
    std::vector<std::size_t> countAtNewListener;
    Listener seen;
    e.on("newListener", [&](std::string_view name, const Listener& l) {
        if (name == "newListener") return;  // its own registration is not reported
        events.emplace_back(name);
        seen = l;
        countAtNewListener.push_back(e.listenerCount(name));
    });
    std::vector<std::string> args;
    const Listener hello = e.on("hello", [&](std::string_view a, std::string_view b) {
        args = {std::string(a), std::string(b)};
    });
    const Listener foo = e.on("foo", [] {});

    EXPECT_EQ(events, (std::vector<std::string>{"hello", "foo"}));
    EXPECT_EQ(countAtNewListener, (std::vector<std::size_t>{0, 0}));
    EXPECT_EQ(seen, foo);
    EXPECT_TRUE(e.emit("hello", "a", "b"));
    EXPECT_EQ(args, (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(e.emit("nobody"));
}

// Node: test-event-emitter-add-listeners.js — "The order of listeners on an
// event is not always the order in which the listeners were added": a
// listener added from inside 'newListener' for the same event goes first.
TEST(EventEmitterAdd, ListenerAddedInsideNewListenerGoesFirst) {
    EventEmitter e;
    std::vector<std::string> calls;
    Listener listen2;
    e.once("newListener", [&] {
        EXPECT_EQ(e.listenerCount("hello"), 0u);
        e.once("newListener", [&] { EXPECT_EQ(e.listenerCount("hello"), 0u); });
        listen2 = e.on("hello", [&] { calls.emplace_back("listen2"); });
    });
    const Listener listen1 = e.on("hello", [&] { calls.emplace_back("listen1"); });

    EXPECT_EQ(e.listeners("hello"), (std::vector<Listener>{listen2, listen1}));
    EXPECT_EQ(e.listenerCount("newListener"), 0u);
    e.emit("hello");
    EXPECT_EQ(calls, (std::vector<std::string>{"listen2", "listen1"}));
}

// Node: test-event-emitter-add-listeners.js — setMaxListeners(0) does not throw;
// addListener is on.
TEST(EventEmitterAdd, AddListenerIsOn) {
    EventEmitter e;
    e.setMaxListeners(0);
    int calls = 0;
    e.addListener("x", [&] { ++calls; });
    e.on("x", [&] { ++calls; });
    EXPECT_TRUE(e.emit("x"));
    EXPECT_EQ(calls, 2);
}

// Node: the same function may be added twice; it then runs twice per emit.
TEST(EventEmitterAdd, SameListenerAddedTwiceRunsTwice) {
    EventEmitter e;
    int calls = 0;
    const Listener l = e.on("x", [&] { ++calls; });
    e.on("x", l);
    EXPECT_EQ(e.listenerCount("x"), 2u);
    EXPECT_EQ(e.listenerCount("x", l), 2u);
    e.emit("x");
    EXPECT_EQ(calls, 2);
}

// Node: on(type, undefined) throws ERR_INVALID_ARG_TYPE.
TEST(EventEmitterAdd, EmptyHandleIsRejected) {
    EventEmitter e;
    try {
        e.on("x", Listener{});
        FAIL() << "no throw";
    } catch (const Error& err) {
        EXPECT_EQ(err.code(), "ERR_INVALID_ARG_TYPE");
    }
    EXPECT_EQ(e.listenerCount("x"), 0u);
}

// Node: test-event-emitter-once.js
TEST(EventEmitterOnce, RunsOnceThenIsGone) {
    EventEmitter e;
    int calls = 0;
    e.once("hello", [&] { ++calls; });
    EXPECT_TRUE(e.emit("hello", "a", "b"));
    EXPECT_FALSE(e.emit("hello", "a", "b"));
    EXPECT_FALSE(e.emit("hello"));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(e.listenerCount("hello"), 0u);
}

// Node: test-event-emitter-once.js — a once listener removed before the emit never runs.
TEST(EventEmitterOnce, RemovedBeforeEmitNeverRuns) {
    EventEmitter e;
    const Listener l = e.once("foo", [] { FAIL() << "must not be called"; });
    e.removeListener("foo", l);
    EXPECT_FALSE(e.emit("foo"));
}

// Node: test-event-emitter-once.js — "once() has different code paths based on
// the number of arguments being emitted": all of them reach the listener.
TEST(EventEmitterOnce, PassesEveryArgument) {
    EventEmitter e;
    std::vector<int> got;
    e.once("a", [&](int a, int b, int c, int d) { got = {a, b, c, d}; });
    e.emit("a", 1, 2, 3, 4);
    EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4}));
}

// Node: test-event-emitter-once.js — the wrapper removes itself before the call,
// so a re-entrant emit from inside the listener does not run it again.
TEST(EventEmitterOnce, ReentrantEmitFiresOnce) {
    EventEmitter e;
    int times = 0;
    e.once("e", [&] {
        ++times;
        EXPECT_EQ(e.listenerCount("e"), 0u);
        e.emit("e");
    });
    e.emit("e");
    EXPECT_EQ(times, 1);
}

// Two once listeners and a re-entrant emit from the first: the second still runs once.
TEST(EventEmitterOnce, ReentrantEmitWithTwoOnceListeners) {
    EventEmitter e;
    int a = 0;
    int b = 0;
    e.once("e", [&] {
        ++a;
        e.emit("e");
    });
    e.once("e", [&] { ++b; });
    e.emit("e");
    e.emit("e");
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 1);
}

// Node: test-event-emitter-once.js — a once listener may add another once
// listener to the same event; it runs on the next emit.
TEST(EventEmitterOnce, OnceListenerAddingOnceListener) {
    EventEmitter e;
    std::vector<std::string> calls;
    e.once("e", [&] {
        calls.emplace_back("first");
        e.once("e", [&] { calls.emplace_back("second"); });
    });
    e.emit("e");
    EXPECT_EQ(calls, (std::vector<std::string>{"first"}));
    e.emit("e");
    EXPECT_EQ(calls, (std::vector<std::string>{"first", "second"}));
    EXPECT_FALSE(e.emit("e"));
}

// Node: test-event-emitter-prepend.js
TEST(EventEmitterPrepend, PrependedListenersRunFirst) {
    EventEmitter e;
    std::string order;
    e.on("foo", [&] { order += "3"; });
    e.prependListener("foo", [&] { order += "2"; });
    e.prependOnceListener("foo", [&] { order += "1"; });
    e.emit("foo");
    EXPECT_EQ(order, "123");
    order.clear();
    e.emit("foo");
    EXPECT_EQ(order, "23");
}

// Node: test-event-emitter-prepend.js — prependOnceListener is a once listener.
TEST(EventEmitterPrepend, PrependOnceIsOnce) {
    EventEmitter e;
    const Listener l = e.prependOnceListener("x", [] {});
    EXPECT_TRUE(l.isOnce());
    EXPECT_EQ(e.rawListeners("x"), (std::vector<Listener>{l}));
    e.emit("x");
    EXPECT_EQ(e.listenerCount("x"), 0u);
}

}  // namespace
}  // namespace nodecc::events

// Removing listeners: removeListener/off, removeAllListeners and the
// 'removeListener' event (NODE-BEHAVIOUR.md §6).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "nodecc/events/event_emitter.hpp"

namespace nodecc::events {
namespace {

// Node: test-event-emitter-remove-listeners.js — 'removeListener' is emitted
// after the removal, with the name and the listener.
TEST(EventEmitterRemove, RemoveListenerEventAfterRemoval) {
    EventEmitter e;
    const Listener l1 = e.on("hello", [] { FAIL(); });
    int calls = 0;
    e.on("removeListener", [&](std::string_view name, const Listener& cb) {
        ++calls;
        EXPECT_EQ(name, "hello");
        EXPECT_EQ(cb, l1);
        EXPECT_EQ(e.listenerCount("hello"), 0u);
    });
    e.removeListener("hello", l1);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(e.listeners("hello").empty());
    EXPECT_FALSE(e.emit("hello"));
}

// Node: test-event-emitter-remove-listeners.js — removing a listener that is
// not registered does nothing and emits nothing.
TEST(EventEmitterRemove, UnknownListenerIsIgnored) {
    EventEmitter e;
    EventEmitter other;
    const Listener l1 = e.on("hello", [] {});
    const Listener stranger = other.on("hello", [] {});
    e.on("removeListener", [] { FAIL() << "nothing was removed"; });
    e.removeListener("hello", stranger);
    e.removeListener("nope", l1);
    e.off("hello", Listener{});
    EXPECT_EQ(e.listeners("hello"), (std::vector<Listener>{l1}));
}

// Node: test-event-emitter-remove-listeners.js — nested 'removeListener'
// handlers see the state after each removal.
TEST(EventEmitterRemove, NestedRemovalsSeeListSoFar) {
    EventEmitter e;
    const Listener l1 = e.on("hello", [] {});
    const Listener l2 = e.on("hello", [] {});
    int outer = 0;
    int inner = 0;
    e.once("removeListener", [&](std::string_view name, const Listener& cb) {
        ++outer;
        EXPECT_EQ(name, "hello");
        EXPECT_EQ(cb, l1);
        EXPECT_EQ(e.listeners("hello"), (std::vector<Listener>{l2}));
        e.once("removeListener", [&](std::string_view name2, const Listener& cb2) {
            ++inner;
            EXPECT_EQ(name2, "hello");
            EXPECT_EQ(cb2, l2);
            EXPECT_TRUE(e.listeners("hello").empty());
        });
        e.removeListener("hello", l2);
        EXPECT_TRUE(e.listeners("hello").empty());
    });
    e.removeListener("hello", l1);
    EXPECT_TRUE(e.listeners("hello").empty());
    EXPECT_EQ(outer, 1);
    EXPECT_EQ(inner, 1);
}

// Node: removeListener scans from the end: of a listener added twice, the
// last registration goes ([a, b, a] -> [a, b], not [b, a]).
TEST(EventEmitterRemove, RemovesLastMatch) {
    EventEmitter e;
    std::string order;
    const Listener a = e.on("x", [&] { order += "a"; });
    e.on("x", [&] { order += "b"; });
    e.on("x", a);
    e.removeListener("x", a);
    e.emit("x");
    EXPECT_EQ(order, "ab");
    e.off("x", a);
    order.clear();
    e.emit("x");
    EXPECT_EQ(order, "b");
}

// Node: test-event-emitter-remove-listeners.js — a listener removed by an
// earlier listener of the same emit still runs in that emit only.
TEST(EventEmitterRemove, RemovedDuringEmitStillRunsThisTime) {
    EventEmitter e;
    int calls3 = 0;
    int calls4 = 0;
    Listener l4;
    e.on("hello", [&] {
        ++calls3;
        e.removeListener("hello", l4);
    });
    l4 = e.on("hello", [&] { ++calls4; });
    e.emit("hello");
    e.emit("hello");
    EXPECT_EQ(calls3, 2);
    EXPECT_EQ(calls4, 1);
}

// Node: test-event-emitter-remove-listeners.js — a 'removeListener' handler
// that removes and emits: the removed listeners never run.
TEST(EventEmitterRemove, RemoveListenerHandlerRemovingAndEmitting) {
    EventEmitter e;
    Listener remove1;
    Listener remove2;
    int handler = 0;
    e.on("removeListener", [&](std::string_view, const Listener& cb) {
        ++handler;
        if (cb != remove1) return;
        e.removeListener("quux", remove2);
        e.emit("quux");
    });
    remove1 = e.on("quux", [] { FAIL() << "remove1 should not have been called"; });
    remove2 = e.on("quux", [] { FAIL() << "remove2 should not have been called"; });
    e.removeListener("quux", remove1);
    EXPECT_EQ(handler, 2);
}

// Node: test-event-emitter-remove-listeners.js — removeListener returns the emitter.
TEST(EventEmitterRemove, Chains) {
    EventEmitter e;
    const Listener l = e.on("a", [] {});
    EXPECT_EQ(&e.removeListener("a", l), &e);
    EXPECT_EQ(&e.off("a", l), &e);
    EXPECT_EQ(&e.removeAllListeners("a"), &e);
    EXPECT_EQ(&e.removeAllListeners(), &e);
}

// Removing a listener of another event from inside a listener.
TEST(EventEmitterRemove, FromInsideListenerOfAnotherEvent) {
    EventEmitter e;
    int dataCalls = 0;
    const Listener data = e.on("data", [&] { ++dataCalls; });
    e.on("end", [&] { e.off("data", data); });
    e.emit("data");
    e.emit("end");
    EXPECT_FALSE(e.emit("data"));
    EXPECT_EQ(dataCalls, 1);
    EXPECT_EQ(e.eventNames(), (std::vector<std::string>{"end"}));
}

// Node: test-event-emitter-remove-all-listeners.js — removeAllListeners(type)
// emits 'removeListener' for each, last added first; other events stay.
TEST(EventEmitterRemoveAll, OneEventLifoWithEvents) {
    EventEmitter e;
    const Listener foo1 = e.on("foo", [] {});
    const Listener foo2 = e.on("foo", [] {});
    const Listener bar = e.on("bar", [] {});
    std::vector<Listener> removed;
    e.on("removeListener", [&](std::string_view name, const Listener& l) {
        EXPECT_EQ(name, "foo");
        removed.push_back(l);
    });
    e.removeAllListeners("foo");
    EXPECT_EQ(removed, (std::vector<Listener>{foo2, foo1}));
    EXPECT_TRUE(e.listeners("foo").empty());
    EXPECT_EQ(e.listeners("bar"), (std::vector<Listener>{bar}));
    EXPECT_EQ(e.eventNames(), (std::vector<std::string>{"bar", "removeListener"}));
}

// Node: test-event-emitter-remove-all-listeners.js — removeAllListeners()
// empties every event, 'removeListener' last, reporting each in LIFO order per event.
TEST(EventEmitterRemoveAll, EverythingWithEvents) {
    EventEmitter e;
    const Listener foo1 = e.on("foo", [] {});
    const Listener foo2 = e.on("foo", [] {});
    const Listener bar = e.on("bar", [] {});
    std::vector<std::string> log;
    e.on("removeListener", [&](std::string_view name, const Listener& l) {
        const char* which = l == foo1 ? "1" : l == foo2 ? "2" : l == bar ? "3" : "?";
        log.push_back(std::string(name) + ":" + which);
    });
    e.removeAllListeners();
    EXPECT_EQ(log, (std::vector<std::string>{"foo:2", "foo:1", "bar:3"}));
    EXPECT_TRUE(e.eventNames().empty());
}

// Node: removeAllListeners(type) removes the listeners present when it was
// called: one added meanwhile by a 'removeListener' handler stays.
TEST(EventEmitterRemoveAll, ListenerAddedDuringRemovalStays) {
    EventEmitter e;
    e.on("x", [] {});
    e.on("x", [] {});
    int added = 0;
    e.on("removeListener", [&](std::string_view name) {
        if (name == "x" && added++ == 0) e.on("x", [] {});
    });
    e.removeAllListeners("x");
    EXPECT_EQ(e.listenerCount("x"), 1u);
}

// Node: test-event-emitter-remove-all-listeners.js — a listener removed by
// removeAllListeners during emit still runs in that emit.
TEST(EventEmitterRemoveAll, DuringEmitSnapshotStillRuns) {
    EventEmitter e;
    int calls = 0;
    e.on("x", [&] {
        ++calls;
        e.removeAllListeners("x");
    });
    e.on("x", [&] { ++calls; });
    e.emit("x");
    EXPECT_EQ(calls, 2);
    EXPECT_FALSE(e.emit("x"));
}

// Node: test-event-emitter-remove-all-listeners.js — without a
// 'removeListener' listener nothing is reported and nothing is left.
TEST(EventEmitterRemoveAll, WithoutRemoveListenerListener) {
    EventEmitter e;
    e.on("a", [] {});
    e.once("b", [] {});
    e.removeAllListeners();
    EXPECT_TRUE(e.eventNames().empty());
    EXPECT_FALSE(e.emit("a"));
    EXPECT_FALSE(e.emit("b"));
}

}  // namespace
}  // namespace nodecc::events

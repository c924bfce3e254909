// emit: snapshot semantics, argument passing, typed keys next to the string
// API, and what happens when a listener does not fit (NODE-BEHAVIOUR.md §6).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/core/ref.hpp"
#include "nodecc/events/event_emitter.hpp"

namespace nodecc::events {
namespace {

inline constexpr Event<std::string_view> kData{"data"};
inline constexpr Event<int, std::string> kPair{"pair"};
inline constexpr Event<> kEnd{"end"};

// An emitter owned by Refs that reports its destruction.
struct Owned : EventEmitter {
    explicit Owned(bool* d) : destroyed(d) {}
    ~Owned() override { *destroyed = true; }
    bool* destroyed;
};

// Node: test-event-emitter-modify-in-emit.js — removal during emit still
// runs this time, addition does not: "a b | a c".
TEST(EventEmitterModifyInEmit, RemovalRunsAdditionWaits) {
    EventEmitter e;
    std::string out;
    Listener b;
    const Listener c = Listener{};
    Listener added;
    e.on("e", [&] {
        out += "a ";
        e.removeListener("e", b);
        if (!added) added = e.on("e", [&] { out += "c "; });
    });
    b = e.on("e", [&] { out += "b "; });
    e.emit("e");
    out += "| ";
    e.emit("e");
    EXPECT_EQ(out, "a b | a c ");
}

// Node: test-event-emitter-modify-in-emit.js — removeAllListeners from a
// listener: the others of that emit still run, the next emit finds none.
TEST(EventEmitterModifyInEmit, RemoveAllDuringEmit) {
    EventEmitter e;
    std::vector<std::string> callbacks;
    e.on("foo", [&] {
        callbacks.emplace_back("callback1");
        e.removeAllListeners("foo");
    });
    e.on("foo", [&] { callbacks.emplace_back("callback2"); });
    e.on("foo", [&] { callbacks.emplace_back("callback3"); });
    e.emit("foo");
    EXPECT_EQ(callbacks, (std::vector<std::string>{"callback1", "callback2", "callback3"}));
    EXPECT_EQ(e.listenerCount("foo"), 0u);
    callbacks.clear();
    EXPECT_FALSE(e.emit("foo"));
    EXPECT_TRUE(callbacks.empty());
}

// Node: test-event-emitter-modify-in-emit.js — a listener that adds itself
// again doubles on the next emit, not on this one.
TEST(EventEmitterModifyInEmit, SelfAddingListener) {
    EventEmitter e;
    int calls = 0;
    Listener self;
    self = e.on("foo", [&] {
        ++calls;
        e.on("foo", self);
    });
    e.emit("foo");
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(e.listenerCount("foo"), 2u);
    e.emit("foo");
    EXPECT_EQ(calls, 3);
}

// Node: emit returns whether the event had listeners.
TEST(EventEmitterEmit, ReturnsWhetherListenersExisted) {
    EventEmitter e;
    EXPECT_FALSE(e.emit("x"));
    EXPECT_FALSE(e.emit(kEnd));
    e.on(kEnd, [] {});
    EXPECT_TRUE(e.emit(kEnd));
    EXPECT_TRUE(e.emit("end"));
}

// Listeners declare a prefix of the emitted arguments (Node passes all and
// JavaScript ignores the rest).
TEST(EventEmitterEmit, ListenersTakeAPrefixOfTheArguments) {
    EventEmitter e;
    std::string log;
    e.on("x", [&] { log += "none;"; });
    e.on("x", [&](int a) { log += std::to_string(a) + ";"; });
    e.on("x", [&](int a, const std::string& b) { log += std::to_string(a) + b + ";"; });
    e.emit("x", 7, std::string("s"));
    EXPECT_EQ(log, "none;7;7s;");
}

// By value, by const reference and by reference: a reference parameter sees
// the emitter's object, so a listener can change what later listeners see.
TEST(EventEmitterEmit, ValueConstRefAndRefParameters) {
    EventEmitter e;
    std::string byValue;
    std::string byConstRef;
    const std::string* address = nullptr;
    std::string argument = "orig";
    e.on("s", [&](std::string s) {
        byValue = s;
        s = "changed-copy";
    });
    e.on("s", [&](std::string& s) {
        address = &s;
        s += "+ref";
    });
    e.on("s", [&](const std::string& s) { byConstRef = s; });
    e.emit("s", argument);
    EXPECT_EQ(byValue, "orig");
    EXPECT_EQ(address, &argument);
    EXPECT_EQ(argument, "orig+ref");
    EXPECT_EQ(byConstRef, "orig+ref");
}

// A const argument never reaches a listener that takes it by non-const
// reference (it would modify a const object): ERR_INVALID_ARG_TYPE instead.
TEST(EventEmitterEmit, ConstArgumentRejectsMutableReferenceListener) {
    EventEmitter e;
    e.on("s", [](std::string& s) { s += "!"; });
    const std::string fixed = "const";
    EXPECT_THROW(e.emit("s", fixed), Error);
    EXPECT_EQ(fixed, "const");
    std::string changeable = "m";
    e.emit("s", changeable);
    EXPECT_EQ(changeable, "m!");
    EXPECT_TRUE(e.emit("s", std::string("temporary")));
}

// With a typed key the event's declaration decides: Event<T&> hands
// listeners the object, Event<T> a const reference.
TEST(EventEmitterTyped, ReferenceEventsHandOutTheObject) {
    static constexpr Event<std::string&> kMutable{"mutable"};
    EventEmitter e;
    e.on(kMutable, [](auto& s) { s += "+1"; });
    e.on(kPair, [](auto, auto& s) {
        static_assert(std::is_const_v<std::remove_reference_t<decltype(s)>>);
    });
    std::string target = "x";
    e.emit(kMutable, target);
    e.emit(kMutable, target);
    EXPECT_EQ(target, "x+1+1");
    const std::string fixed = "f";
    EXPECT_TRUE(e.emit(kPair, 1, fixed));
}

// A string literal, a const char* and a std::string_view are all emitted as std::string_view.
TEST(EventEmitterEmit, StringLiteralMatchesStringView) {
    EventEmitter e;
    std::vector<std::string> got;
    e.on("data", [&](std::string_view s) { got.emplace_back(s); });
    const char* cstr = "cstr";
    e.emit("data", "literal");
    e.emit("data", cstr);
    e.emit("data", std::string_view("view"));
    e.emit(kData, "typed-literal");
    EXPECT_EQ(got, (std::vector<std::string>{"literal", "cstr", "view", "typed-literal"}));
}

// A listener whose parameters do not match the emitted types: emit throws
// ERR_INVALID_ARG_TYPE (Node has no types; this is the C++ equivalent of a
// listener receiving what it cannot use). Listeners before it have run.
TEST(EventEmitterEmit, SignatureMismatchThrowsInvalidArgType) {
    EventEmitter e;
    int before = 0;
    e.on("n", [&](int) { ++before; });
    e.on("n", [](const std::string&) { FAIL() << "must not be called with an int"; });
    try {
        e.emit("n", 1);
        FAIL() << "no throw";
    } catch (const Error& err) {
        EXPECT_EQ(err.code(), "ERR_INVALID_ARG_TYPE");
        EXPECT_NE(std::string(err.message()).find("\"n\""), std::string::npos) << err.message();
    }
    EXPECT_EQ(before, 1);
    EXPECT_THROW(e.emit("n"), Error);  // too few arguments for the first listener
    EXPECT_EQ(before, 1);
}

// Typed keys and the string API address the same event.
TEST(EventEmitterTyped, InteroperatesWithStringApi) {
    EventEmitter e;
    std::vector<std::string> got;
    e.on(kData, [&](std::string_view s) { got.push_back("typed:" + std::string(s)); });
    e.on("data", [&](std::string_view s) { got.push_back("string:" + std::string(s)); });
    EXPECT_EQ(e.listenerCount(kData), 2u);
    EXPECT_EQ(e.listenerCount("data"), 2u);
    e.emit(kData, std::string_view("1"));
    e.emit("data", "2");
    EXPECT_EQ(got, (std::vector<std::string>{"typed:1", "string:1", "typed:2", "string:2"}));
    EXPECT_EQ(e.eventNames(), (std::vector<std::string>{"data"}));
    e.removeAllListeners(kData);
    EXPECT_EQ(e.listenerCount("data"), 0u);
}

// With a typed key, generic lambdas take the event's types.
TEST(EventEmitterTyped, GenericLambdas) {
    EventEmitter e;
    std::string got;
    e.on(kPair, [&](auto n, const auto& s) {
        static_assert(std::is_same_v<decltype(n), int>);
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(s)>, std::string>);
        got += std::to_string(n) + s;
    });
    e.once(kPair, [&](auto&&... args) { got += "(" + std::to_string(sizeof...(args)) + ")"; });
    e.prependListener(kPair, [&](auto n) { got += "<" + std::to_string(n) + ">"; });
    e.emit(kPair, 4, std::string("x"));
    e.emit(kPair, 5, std::string("y"));
    EXPECT_EQ(got, "<4>4x(2)<5>5y");
}

// A typed listener can be reached from the string API with the same types,
// and removed through either.
TEST(EventEmitterTyped, RemoveThroughEitherKey) {
    EventEmitter e;
    int calls = 0;
    const Listener l = e.on(kPair, [&](auto, auto) { ++calls; });
    e.emit("pair", 1, std::string("a"));
    EXPECT_EQ(calls, 1);
    e.off("pair", l);
    EXPECT_FALSE(e.emit(kPair, 1, std::string("b")));
    const Listener l2 = e.on("pair", [&](int, const std::string&) { ++calls; });
    e.removeListener(kPair, l2);
    EXPECT_EQ(e.listenerCount(kPair), 0u);
}

// A listener that throws: the exception leaves emit; the emitter stays usable.
TEST(EventEmitterEmit, ListenerExceptionPropagates) {
    EventEmitter e;
    int second = 0;
    e.on("x", [] { throw std::runtime_error("boom"); });
    e.on("x", [&] { ++second; });
    EXPECT_THROW(e.emit("x"), std::runtime_error);
    EXPECT_EQ(second, 0);
    EXPECT_EQ(e.listenerCount("x"), 2u);
}

// Node: test-event-emitter-listeners.js, -listener-count.js, -get-max-listeners.js, eventNames.
TEST(EventEmitterIntrospection, ListenersRawListenersCountNames) {
    EventEmitter e;
    EXPECT_TRUE(e.listeners("foo").empty());
    EXPECT_TRUE(e.eventNames().empty());
    const Listener a = e.on("foo", [] {});
    const Listener b = e.once("foo", [] {});
    e.on(kData, [](auto) {});
    e.on("baz", a);
    EXPECT_EQ(e.listeners("foo"), (std::vector<Listener>{a, b}));
    EXPECT_EQ(e.rawListeners("foo"), (std::vector<Listener>{a, b}));
    EXPECT_FALSE(a.isOnce());
    EXPECT_TRUE(b.isOnce());
    EXPECT_EQ(e.listenerCount("foo"), 2u);
    EXPECT_EQ(e.listenerCount("foo", a), 1u);
    EXPECT_EQ(e.listenerCount("foo", Listener{}), 0u);
    EXPECT_EQ(e.listenerCount("nope"), 0u);
    EXPECT_EQ(e.eventNames(), (std::vector<std::string>{"foo", "data", "baz"}));
    // Node: listeners() returns a copy; changing the emitter does not change it.
    std::vector<Listener> copy = e.listeners("foo");
    e.removeAllListeners("foo");
    EXPECT_EQ(copy.size(), 2u);
    EXPECT_EQ(e.eventNames(), (std::vector<std::string>{"data", "baz"}));
    // Node: an event removed and added again goes to the end of eventNames().
    e.on("foo", a);
    EXPECT_EQ(e.eventNames(), (std::vector<std::string>{"data", "baz", "foo"}));
}

// Node: rawListeners() returns the once-wrappers; calling one through
// emit fires it once even if it was registered twice.
TEST(EventEmitterIntrospection, OnceHandleReaddedFiresOnce) {
    EventEmitter e;
    int calls = 0;
    const Listener w = e.once("x", [&] { ++calls; });
    e.on("x", e.rawListeners("x")[0]);
    e.emit("x");
    e.emit("x");
    EXPECT_EQ(calls, 1);
}

// An emitter destroyed while holding listeners releases them (ASan checks the rest).
TEST(EventEmitterLifetime, DestroyedHoldingListeners) {
    auto state = std::make_shared<int>(0);
    Listener kept;
    {
        EventEmitter e;
        e.on("a", [state] { ++*state; });
        kept = e.once(kData, [state](auto) {});
        e.on("b", kept);
        e.on("newListener", [state] {});
        EXPECT_EQ(state.use_count(), 4);
    }
    EXPECT_EQ(state.use_count(), 2);  // the handle keeps its listener alive
    kept = Listener{};
    EXPECT_EQ(state.use_count(), 1);
}

// An emitter owned by Refs whose last Ref is dropped by a listener during
// emit: the emit finishes safely (later listeners of the snapshot, once ones
// included, still run) and the emitter is destroyed afterwards.
TEST(EventEmitterLifetime, LastRefDroppedDuringEmit) {
    bool destroyed = false;
    Ref<Owned> owner(new Owned(&destroyed));
    int later = 0;
    owner->on("close", [&] { owner = nullptr; });
    owner->once("close", [&] { ++later; });
    owner->on("close", [&] { ++later; });
    Owned* raw = owner.get();
    raw->emit("close");
    EXPECT_EQ(later, 2);
    EXPECT_TRUE(destroyed);
}

// The lone listener of an event (called without a snapshot of the list): what it does to
// the emitter during its call behaves as with several listeners.
TEST(EventEmitterLoneListener, RemovingItselfRunsToTheEndAndIsReleasedAfter) {
    EventEmitter e;
    auto state = std::make_shared<std::string>();
    Listener self;
    self = e.on(kData, [&e, &self, state](std::string_view chunk) {
        e.off(kData, self);
        self = Listener{};  // the last handle: the listener lives on until its call ends
        *state += chunk;    // its captures are still there
    });
    EXPECT_TRUE(e.emit(kData, std::string_view("abc")));
    EXPECT_EQ(*state, "abc");
    EXPECT_EQ(state.use_count(), 1);  // released once the call ended
    EXPECT_FALSE(e.emit(kData, std::string_view("def")));
}

TEST(EventEmitterLoneListener, AListenerAddedDuringTheCallWaitsForTheNextEmit) {
    EventEmitter e;
    std::string out;
    bool added = false;
    e.on(kEnd, [&] {
        out += "a ";
        if (!added) {
            added = true;
            e.on(kEnd, [&] { out += "b "; });
        }
    });
    e.emit(kEnd);
    out += "| ";
    e.emit(kEnd);
    EXPECT_EQ(out, "a | a b ");
}

TEST(EventEmitterLoneListener, LastRefDroppedDuringTheCall) {
    bool destroyed = false;
    bool aliveAfterDrop = false;
    Ref<Owned> owner(new Owned(&destroyed));
    owner->on("close", [&] {
        owner = nullptr;
        aliveAfterDrop = !destroyed;  // the emitter lives until the emit ends
    });
    Owned* raw = owner.get();
    EXPECT_TRUE(raw->emit("close"));
    EXPECT_TRUE(aliveAfterDrop);
    EXPECT_TRUE(destroyed);
}

TEST(EventEmitterLoneListener, AThrowLeavesTheEmitterAsItWas) {
    bool destroyed = false;
    Ref<Owned> owner(new Owned(&destroyed));
    auto state = std::make_shared<int>(0);
    owner->on(kEnd, [state] {
        ++*state;
        throw Error("E_TEST", "from the listener");
    });
    EXPECT_THROW(owner->emit(kEnd), Error);
    EXPECT_THROW(owner->emit(kEnd), Error);  // still registered, called again
    EXPECT_EQ(*state, 2);
    EXPECT_EQ(owner->listenerCount(kEnd), 1u);
    owner = nullptr;  // no reference was left behind by the throws
    EXPECT_TRUE(destroyed);
    EXPECT_EQ(state.use_count(), 1);
}

TEST(EventEmitterLoneListener, AOnceListenerAndAPrefixListenerStillWork) {
    EventEmitter e;
    int once = 0;
    e.once(kEnd, [&] { ++once; });
    EXPECT_TRUE(e.emit(kEnd));
    EXPECT_FALSE(e.emit(kEnd));
    EXPECT_EQ(once, 1);
    int got = 0;
    e.on(kPair, [&](int n) { got = n; });  // takes a prefix of the arguments
    EXPECT_TRUE(e.emit(kPair, 7, std::string("x")));
    EXPECT_EQ(got, 7);
}

}  // namespace
}  // namespace nodecc::events

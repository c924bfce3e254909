#include "nodecc/events/event_emitter.hpp"

#include <algorithm>
#include <charconv>

#include "nodecc/process/warning.hpp"

namespace nodecc::events {

int EventEmitter::defaultMaxListeners = 10;

// The listeners of one event. Shared copy-on-write with emits in progress:
// emit() holds a reference while it iterates, so a change made meanwhile
// copies the list and the running emit keeps its snapshot (Node clones the array).
struct EventEmitter::ListenerList {
    std::uint32_t refs = 1;
    std::vector<detail::ListenerBox*> items;  // each retained

    ListenerList() = default;
    ListenerList(const ListenerList& o) : items(o.items) {
        for (auto* b : items) b->retain();
    }
    ListenerList& operator=(const ListenerList&) = delete;
    ~ListenerList() {
        for (auto* b : items) b->release();
    }
    static void release(ListenerList* l) noexcept {
        if (--l->refs == 0) delete l;
    }
};

EventEmitter::~EventEmitter() {
    for (auto& e : entries_) ListenerList::release(e.list);
}

void EventEmitter::releaseEntries() noexcept {
    // Released after the entries are gone: a listener's destructor may touch this emitter.
    std::vector<Entry> entries;
    entries.swap(entries_);
    maxListeners_ = -1;
    for (auto& e : entries) ListenerList::release(e.list);
    entries.clear();
    if (entries_.empty()) entries_.swap(entries);  // keep the capacity
}

EventEmitter::Entry* EventEmitter::find(EventId id) noexcept {
    for (auto& e : entries_) {
        if (e.id == id) return &e;
    }
    return nullptr;
}

const EventEmitter::Entry* EventEmitter::find(EventId id) const noexcept {
    for (const auto& e : entries_) {
        if (e.id == id) return &e;
    }
    return nullptr;
}

std::size_t EventEmitter::listenerCount(EventId id) const noexcept {
    const Entry* e = find(id);
    return e == nullptr ? 0 : e->list->items.size();
}

EventEmitter::ListenerList* EventEmitter::unshared(ListenerList*& list) {
    if (list->refs > 1) {
        auto* copy = new ListenerList(*list);
        ListenerList::release(list);
        list = copy;
    }
    return list;
}

Listener EventEmitter::add(EventId id, std::string_view name, detail::ListenerBox* box,
                           bool prepend, bool once) {
    // Node: checkListener — 'The "listener" argument must be of type function'.
    if (box == nullptr) {
        throw Error("ERR_INVALID_ARG_TYPE",
                    "The \"listener\" argument must be a listener. Received an empty Listener");
    }
    // A fresh box is unowned; a handle being registered again keeps its kind (Node: the
    // once-wrapper from rawListeners() stays a once-wrapper).
    if (box->refs == 0) box->once = once;
    Listener handle(box);
    // Node: 'newListener' is emitted before the listener is added.
    if (find(kNewListener.id) != nullptr) emit(kNewListener, name, handle);

    Entry* e = find(id);
    if (e == nullptr) {
        entries_.push_back(Entry{id, std::string(name), new ListenerList, false});
        e = &entries_.back();
    }
    ListenerList* list = unshared(e->list);
    box->retain();
    if (prepend) {
        list->items.insert(list->items.begin(), box);
    } else {
        list->items.push_back(box);
    }

    // Node: _addListener — warn once per event name when count > max.
    const int max = getMaxListeners();
    if (max > 0 && list->items.size() > static_cast<std::size_t>(max) && !e->warned) {
        e->warned = true;
        std::string msg = "Possible EventEmitter memory leak detected. " +
                          std::to_string(list->items.size()) + " " + e->name +
                          " listeners added to [" + emitterName() + "]. MaxListeners is " +
                          std::to_string(max) + ". Use emitter.setMaxListeners() to increase limit";
        process::emitWarning("MaxListenersExceededWarning", msg);
    }
    onListenerAdded(id);
    return handle;
}

bool EventEmitter::remove(EventId id, const Listener& listener) {
    Entry* e = find(id);
    if (e == nullptr || !listener) return false;
    auto& items = e->list->items;
    // Node: removeListener scans from the end and removes the last match.
    auto it = std::find(items.rbegin(), items.rend(), listener.box());
    if (it == items.rend()) return false;
    const std::size_t index = static_cast<std::size_t>(std::distance(it, items.rend()) - 1);
    std::string name;
    ListenerList* list = unshared(e->list);
    list->items[index]->release();
    list->items.erase(list->items.begin() + static_cast<std::ptrdiff_t>(index));
    if (list->items.empty()) {
        name = std::move(e->name);
        ListenerList::release(list);
        entries_.erase(entries_.begin() + (e - entries_.data()));
    } else {
        name = e->name;
        // Node: at one listener the array collapses to the function, losing its `warned` mark.
        if (list->items.size() == 1) e->warned = false;
    }
    // Node: 'removeListener' is emitted after the removal.
    if (find(kRemoveListener.id) != nullptr)
        emit(kRemoveListener, std::string_view(name), listener);
    return true;
}

void EventEmitter::removeAll(EventId id) {
    if (entries_.empty()) return;
    if (find(kRemoveListener.id) == nullptr) {
        if (Entry* e = find(id)) {
            ListenerList::release(e->list);
            entries_.erase(entries_.begin() + (e - entries_.data()));
        }
        return;
    }
    // Node: with 'removeListener' listeners, remove the listeners present now one by one,
    // in LIFO order; one added meanwhile by a handler stays.
    const Entry* e = find(id);
    if (e == nullptr) return;
    std::vector<Listener> present(e->list->items.begin(), e->list->items.end());
    for (auto it = present.rbegin(); it != present.rend(); ++it) remove(id, *it);
}

EventEmitter& EventEmitter::removeAllListeners() {
    if (entries_.empty()) return *this;
    std::vector<EventId> ids;
    for (const auto& e : entries_) {
        if (e.id != kRemoveListener.id) ids.push_back(e.id);
    }
    for (EventId id : ids) removeAll(id);
    removeAll(kRemoveListener.id);
    return *this;
}

namespace {

// Off the hot path: a listener whose types are not exactly the emitted ones
// may still take a prefix of them; otherwise emit throws.
[[gnu::cold, gnu::noinline]] void checkPrefix(const detail::ListenerBox& box, std::string_view name,
                                              const detail::TypeTag* tags, std::size_t arity) {
    bool ok = box.arity <= arity;
    for (std::size_t i = 0; ok && i < box.arity; ++i) ok = box.tags[i] == tags[i];
    if (!ok) {
        throw Error("ERR_INVALID_ARG_TYPE", "A listener of \"" + std::string(name) +
                                                "\" does not accept the emitted arguments");
    }
}

[[gnu::cold, gnu::noinline, noreturn]] void throwConstArgument(std::string_view name) {
    throw Error("ERR_INVALID_ARG_TYPE",
                "A listener of \"" + std::string(name) +
                    "\" takes by non-const reference an argument emitted as const");
}

}  // namespace

// Node: emit() calls a lone listener directly (events[type] is the function, no array to
// clone). Here: one listener of exactly the emitted types, not a once-wrapper — most of the
// hot path's emits ('request', 'data'). The general path below gives the same result; this
// one only skips the snapshot and the loop.
bool EventEmitter::emitImpl(EventId id, std::string_view name, const Emitted& emitted) {
    if (id != kError.id) [[likely]] {
        const Entry* e = find(id);
        if (e == nullptr) return false;
        const auto& items = e->list->items;
        if (items.size() == 1) [[likely]] {
            detail::ListenerBox* box = items.front();
            if (box->tags == emitted.tags && (box->mutableParams & emitted.constArgs) == 0 &&
                !box->once) [[likely]] {
                // The listener may remove itself (its box lives until the call ends) or drop
                // the last Ref to this emitter (which lives until the emit ends).
                struct Hold {
                    EventEmitter* self;
                    detail::ListenerBox* box;
                    bool counted;
                    ~Hold() {
                        box->release();
                        if (counted) self->release();
                    }
                } hold{this, box, refCount() > 0};
                box->retain();
                if (hold.counted) retain();
                box->invoke(box, emitted.args);
                return true;
            }
        }
    }
    return emitListeners(id, name, emitted);
}

bool EventEmitter::emitListeners(EventId id, std::string_view name, const Emitted& emitted) {
    if (id == kError.id) [[unlikely]] {
        if (find(errorMonitor.id) != nullptr) emitImpl(errorMonitor.id, errorMonitor.name, emitted);
        if (find(id) == nullptr) throwUnhandledError(emitted);
    }
    Entry* e = find(id);
    if (e == nullptr) return false;
    // A listener may drop the last Ref to this emitter; it lives until the emit ends.
    // (An emitter not owned by Refs has count 0 and is the caller's to keep alive.)
    struct Hold {
        EventEmitter* self;
        ListenerList* snapshot;
        bool counted;
        ~Hold() {
            ListenerList::release(snapshot);
            if (counted) self->release();
        }
    } hold{this, e->list, refCount() > 0};
    ++hold.snapshot->refs;
    if (hold.counted) retain();

    for (detail::ListenerBox* box : hold.snapshot->items) {
        // The same kTags<T...> array means the same types, arity included.
        if (box->tags != emitted.tags) [[unlikely]] {
            checkPrefix(*box, name, emitted.tags, emitted.arity);
        }
        if ((box->mutableParams & emitted.constArgs) != 0) [[unlikely]] {
            throwConstArgument(name);
        }
        if (box->once) [[unlikely]] {
            // Node: onceWrapper removes itself before calling the listener, once only.
            if (box->fired) continue;
            box->fired = true;
            remove(id, Listener(box));
        }
        box->invoke(box, emitted.args);
    }
    return true;
}

namespace {

// Node: ERR_UNHANDLED_ERROR's message uses util.inspect(err) for a non-Error.
template <class T>
bool inspectNumber(const detail::TypeTag tag, const void* arg, std::string& out) {
    if (tag != &detail::typeTagOf<T>) return false;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *static_cast<const T*>(arg));
    out.assign(buf, ec == std::errc{} ? end : buf);
    return true;
}

std::string inspect(const detail::TypeTag tag, const void* arg) {
    std::string out;
    if (tag == &detail::typeTagOf<std::string_view>) {
        return "'" + std::string(*static_cast<const std::string_view*>(arg)) + "'";
    }
    if (tag == &detail::typeTagOf<std::string>) {
        return "'" + *static_cast<const std::string*>(arg) + "'";
    }
    if (tag == &detail::typeTagOf<bool>) return *static_cast<const bool*>(arg) ? "true" : "false";
    if (inspectNumber<int>(tag, arg, out) || inspectNumber<unsigned>(tag, arg, out) ||
        inspectNumber<long>(tag, arg, out) || inspectNumber<unsigned long>(tag, arg, out) ||
        inspectNumber<long long>(tag, arg, out) ||
        inspectNumber<unsigned long long>(tag, arg, out) || inspectNumber<double>(tag, arg, out)) {
        return out;
    }
    return "[object]";
}

}  // namespace

void EventEmitter::throwUnhandledError(const Emitted& emitted) {
    if (emitted.arity == 0) throw Error("ERR_UNHANDLED_ERROR", "Unhandled error. (undefined)");
    const detail::TypeTag tag = emitted.tags[0];
    const void* arg = emitted.args[0];
    // Node: an Error is thrown as it is.
    if (tag == &detail::typeTagOf<Error>) throw *static_cast<const Error*>(arg);
    if (tag == &detail::typeTagOf<std::exception_ptr>) {
        std::rethrow_exception(*static_cast<const std::exception_ptr*>(arg));
    }
    throw Error("ERR_UNHANDLED_ERROR", "Unhandled error. (" + inspect(tag, arg) + ")");
}

std::vector<Listener> EventEmitter::listeners(std::string_view name) const {
    std::vector<Listener> out;
    if (const Entry* e = find(eventId(name))) {
        for (auto* b : e->list->items) out.emplace_back(b);
    }
    return out;
}

std::size_t EventEmitter::listenerCount(std::string_view name,
                                        const Listener& listener) const noexcept {
    const Entry* e = find(eventId(name));
    if (e == nullptr || !listener) return 0;
    return static_cast<std::size_t>(
        std::count(e->list->items.begin(), e->list->items.end(), listener.box()));
}

std::vector<Listener> EventEmitter::rawListeners(std::string_view name) const {
    return listeners(name);
}

std::vector<std::string> EventEmitter::eventNames() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
}

EventEmitter& EventEmitter::setMaxListeners(int n) {
    if (n < 0) {
        // Node v20: validateNumber(n, 'setMaxListeners', 0).
        throw Error("ERR_OUT_OF_RANGE",
                    "The value of \"setMaxListeners\" is out of range. It must be >= 0. Received " +
                        std::to_string(n));
    }
    maxListeners_ = n;
    return *this;
}

}  // namespace nodecc::events

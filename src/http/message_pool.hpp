// MessagePool<T> — the server's own IncomingMessage / ServerResponse objects are recycled.
//
// Node allocates a fresh IncomingMessage and ServerResponse per request and leaves the rest
// to its garbage collector. Here, when the last reference to a message the server made
// itself goes, the message drops everything it holds (references, listeners, state) and
// clears its buffers without giving their memory back; it then waits in a per-thread pool,
// and the next request takes it instead of a new one. A warm keep-alive or pipelined
// connection so costs no heap allocation per request. Node's parser FreeList does the same
// for parsers (seed 3-2-4-1-4).
//
// T provides `void releaseForPool() noexcept` (back to the state of a new object, minus
// the constructor's arguments: no references held), `void reuse(Args...)` (what its
// constructor does with its arguments), and a `bool pooled_` member that routes its
// lastReferenceReleased() to recycle(). Objects from a user's factory
// (ServerOptions::incomingMessage / serverResponse) are never pooled.
//
// Threading: one pool per thread (messages are used on their loop's thread). At most
// kMaxIdle objects wait; beyond that, and once the thread's pool is gone, they are deleted.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace nodecc::http::detail {

template <class T>
class MessagePool {
  public:
    static constexpr std::size_t kMaxIdle = 1024;

    template <class... A>
    static T* make(A&&... args) {
        MessagePool* pool = forThread();
        T* obj = nullptr;
        if (pool != nullptr && !pool->idle_.empty()) {
            obj = pool->idle_.back();
            pool->idle_.pop_back();
            obj->reuse(std::forward<A>(args)...);
        } else {
            obj = new T(std::forward<A>(args)...);
        }
        obj->pooled_ = true;
        return obj;
    }

    // From T::lastReferenceReleased().
    static void recycle(T* obj) noexcept {
        MessagePool* pool = forThread();
        if (pool == nullptr || pool->idle_.size() >= kMaxIdle) {
            delete obj;
            return;
        }
        obj->releaseForPool();  // may release other messages (recycled first)
        pool->idle_.push_back(obj);
    }

    MessagePool() = default;
    MessagePool(const MessagePool&) = delete;
    MessagePool& operator=(const MessagePool&) = delete;
    ~MessagePool() {
        current() = nullptr;
        gone() = true;
        for (T* obj : idle_) delete obj;
    }

  private:
    // Trivial thread_locals (no guard, no registration): the hot path reads one pointer.
    static MessagePool*& current() noexcept {
        static constinit thread_local MessagePool* pool = nullptr;
        return pool;
    }
    static bool& gone() noexcept {
        static constinit thread_local bool flag = false;  // trivially destructible: safe at exit
        return flag;
    }
    static MessagePool* forThread() noexcept {
        if (MessagePool* pool = current()) [[likely]]
            return pool;
        return firstUse();
    }
    [[gnu::noinline]] static MessagePool* firstUse() noexcept {
        if (gone()) return nullptr;
        static thread_local MessagePool pool;  // destroyed at thread exit
        current() = &pool;
        return &pool;
    }

    std::vector<T*> idle_;
};

}  // namespace nodecc::http::detail

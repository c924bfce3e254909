// MessagePool<T> — the server's own IncomingMessage / ServerResponse objects are recycled.
//
// Node allocates a fresh IncomingMessage and ServerResponse per request and leaves the rest
// to its garbage collector. Here, when the last reference to a message the server made
// itself goes, the object is destroyed as usual, but its memory and its growable buffers
// (head bytes, header vectors, the output string…) are kept, cleared, in a per-thread pool;
// the next request constructs a new object in that memory and adopts the buffers. A warm
// keep-alive or pipelined connection so costs no heap allocation per request, and every
// object still starts from its constructor's state.
//
// T provides: `struct Buffers` (movable), `Buffers takeBuffers() noexcept` (moves them
// out, cleared), `void adoptBuffers(Buffers&&) noexcept`, and a `bool pooled_` member
// that routes its lastReferenceReleased() to recycle(). Objects from a user's factory
// (ServerOptions::incomingMessage / serverResponse) are never pooled.
//
// Threading: one pool per thread (objects are used on their loop's thread). At most
// kMaxIdle husks are kept; beyond that, and after the thread's pool is gone, objects are
// deleted.
#pragma once

#include <cstddef>
#include <new>
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
        if (pool != nullptr && !pool->husks_.empty()) {
            Husk husk = std::move(pool->husks_.back());
            pool->husks_.pop_back();
            try {
                obj = ::new (husk.memory) T(std::forward<A>(args)...);
            } catch (...) {
                ::operator delete(husk.memory);
                throw;
            }
            obj->adoptBuffers(std::move(husk.buffers));
        } else {
            obj = new T(std::forward<A>(args)...);
        }
        obj->pooled_ = true;
        return obj;
    }

    // From T::lastReferenceReleased(): destroys `obj`, keeping its memory and buffers.
    static void recycle(T* obj) noexcept {
        MessagePool* pool = forThread();
        if (pool == nullptr || pool->husks_.size() >= kMaxIdle) {
            delete obj;
            return;
        }
        typename T::Buffers buffers = obj->takeBuffers();
        obj->T::~T();
        pool->husks_.push_back(Husk{obj, std::move(buffers)});
    }

    static std::size_t idleCount() noexcept {
        MessagePool* pool = forThread();
        return pool != nullptr ? pool->husks_.size() : 0;
    }

    MessagePool() = default;
    MessagePool(const MessagePool&) = delete;
    MessagePool& operator=(const MessagePool&) = delete;
    ~MessagePool() {
        gone() = true;
        for (Husk& h : husks_) ::operator delete(h.memory);
    }

  private:
    struct Husk {
        void* memory;
        typename T::Buffers buffers;
    };

    static bool& gone() noexcept {
        static thread_local bool flag = false;  // trivially destructible: safe at exit
        return flag;
    }
    static MessagePool* forThread() noexcept {
        if (gone()) return nullptr;
        static thread_local MessagePool pool;
        return &pool;
    }

    std::vector<Husk> husks_;
};

}  // namespace nodecc::http::detail

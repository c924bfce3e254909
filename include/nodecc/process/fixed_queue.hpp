// nodecc::FixedQueue — Node's internal/fixed_queue, the queue behind nextTick.
//
// A singly linked list of fixed ring buffers of 2048 slots (a block holds
// 2047 items: one slot stays empty to tell full from empty). `push` writes at
// the head block, `shift` reads at the tail block; a drained tail block is
// unlinked. Unlike Node, items live inside the slots (no per-item object), and
// one drained block is kept as a spare, so a queue that stays under 2047
// items — the steady state — never allocates.
//
//   nodecc::FixedQueue<int> q;
//   q.push(1); q.push(2);
//   int x;
//   while (q.shift(x)) use(x);      // 1, 2
//
// Threading: single-threaded. Cost: O(1) push/shift; one allocation per 2047
// items beyond the first block, returned when drained.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

namespace nodecc {

template <class T, std::size_t kSize = 2048>
class FixedQueue {
    static_assert((kSize & (kSize - 1)) == 0, "kSize must be a power of two");
    static constexpr std::size_t kMask = kSize - 1;

    // Node: FixedCircularBuffer.
    struct Block {
        std::size_t bottom = 0;  // read index
        std::size_t top = 0;     // write index
        Block* next = nullptr;
        alignas(T) unsigned char slots[kSize * sizeof(T)];

        T* slot(std::size_t i) noexcept { return std::launder(reinterpret_cast<T*>(slots) + i); }
        bool isEmpty() const noexcept { return top == bottom; }
        bool isFull() const noexcept { return ((top + 1) & kMask) == bottom; }
    };

  public:
    static constexpr std::size_t kBlockCapacity = kSize - 1;

    FixedQueue() = default;
    FixedQueue(const FixedQueue&) = delete;
    FixedQueue& operator=(const FixedQueue&) = delete;
    ~FixedQueue() {
        T sink;
        while (shift(sink)) {
        }
        delete spare_;
        delete tail_;  // head_ == tail_ once empty
    }

    bool isEmpty() const noexcept { return head_ == nullptr || head_->isEmpty(); }
    std::size_t size() const noexcept { return size_; }

    template <class... A>
    T& emplace(A&&... args) {
        if (head_ == nullptr) {
            head_ = tail_ = newBlock();
        } else if (head_->isFull()) {
            Block* b = newBlock();
            head_->next = b;
            head_ = b;
        }
        T* p = ::new (static_cast<void*>(head_->slot(head_->top))) T(std::forward<A>(args)...);
        head_->top = (head_->top + 1) & kMask;
        ++size_;
        return *p;
    }
    void push(T value) { emplace(std::move(value)); }

    // The oldest item, or null when empty. It stays in place (and valid while items are
    // pushed) until pop().
    T* front() noexcept {
        if (tail_ == nullptr || tail_->isEmpty()) return nullptr;
        return tail_->slot(tail_->bottom);
    }
    // Destroys the oldest item; the queue must not be empty.
    void pop() noexcept {
        tail_->slot(tail_->bottom)->~T();
        tail_->bottom = (tail_->bottom + 1) & kMask;
        --size_;
        if (tail_->isEmpty() && tail_->next != nullptr) {
            Block* drained = tail_;
            tail_ = tail_->next;
            recycle(drained);
        }
    }

    // Moves the oldest item into `out`; false when empty.
    bool shift(T& out) {
        T* p = front();
        if (p == nullptr) return false;
        out = std::move(*p);
        pop();
        return true;
    }

    // Blocks currently linked (for tests: memory is returned once drained).
    std::size_t blockCount() const noexcept {
        std::size_t n = 0;
        for (Block* b = tail_; b != nullptr; b = b->next) ++n;
        return n;
    }

  private:
    Block* newBlock() {
        if (spare_ != nullptr) {
            Block* b = spare_;
            spare_ = nullptr;
            return b;
        }
        return new Block();
    }
    void recycle(Block* b) noexcept {
        b->bottom = b->top = 0;
        b->next = nullptr;
        if (spare_ == nullptr) {
            spare_ = b;
        } else {
            delete b;
        }
    }

    Block* head_ = nullptr;  // write end (Node's naming: head)
    Block* tail_ = nullptr;  // read end (Node's naming: tail)
    Block* spare_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace nodecc

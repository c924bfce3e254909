// Private: the per-duration timer lists and the priority queue that orders them
// (Node: lib/internal/timers.js TimersList, lib/internal/priority_queue.js).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nodecc/timers/timers.hpp"
#include "timers/intrusive_list.hpp"

namespace nodecc::timers::detail {

// Node: TimersList — every Timeout of one duration, in insertion order, so the
// list is sorted by expiry. `expiry` and `id` key it in the priority queue.
class TimerList : public IntrusiveList<Timeout, TimerList> {
  public:
    std::int64_t msecs = 0;
    std::uint64_t expiry = 0;       // loop ms at which the head is due (or later)
    std::uint64_t id = 0;           // ties in the queue: the older list first
    std::size_t heapIndex = 0;      // position in TimerListQueue
    TimerList* nextFree = nullptr;  // TimersState's pool of drained lists
};

// Node: PriorityQueue(compareTimersLists, setPosition) — a binary min-heap of
// lists by (expiry, id). Its vector keeps its capacity: no allocation in steady state.
class TimerListQueue {
  public:
    TimerList* peek() const noexcept { return heap_.empty() ? nullptr : heap_.front(); }
    bool empty() const noexcept { return heap_.empty(); }

    void insert(TimerList* list) {
        heap_.push_back(list);
        list->heapIndex = heap_.size() - 1;
        percolateUp(list->heapIndex);
    }

    void removeAt(std::size_t pos) noexcept {
        const std::size_t last = heap_.size() - 1;
        if (pos != last) {
            place(heap_[last], pos);
            heap_.pop_back();
            update(pos);
        } else {
            heap_.pop_back();
        }
    }

    // Restores the heap after the key of the list at `pos` changed.
    void update(std::size_t pos) noexcept {
        if (pos > 0 && less(heap_[pos], heap_[(pos - 1) / 2])) {
            percolateUp(pos);
        } else {
            percolateDown(pos);
        }
    }

  private:
    // Node: compareTimersLists — expiry, then list id.
    static bool less(const TimerList* a, const TimerList* b) noexcept {
        return a->expiry != b->expiry ? a->expiry < b->expiry : a->id < b->id;
    }
    void place(TimerList* list, std::size_t pos) noexcept {
        heap_[pos] = list;
        list->heapIndex = pos;
    }
    void percolateUp(std::size_t pos) noexcept {
        TimerList* item = heap_[pos];
        while (pos > 0) {
            const std::size_t parent = (pos - 1) / 2;
            if (!less(item, heap_[parent])) break;
            place(heap_[parent], pos);
            pos = parent;
        }
        place(item, pos);
    }
    void percolateDown(std::size_t pos) noexcept {
        TimerList* item = heap_[pos];
        const std::size_t size = heap_.size();
        for (;;) {
            std::size_t child = 2 * pos + 1;
            if (child >= size) break;
            if (child + 1 < size && less(heap_[child + 1], heap_[child])) ++child;
            if (!less(heap_[child], item)) break;
            place(heap_[child], pos);
            pos = child;
        }
        place(item, pos);
    }

    std::vector<TimerList*> heap_;
};

}  // namespace nodecc::timers::detail

// Private: the doubly linked intrusive list under TimerList and ImmediateList
// (Node: lib/internal/linkedlist.js). An item of type T has `prev_`, `next_`
// and `list_` (a pointer to the Derived list holding it, null when unlinked).
#pragma once

namespace nodecc::timers::detail {

template <class T, class Derived>
class IntrusiveList {
  public:
    IntrusiveList() = default;
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    T* peek() const noexcept { return head_; }
    bool isEmpty() const noexcept { return head_ == nullptr; }

    // Node: L.append — the item goes to the end (removed first if linked).
    void append(T& item) noexcept {
        if (item.list_ != nullptr) item.list_->remove(item);
        item.prev_ = tail_;
        item.next_ = nullptr;
        if (tail_ != nullptr) {
            tail_->next_ = &item;
        } else {
            head_ = &item;
        }
        tail_ = &item;
        item.list_ = static_cast<Derived*>(this);
    }

    void remove(T& item) noexcept {
        if (item.prev_ != nullptr) {
            item.prev_->next_ = item.next_;
        } else {
            head_ = item.next_;
        }
        if (item.next_ != nullptr) {
            item.next_->prev_ = item.prev_;
        } else {
            tail_ = item.prev_;
        }
        item.prev_ = item.next_ = nullptr;
        item.list_ = nullptr;
    }

    T* shift() noexcept {
        T* item = head_;
        if (item != nullptr) remove(*item);
        return item;
    }

    // Moves every item of `other` to the end of this list.
    void takeAll(Derived& other) noexcept {
        if (other.head_ == nullptr) return;
        for (T* it = other.head_; it != nullptr; it = it->next_)
            it->list_ = static_cast<Derived*>(this);
        if (tail_ != nullptr) {
            tail_->next_ = other.head_;
            other.head_->prev_ = tail_;
        } else {
            head_ = other.head_;
        }
        tail_ = other.tail_;
        other.head_ = other.tail_ = nullptr;
    }

  private:
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

}  // namespace nodecc::timers::detail

// A counting global allocator for the allocation tests (DESIGN.md §5).
//
// alloc_counter.cpp replaces every form of the global operator new/delete
// (plain, array, nothrow, aligned, sized) with malloc/free plus a counter, in
// the nodecc_test_alloc executable only.
//
//   nodecc::test::AllocationScope scope;
//   hotPath();
//   EXPECT_EQ(scope.count(), 0U);   // no operator new since `scope` began
//
// Threading: the counter is process-wide (atomic), so allocations made by any
// thread count. Cost: one relaxed atomic increment per allocation.
#pragma once

#include <cstddef>

namespace nodecc::test {

// Calls to any global operator new since the process started.
std::size_t allocationCount() noexcept;
// Those of them that asked for kLargeAllocation bytes or more (a copy of a large body).
inline constexpr std::size_t kLargeAllocation = 256 * 1024;
std::size_t largeAllocationCount() noexcept;

// Counts the allocations made while it lives.
class AllocationScope {
  public:
    AllocationScope() noexcept : start_(allocationCount()) {}
    std::size_t count() const noexcept { return allocationCount() - start_; }

  private:
    std::size_t start_;
};

}  // namespace nodecc::test

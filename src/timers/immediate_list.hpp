// Private: the intrusive queue of pending Immediates (Node: ImmediateList in
// lib/internal/timers.js).
#pragma once

#include "nodecc/timers/timers.hpp"
#include "timers/intrusive_list.hpp"

namespace nodecc::timers::detail {

class ImmediateList : public IntrusiveList<Immediate, ImmediateList> {};

}  // namespace nodecc::timers::detail

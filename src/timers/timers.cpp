#include "nodecc/timers/timers.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "nodecc/process/loop.hpp"
#include "nodecc/process/warning.hpp"
#include "timers/timers_state.hpp"

namespace nodecc::timers {

namespace {

// Node: TIMEOUT_MAX = 2 ** 31 - 1.
constexpr double kTimeoutMax = 2147483647.0;

// JavaScript's Number#toString for the values that overflow (> 2^31-1):
// plain digits below 1e21, exponent form ("1e+21") above, "Infinity".
std::string jsNumberText(double value) {
    if (std::isinf(value)) return "Infinity";
    char buf[64];
    const auto format = value < 1e21 ? std::chars_format::fixed : std::chars_format::scientific;
    const auto res = std::to_chars(buf, buf + sizeof buf, value, format);
    return std::string(buf, res.ptr);
}

// Node: the Timeout constructor — NaN or outside [1, TIMEOUT_MAX] becomes 1.
std::int64_t coerceMsecs(double after) {
    if (!(after >= 1 && after <= kTimeoutMax)) {
        if (after > kTimeoutMax) {
            process::emitWarning("TimeoutOverflowWarning",
                                 jsNumberText(after) +
                                     " does not fit into a 32-bit signed integer.\n"
                                     "Timeout duration was set to 1.");
        }
        after = 1;
    }
    // Node: insert() truncates — no sub-millisecond accuracy is assumed.
    return static_cast<std::int64_t>(after);
}

detail::TimersState& stateOf(Loop& loop) {
    return loop.extension<detail::TimersState>();
}

TimeoutPtr arm(TimerCallback callback, double ms, bool repeat, bool ref) {
    Loop& loop = Loop::current();
    auto timeout = std::make_shared<Timeout>(loop, std::move(callback), ms, repeat, ref);
    auto& state = detail::TimersState::of(*timeout);
    state.insert(*timeout, state.now());
    return timeout;
}

}  // namespace

// ---- Timeout ---------------------------------------------------------------

Timeout::Timeout(Loop& loop, TimerCallback callback, double ms, bool repeat, bool ref)
    : loop_(loop),
      state_(&stateOf(loop)),
      callback_(std::move(callback)),
      msecs_(coerceMsecs(ms)),
      asyncId_(newAsyncId()),
      triggerAsyncId_(defaultTriggerAsyncId()),
      repeat_(repeat),
      ref_(ref) {
    if (ref_) state_->incRefCount();
}

Timeout::~Timeout() {
    if (list_ != nullptr) state_->forget(*this);
    if (!destroyed_ && ref_) state_->decRefCount();
}

Timeout& Timeout::ref() {
    if (!ref_) {
        ref_ = true;
        if (!destroyed_) state_->incRefCount();
    }
    return *this;
}

Timeout& Timeout::unref() {
    if (ref_) {
        ref_ = false;
        if (!destroyed_) state_->decRefCount();
    }
    return *this;
}

bool Timeout::hasRef() const noexcept {
    return ref_;
}

Timeout& Timeout::refresh() {
    state_->insertGuarded(*this);
    return *this;
}

void Timeout::close() {
    state_->unenroll(*this);
}

void Timeout::stop() noexcept {
    state_->stop(*this);
}

Timeout& Timeout::restart(double ms) {
    if (list_ != nullptr) state_->forget(*this);
    msecs_ = coerceMsecs(ms);
    cleared_ = false;
    state_->insertGuarded(*this);
    return *this;
}

// ---- Immediate -------------------------------------------------------------

Immediate::Immediate(Loop& loop, TimerCallback callback)
    : loop_(loop),
      state_(&stateOf(loop)),
      callback_(std::move(callback)),
      asyncId_(newAsyncId()),
      triggerAsyncId_(defaultTriggerAsyncId()) {
    state_->enqueue(*this);
}

Immediate::~Immediate() {
    if (!destroyed_) state_->clearImmediate(*this);
}

Immediate& Immediate::ref() {
    state_->immediateRef(*this);
    return *this;
}

Immediate& Immediate::unref() {
    state_->immediateUnref(*this);
    return *this;
}

bool Immediate::hasRef() const noexcept {
    return ref_;
}

// ---- the global functions --------------------------------------------------

TimeoutPtr setTimeout(TimerCallback callback, double ms) {
    return arm(std::move(callback), ms, false, true);
}

TimeoutPtr setInterval(TimerCallback callback, double ms) {
    return arm(std::move(callback), ms, true, true);
}

TimeoutPtr setUnrefTimeout(TimerCallback callback, double ms) {
    return arm(std::move(callback), ms, false, false);
}

ImmediatePtr setImmediate(TimerCallback callback) {
    auto immediate = std::make_shared<Immediate>(Loop::current(), std::move(callback));
    detail::TimersState::retain(immediate);
    return immediate;
}

void clearTimeout(const TimeoutPtr& timeout) {
    if (timeout) timeout->close();
}

void clearInterval(const TimeoutPtr& timeout) {
    clearTimeout(timeout);
}

void clearImmediate(const ImmediatePtr& immediate) {
    if (immediate) detail::TimersState::of(*immediate).clearImmediate(*immediate);
}

}  // namespace nodecc::timers

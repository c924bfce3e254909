#include "nodecc/process/loop.hpp"

#include <uv.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "nodecc/process/callback_scope.hpp"

namespace nodecc {

constinit thread_local Loop* Loop::tlsCurrent_ = nullptr;

namespace {
thread_local std::unique_ptr<Loop> tlsDefault;
std::atomic<int> gExitCode{0};
}  // namespace

namespace detail {
std::size_t nextLoopExtensionIndex() noexcept {
    static std::atomic<std::size_t> next{kFixedSlots};
    return next.fetch_add(1);
}
}  // namespace detail

// Tasks posted from other threads: a mutex-guarded vector and a uv_async_t.
// The async handle is unref'd: a pending post does not keep the loop alive.
struct Loop::Posted {
    uv_async_t async{};
    std::mutex mutex;
    std::vector<UniqueFunction<void()>> tasks;
};

Loop::Loop() : uv_(new uv_loop_t), previous_(tlsCurrent_), posted_(std::make_unique<Posted>()) {
    if (int err = uv_loop_init(uv_); err != 0) {
        std::fprintf(stderr, "nodecc: uv_loop_init failed: %s\n", uv_strerror(err));
        std::abort();
    }
    uv_->data = this;
    uv_async_init(uv_, &posted_->async, [](uv_async_t* handle) {
        static_cast<Loop*>(handle->loop->data)->drainPosted();
    });
    uv_unref(reinterpret_cast<uv_handle_t*>(&posted_->async));
    tlsCurrent_ = this;
}

Loop::~Loop() {
    for (auto it = std::rbegin(extensions_); it != std::rend(extensions_); ++it) {
        if (*it) (*it)->close();
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&posted_->async), nullptr);
    // Run close callbacks (extensions' handles, sockets still closing).
    uv_run(uv_, UV_RUN_NOWAIT);
    for (auto& ext : extensions_) ext.reset();
    // Anything the user left open is closed without a callback; its owner is gone.
    uv_walk(
        uv_,
        [](uv_handle_t* h, void*) {
            if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(uv_, UV_RUN_NOWAIT);
    if (uv_loop_close(uv_) != 0) {
        std::fprintf(stderr, "nodecc: loop destroyed with active requests\n");
    }
    delete uv_;
    if (tlsCurrent_ == this) tlsCurrent_ = previous_;
}

Loop& Loop::makeDefault() {
    tlsDefault = std::make_unique<Loop>();
    return *tlsDefault;
}

int Loop::run() {
    {
        // Node: ticks queued by the main module run before the loop starts.
        CallbackScope scope(*this, kTopLevelAsyncId, 0);
    }
    uv_run(uv_, UV_RUN_DEFAULT);
    return process::exitCode();
}

bool Loop::runOnce(bool wait) {
    return uv_run(uv_, wait ? UV_RUN_ONCE : UV_RUN_NOWAIT) != 0;
}

void Loop::stop() noexcept {
    uv_stop(uv_);
}

bool Loop::alive() const noexcept {
    return uv_loop_alive(uv_) != 0;
}

std::uint64_t Loop::now() const noexcept {
    return uv_now(uv_);
}

void Loop::updateTime() noexcept {
    uv_update_time(uv_);
}

void Loop::post(UniqueFunction<void()> task) {
    {
        std::lock_guard<std::mutex> lock(posted_->mutex);
        posted_->tasks.push_back(std::move(task));
    }
    uv_async_send(&posted_->async);
}

void Loop::drainPosted() {
    std::vector<UniqueFunction<void()>> batch;
    {
        std::lock_guard<std::mutex> lock(posted_->mutex);
        batch.swap(posted_->tasks);
    }
    for (auto& task : batch) {
        makeCallback(*this, newAsyncId(), kTopLevelAsyncId, [&] { task(); });
    }
}

void Loop::extensionOverflow() {
    std::fprintf(stderr, "nodecc: too many loop extensions\n");
    std::abort();
}

int run() {
    return Loop::current().run();
}

namespace process {
int exitCode() noexcept {
    return gExitCode.load();
}
void setExitCode(int code) noexcept {
    gExitCode.store(code);
}
}  // namespace process

}  // namespace nodecc

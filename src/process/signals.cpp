#include "nodecc/process/signals.hpp"

#include <uv.h>

#include <memory>
#include <vector>

#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::process {

namespace {

struct SignalWatcher {
    uv_signal_t handle{};
    std::vector<UniqueFunction<void()>> listeners;
    AsyncId asyncId = newAsyncId();
};

// Per-loop signal watchers; closed with the loop.
class Signals final : public ::nodecc::detail::LoopExtension {
  public:
    explicit Signals(Loop& loop) : loop_(loop) {}
    ~Signals() override = default;

    void add(int signum, UniqueFunction<void()> listener) {
        for (auto& w : watchers_) {
            if (w->handle.signum == signum && !uv_is_closing(handle(*w))) {
                w->listeners.push_back(std::move(listener));
                return;
            }
        }
        auto w = std::make_unique<SignalWatcher>();
        uv_signal_init(loop_.uv(), &w->handle);
        w->handle.data = w.get();
        w->listeners.push_back(std::move(listener));
        uv_signal_start(
            &w->handle,
            [](uv_signal_t* h, int) {
                auto* watcher = static_cast<SignalWatcher*>(h->data);
                auto& loop = *static_cast<Loop*>(h->loop->data);
                makeCallback(loop, watcher->asyncId, 0, [&] {
                    for (std::size_t i = 0; i < watcher->listeners.size(); ++i) {
                        watcher->listeners[i]();
                    }
                });
            },
            signum);
        uv_unref(handle(*w));
        watchers_.push_back(std::move(w));
    }

    void clear() {
        for (auto& w : watchers_) closeWatcher(std::move(w));
        watchers_.clear();
    }

    void close() override { clear(); }

  private:
    static uv_handle_t* handle(SignalWatcher& w) {
        return reinterpret_cast<uv_handle_t*>(&w.handle);
    }
    static void closeWatcher(std::unique_ptr<SignalWatcher> w) {
        // Listeners may be running (removeSignalHandlers from inside one): free on close.
        SignalWatcher* raw = w.release();
        uv_close(handle(*raw), [](uv_handle_t* h) { delete static_cast<SignalWatcher*>(h->data); });
    }

    Loop& loop_;
    std::vector<std::unique_ptr<SignalWatcher>> watchers_;
};

}  // namespace

void onSignal(int signum, UniqueFunction<void()> listener) {
    Loop::current().extension<Signals>().add(signum, std::move(listener));
}

void removeSignalHandlers() {
    Loop::current().extension<Signals>().clear();
}

}  // namespace nodecc::process

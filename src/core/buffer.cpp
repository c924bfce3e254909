#include "nodecc/core/buffer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace nodecc {

Buffer::Control::~Control() {
    if (fd >= 0) {
        ::munmap(const_cast<char*>(bytes.data()), bytes.size());
        ::close(fd);
    }
}

Buffer Buffer::from(std::string&& bytes) {
    Buffer b;
    b.control_ = new Control;
    b.control_->owned = std::move(bytes);
    b.control_->bytes = b.control_->owned;
    b.data_ = b.control_->bytes.data();
    b.size_ = b.control_->bytes.size();
    return b;
}

Buffer Buffer::copy(std::string_view bytes) {
    return from(std::string(bytes));
}

Buffer Buffer::alloc(std::size_t size, char fill) {
    return from(std::string(size, fill));
}

Buffer Buffer::sealed(std::string_view bytes) {
    if (bytes.empty()) return copy(bytes);
    const int fd = ::memfd_create("nodecc-buffer", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return copy(bytes);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    // The seals make the bytes immutable for everyone: what a socket is still sending from
    // the file's pages cannot change under it.
    constexpr int kSeals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
    void* map = MAP_FAILED;
    if (done == bytes.size() && ::fcntl(fd, F_ADD_SEALS, kSeals) == 0) {
        map = ::mmap(nullptr, bytes.size(), PROT_READ, MAP_SHARED, fd, 0);
    }
    if (map == MAP_FAILED) {
        ::close(fd);
        return copy(bytes);
    }
    Buffer b;
    b.control_ = new Control;
    b.control_->fd = fd;
    b.control_->bytes = std::string_view(static_cast<const char*>(map), bytes.size());
    b.data_ = b.control_->bytes.data();
    b.size_ = bytes.size();
    return b;
}

}  // namespace nodecc

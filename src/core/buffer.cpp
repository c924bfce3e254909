#include "nodecc/core/buffer.hpp"

namespace nodecc {

Buffer Buffer::from(std::string&& bytes) {
    Buffer b;
    b.control_ = new Control;
    b.control_->bytes = std::move(bytes);
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

}  // namespace nodecc

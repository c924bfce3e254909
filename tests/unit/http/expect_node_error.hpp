// Test helper for the http unit tests: asserts that `f` throws nodecc::Error with Node's
// code and message.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "nodecc/core/error.hpp"

namespace nodecc::test {

template <class F>
void expectNodeError(F&& f, std::string_view code, std::string_view message) {
    try {
        f();
        ADD_FAILURE() << "expected " << code;
    } catch (const nodecc::Error& e) {
        EXPECT_EQ(e.code(), code);
        EXPECT_EQ(e.message(), message);
    }
}

}  // namespace nodecc::test

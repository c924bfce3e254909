// nodecc::http::Parser — the public API (include/nodecc/http/parser.hpp).
// The state machine lives in parser_machine.cpp (the hot loop) and
// parser_transitions.cpp (the steps between states).
#include "nodecc/http/parser.hpp"

#include <new>
#include <type_traits>

#include "http/parser_machine.hpp"

namespace nodecc::http {

using detail::State;

ParserAction ParserHandler::onHeader(std::string_view name, std::string_view value) {
    const ParserAction field = onHeaderField(name, true);
    if (field == ParserAction::Error) return field;
    const ParserAction valueAction = onHeaderValue(value, true);
    if (valueAction != ParserAction::Continue) return valueAction;
    return field;
}

Parser::Parser(ParserHandler* handler, ParserOptions options) noexcept {
    initialize(handler, options);
}

void Parser::initialize(ParserHandler* handler, ParserOptions options) noexcept {
    // The fields' initializers are stored in place: no fresh parser is built and copied
    // (a server does this once per keep-alive request).
    static_assert(std::is_trivially_destructible_v<Parser>);
    ::new (static_cast<void*>(this)) Parser(Fresh{});
    handler_ = handler;
    options_ = options;
    if (options_.maxHeaderSize == 0) options_.maxHeaderSize = kDefaultMaxHeaderSize;
}

void Parser::reinitialize() noexcept {
    initialize(handler_, options_);
}

bool Parser::atMessageBoundary() const noexcept {
    return state_ == State::Start && error_ == ParserError::Ok;
}

void Parser::pause() noexcept {
    if (error_ == ParserError::Ok) {
        error_ = ParserError::Paused;
        reason_ = "Paused";
    }
}

void Parser::resume() noexcept {
    if (error_ == ParserError::Paused) {
        error_ = ParserError::Ok;
        reason_ = nullptr;
    }
}

void Parser::resumeAfterUpgrade() noexcept {
    if (error_ == ParserError::PausedUpgrade) {
        error_ = ParserError::Ok;
        reason_ = nullptr;
    }
}

void Parser::setUserError(const char* reason) noexcept {
    reason_ = reason;
    userErrorSet_ = true;
}

bool Parser::shouldKeepAlive() const noexcept {
    return ParserMachine::keepAlive(*this);
}

ExecuteResult Parser::execute(std::string_view data) noexcept {
    if (error_ != ParserError::Ok) return {0, error_};
    userErrorSet_ = false;
    ParserMachine machine(*this, data);
    return machine.run();
}

ParserError Parser::finish() noexcept {
    if (error_ != ParserError::Ok) return ParserError::Ok;  // llhttp_finish
    if (finishWithCallback_) {
        finishWithCallback_ = false;
        finishUnsafe_ = false;
        const ParserAction action =
            handler_ ? handler_->onMessageComplete() : ParserAction::Continue;
        ++messageCount_;
        if (action == ParserAction::Error) {
            error_ = userErrorSet_ ? ParserError::User : ParserError::CbMessageComplete;
            if (!userErrorSet_) reason_ = "`on_message_complete` callback error";
            state_ = State::Dead;
            return error_;
        }
        return ParserError::Ok;
    }
    if (finishUnsafe_) {
        error_ = ParserError::InvalidEofState;
        reason_ = "Invalid EOF state";
        state_ = State::Dead;
        return error_;
    }
    return ParserError::Ok;
}

}  // namespace nodecc::http

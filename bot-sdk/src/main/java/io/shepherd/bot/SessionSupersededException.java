package io.shepherd.bot;

/** The runtime answered 409 to this session: another process with this bot's identity took over. */
final class SessionSupersededException extends RuntimeException {
    SessionSupersededException(String detail) {
        super(detail);
    }
}

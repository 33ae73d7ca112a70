package io.shepherd.bot;

/** A runtime could not answer (connection refused, timeout, 5xx, open circuit): try another, or later. */
final class ServerFailure extends RuntimeException {
    ServerFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

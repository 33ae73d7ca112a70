package io.shepherd.bot;

/** Thrown by a handler when trying again cannot help (bad input): the job becomes dead at once. */
public class NonRetryableException extends Exception {
    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}

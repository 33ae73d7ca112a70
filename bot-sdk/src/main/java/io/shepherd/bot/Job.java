package io.shepherd.bot;

import jakarta.json.JsonValue;

/**
 * A job handed to a handler.
 *
 * @param id      the job's id
 * @param type    its type (the handler was registered for it)
 * @param queue   its queue
 * @param payload what the submitter sent ({@link JsonValue#NULL} when nothing)
 * @param attempt which attempt this is, 1 for the first
 */
public record Job(String id, String type, String queue, JsonValue payload, int attempt) {
}

package io.shepherd.runtime.store;

/** A job that went back to pending, with the attempt it now counts. */
public record ReleasedJob(String id, String type, int attempt) {
}

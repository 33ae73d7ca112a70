package io.shepherd.runtime.store;

/** A job its bot let go of: its new status (pending, or dead when out of attempts) and the attempt it counts. */
public record ReleasedJob(String id, String type, int attempt, String status) {
    public boolean dead() {
        return "dead".equals(status);
    }
}
